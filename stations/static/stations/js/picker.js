/* Admin coordinate picker: click the map to set the station's WGS-84 latitude and longitude. */
(function () {
  "use strict";
  var el = document.getElementById("coord-picker");
  if (!el || !window.L) { return; }
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  var tiles = JSON.parse(document.getElementById("tiles").textContent);
  var gcj = tiles.crs === "gcj02";
  function toMap(a, b) { return gcj ? window.StationGeo.wgs84ToGcj02(a, b) : [a, b]; }
  function fromMap(a, b) {  // invert the shift by iteration
    if (!gcj) { return [a, b]; }
    var w = [a, b];
    for (var i = 0; i < 10; i++) { var g = window.StationGeo.wgs84ToGcj02(w[0], w[1]); w = [w[0] - (g[0] - a), w[1] - (g[1] - b)]; }
    return w;
  }
  var start = [parseFloat(lat.value) || 39.729, parseFloat(lng.value) || 116.142];
  var map = L.map(el, { zoomControl: false }).setView(toMap(start[0], start[1]), 14);
  if (window.StationMap) { window.StationMap.localise(map, tiles); } else { L.control.zoom().addTo(map); }
  L.tileLayer(tiles.url, { subdomains: tiles.subdomains, maxZoom: tiles.max_zoom, attribution: tiles.attribution }).addTo(map);
  var marker = L.marker(toMap(start[0], start[1]), { draggable: true }).addTo(map);
  function set(ll) {
    var w = fromMap(ll.lat, ll.lng);
    lat.value = w[0].toFixed(6); lng.value = w[1].toFixed(6);
  }
  map.on("click", function (e) { marker.setLatLng(e.latlng); set(e.latlng); });
  marker.on("dragend", function () { set(marker.getLatLng()); });
})();
