(function () {
  "use strict";
  var M = window.StationMap;
  var tiles = M.data("tiles"), m = M.data("marker");
  if (!document.getElementById("station-map") || !window.L || !m) { return; }
  var map = M.makeMap("station-map", tiles, [m.lat, m.lng], 16);
  L.marker(M.project(tiles, m.lat, m.lng)).addTo(map);
})();
