// Public vote: after an in-place vote (htmx) used the last vote, no other button stays enabled.
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterSwap", function () {
    if (document.querySelector(".vote-block[data-remaining='0']")) {
      document.querySelectorAll("button.vote-btn").forEach(function (b) { b.disabled = true; });
    }
  });
})();
