/* A small grid clusterer, used when leaflet.markercluster's build is not available
   (its npm dist folder is empty in this install). Markers closer than `size` pixels on
   screen are drawn as one numbered circle; clicking it zooms in. */
(function () {
  "use strict";
  if (!window.L) { return; }
  function GridCluster(options) {
    this.size = (options && options.size) || 60;
    this.items = [];
    this.layer = L.layerGroup();
  }
  GridCluster.prototype.addLayer = function (marker) { this.items.push(marker); return this; };
  GridCluster.prototype.onAdd = function (map) {
    this.map = map;
    this.layer.addTo(map);
    var self = this;
    map.on("zoomend moveend", function () { self.redraw(); });
    this.redraw();
  };
  GridCluster.prototype.redraw = function () {
    var map = this.map, size = this.size, cells = {};
    this.layer.clearLayers();
    var bounds = map.getBounds().pad(0.5);
    this.items.forEach(function (m) {
      var ll = m.getLatLng();
      if (!bounds.contains(ll)) { return; }
      var p = map.project(ll, map.getZoom());
      var key = Math.floor(p.x / size) + ":" + Math.floor(p.y / size);
      (cells[key] = cells[key] || []).push(m);
    });
    var layer = this.layer;
    Object.keys(cells).forEach(function (key) {
      var group = cells[key];
      if (group.length === 1 || map.getZoom() >= map.getMaxZoom()) {
        group.forEach(function (m) { layer.addLayer(m); });
        return;
      }
      var lat = 0, lng = 0;
      group.forEach(function (m) { lat += m.getLatLng().lat; lng += m.getLatLng().lng; });
      var center = L.latLng(lat / group.length, lng / group.length);
      var cls = group.length < 10 ? "small" : group.length < 100 ? "medium" : "large";
      var icon = L.divIcon({ html: "<div><span>" + group.length + "</span></div>", className: "station-cluster station-cluster-" + cls, iconSize: L.point(40, 40) });
      layer.addLayer(L.marker(center, { icon: icon }).on("click", function () {
        map.fitBounds(L.latLngBounds(group.map(function (m) { return m.getLatLng(); })), { padding: [30, 30] });
      }));
    });
  };
  GridCluster.prototype.addTo = function (map) { this.onAdd(map); return this; };
  window.StationCluster = function (options) {
    return L.markerClusterGroup ? L.markerClusterGroup(options) : new GridCluster(options);
  };
})();
