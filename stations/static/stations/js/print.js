/* A "Print" button on a desk record page (no inline script under the CSP). */
(function () {
  "use strict";
  var button = document.getElementById("print-page");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
