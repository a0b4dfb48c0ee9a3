(function () {
  "use strict";
  // After a refused form the page comes back at the top: show the error or the request to
  // send it once more (unionportal/core/formtokens.py), which is below.
  var errors = document.getElementById("feedback-errors") || document.querySelector("[data-confirm]");
  if (errors) { errors.scrollIntoView({ block: "center" }); errors.focus({ preventScroll: true }); }
  var M = window.StationMap;
  var tiles = M.data("tiles"), m = M.data("marker");
  if (!document.getElementById("station-map") || !window.L || !m) { return; }
  var map = M.makeMap("station-map", tiles, [m.lat, m.lng], 16);
  L.marker(M.project(tiles, m.lat, m.lng)).addTo(map);
})();
