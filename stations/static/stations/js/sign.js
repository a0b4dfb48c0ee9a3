/* The sign's print button (no inline script under the CSP). */
(function () {
  "use strict";
  var button = document.getElementById("print-sign");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
