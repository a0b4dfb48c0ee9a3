(function () {
  "use strict";
  // A form on a cached public page has an empty CSRF field ({% csrf_on_submit %}): this
  // visitor's token is fetched when the form is sent. Should that fail, the form goes without
  // it and the server asks to send it again, with a token (unionportal/core/formtokens.py).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = form.querySelector ? form.querySelector("input[data-csrf-from]") : null;
    if (!field || field.value) { return; }
    event.preventDefault();
    fetch(field.getAttribute("data-csrf-from"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (data) { field.value = data.token || ""; }, function () {})
      .then(function () { form.submit(); }); // submit(): no second submit event, so no loop
  });
})();
