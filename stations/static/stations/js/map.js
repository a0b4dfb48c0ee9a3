/* Shared map set-up: tiles from the configured provider, markers shifted for GCJ-02 tiles. */
(function () {
  "use strict";
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function project(tiles, lat, lng) {
    return tiles.crs === "gcj02" ? window.StationGeo.wgs84ToGcj02(lat, lng) : [lat, lng];
  }
  function makeMap(elId, tiles, center, zoom) {
    var map = L.map(elId, { tap: true }).setView(project(tiles, center[0], center[1]), zoom);
    L.tileLayer(tiles.url, { subdomains: tiles.subdomains, maxZoom: tiles.max_zoom, attribution: tiles.attribution }).addTo(map);
    return map;
  }
  window.StationMap = { data: data, project: project, makeMap: makeMap };
})();
