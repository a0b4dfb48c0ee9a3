(function () {
  "use strict";
  var M = window.StationMap;
  var tiles = M.data("tiles"), points = M.data("points") || [];
  if (!document.getElementById("coverage-map") || !window.L) { return; }
  var map = M.makeMap("coverage-map", tiles, [39.72, 116.10], 10);
  var bounds = [];
  points.forEach(function (p) {
    var ll = M.project(tiles, p.lat, p.lng);
    bounds.push(ll);
    L.circleMarker(ll, { radius: 8, color: p.uncovered ? "#dc3545" : "#198754", fillOpacity: 0.7 })
      .bindTooltip(p.name).addTo(map);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 }); }
})();
