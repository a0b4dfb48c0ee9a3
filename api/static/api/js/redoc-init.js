// Starts Redoc on the API docs page (a static file: the CSP allows no inline scripts).
(function () {
  var el = document.getElementById("redoc");
  if (el && window.Redoc) {
    window.Redoc.init(el.getAttribute("data-schema-url"), { hideDownloadButton: false }, el);
  }
})();
