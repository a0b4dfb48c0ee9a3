/* Shared map set-up: tiles from the configured provider, markers shifted for GCJ-02 tiles. */
(function () {
  "use strict";
  // Leaflet finds its default marker image through its stylesheet's URL, which breaks once the
  // static files carry hashed names (the manifest storage of a server): the station page asked
  // for /stations/1/marker-icon-2x.png. The template gives the real address. The double-size
  // image is used on every screen (phones are high-density; Lighthouse flags the small one
  // there), and no shadow: Leaflet has no high-density shadow.
  var me = document.currentScript;
  if (me && me.dataset.markerIcon) {
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({ iconUrl: me.dataset.markerIcon, iconRetinaUrl: me.dataset.markerIcon, shadowUrl: "" });
  }
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function project(tiles, lat, lng) {
    return tiles.crs === "gcj02" ? window.StationGeo.wgs84ToGcj02(lat, lng) : [lat, lng];
  }
  // The map's coordinates back to WGS-84 (the GCJ-02 shift inverted by iteration, as picker.js).
  function unproject(tiles, lat, lng) {
    if (tiles.crs !== "gcj02") { return [lat, lng]; }
    var w = [lat, lng];
    for (var i = 0; i < 10; i++) {
      var g = window.StationGeo.wgs84ToGcj02(w[0], w[1]);
      w = [w[0] - (g[0] - lat), w[1] - (g[1] - lng)];
    }
    return w;
  }
  // Leaflet's controls in the page's language (titles and attribution from the server).
  function localise(map, tiles) {
    var labels = tiles.labels || {};
    L.control.zoom({ zoomInTitle: labels.zoom_in || "Zoom in", zoomOutTitle: labels.zoom_out || "Zoom out" }).addTo(map);
    if (map.attributionControl) {
      map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="' + (labels.prefix || "Leaflet") + '">Leaflet</a>');
    }
  }
  function makeMap(elId, tiles, center, zoom) {
    var map = L.map(elId, { tap: true, zoomControl: false }).setView(project(tiles, center[0], center[1]), zoom);
    localise(map, tiles);
    L.tileLayer(tiles.url, { subdomains: tiles.subdomains, maxZoom: tiles.max_zoom, attribution: tiles.attribution }).addTo(map);
    return map;
  }
  window.StationMap = { data: data, project: project, unproject: unproject, makeMap: makeMap, localise: localise };
})();
