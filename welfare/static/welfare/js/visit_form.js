// The worker picker of the visit form: a click on a search result fills the hidden field.
(function () {
  "use strict";
  var results = document.getElementById("worker-results");
  var hidden = document.querySelector("#visit-form input[name=file]");
  var picked = document.getElementById("worker-picked");
  var query = document.getElementById("worker-q");
  if (!results || !hidden) return;
  results.addEventListener("click", function (event) {
    var button = event.target.closest(".worker-pick");
    if (!button) return;
    hidden.value = button.dataset.file;
    picked.textContent = button.dataset.label;
    picked.classList.remove("d-none");
    results.innerHTML = "";
    query.value = "";
  });
  // Enter in the search box must not submit the whole visit.
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });
})();
