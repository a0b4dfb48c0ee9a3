(function () {
  "use strict";
  var M = window.StationMap;
  var tiles = M.data("tiles"), markers = M.data("markers") || [], labels = M.data("finder-labels");
  var el = document.getElementById("finder-map");
  var map = null;
  if (el && window.L) {
    map = M.makeMap("finder-map", tiles, [39.72, 116.10], 11);
    var group = L.markerClusterGroup({ chunkedLoading: true });
    var bounds = [];
    markers.forEach(function (m) {
      var p = M.project(tiles, m.lat, m.lng);
      bounds.push(p);
      var link = document.createElement("a");
      link.href = "/stations/" + m.id + "/";
      link.textContent = m.name;
      group.addLayer(L.marker(p).bindPopup(link));
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
    group.addTo(map);
  }

  var btn = document.getElementById("near-me");
  var out = document.getElementById("nearby-results");
  if (!btn || !out) { return; }
  function render(results) {
    out.replaceChildren();
    if (!results.length) {
      var p = document.createElement("p"); p.className = "text-muted"; p.textContent = labels.none; out.appendChild(p); return;
    }
    results.forEach(function (r) {
      var a = document.createElement("a");
      a.className = "list-group-item list-group-item-action d-flex justify-content-between align-items-center";
      a.href = r.url;
      var name = document.createElement("span"); name.textContent = r.name;
      var meta = document.createElement("span"); meta.className = "badge " + (r.open_now ? "text-bg-success" : "text-bg-secondary");
      var d = r.distance_m < 1000 ? Math.round(r.distance_m) + " m" : (r.distance_m / 1000).toFixed(1) + " km";
      meta.textContent = d + " · " + (r.open_now ? labels.open : labels.closed);
      a.appendChild(name); a.appendChild(meta); out.appendChild(a);
    });
  }
  btn.addEventListener("click", function () {
    if (!navigator.geolocation) { out.textContent = labels.nogeo; return; }
    out.textContent = labels.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      // The filters as ticked now in the form (not as last searched: the address may be older).
      var form = document.getElementById("finder-filters");
      var params = form ? new FormData(form) : new URLSearchParams(window.location.search);
      var q = new URLSearchParams();
      q.set("lat", pos.coords.latitude.toFixed(6)); q.set("lng", pos.coords.longitude.toFixed(6)); q.set("limit", "20");
      params.getAll("amenity").forEach(function (c) { q.append("amenity", c); });
      if (params.get("open_now") === "1") { q.set("open_now", "1"); }
      fetch(btn.dataset.url + "?" + q.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          render(j.results || []);
          if (map) { map.setView(M.project(tiles, pos.coords.latitude, pos.coords.longitude), 14); }
        })
        .catch(function () { out.textContent = labels.error; });
    }, function () { out.textContent = labels.nogeo; }, { enableHighAccuracy: true, timeout: 10000 });
  });
  // The home page's "find stations near me" button links here with #near-me: start the search
  // the user asked for (the browser still asks them for their location).
  if (window.location.hash === "#near-me") { btn.click(); }
})();
