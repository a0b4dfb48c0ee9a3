(function () {
  "use strict";
  var M = window.StationMap;
  var tiles = M.data("tiles"), extent = M.data("finder-extent"), labels = M.data("finder-labels");
  var el = document.getElementById("finder-map");
  var note = document.getElementById("map-note");
  var map = null;

  // Each listed station's amenities, drawn with the filter chips' icons (one copy of each icon
  // in the page, not one per station: 20 stations x 8 amenities of inline SVG would weigh more
  // than the rest of the page). The row's label names them for screen readers.
  document.querySelectorAll("#station-list .amenity-icons[data-codes]").forEach(function (box) {
    box.dataset.codes.split(" ").forEach(function (code) {
      var icon = document.querySelector('label[for="amenity-' + code + '"] svg');
      if (!icon) { return; }
      var copy = icon.cloneNode(true);
      copy.setAttribute("aria-hidden", "true");
      copy.removeAttribute("role");
      copy.classList.add("me-1");
      box.appendChild(copy);
    });
  });

  // The map's markers come from the markers endpoint, for the view's bounds and zoom, with the
  // filters the list was made with (the page's address): clusters when zoomed out, stations
  // one by one when zoomed in.
  function filterQuery() {
    var page = new URLSearchParams(window.location.search), q = new URLSearchParams();
    ["kind", "open_now", "town", "q"].forEach(function (k) { if (page.get(k)) { q.set(k, page.get(k)); } });
    page.getAll("amenity").forEach(function (c) { q.append("amenity", c); });
    return q;
  }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
  function stationLink(p) {
    var a = document.createElement("a");
    a.href = el.dataset.stationUrl.replace(/\/0\/$/, "/" + p.id + "/");
    a.className = "finder-popup-link";
    a.textContent = p.name;
    return a;
  }
  // The station whose popup is open: kept on the map through redraws. Opening a popup near the
  // edge pans the map, which loads the markers again; redrawn, the popup would vanish under
  // the rider's finger.
  var open = null;
  function drawMarkers(layer, d) {
    layer.eachLayer(function (m) { if (!open || m !== open.marker) { layer.removeLayer(m); } });
    d.clusters.forEach(function (c) {
      var size = c.count < 10 ? 36 : c.count < 100 ? 42 : c.count < 1000 ? 48 : 54;
      var title = labels.cluster.replace("{n}", c.count);
      var m = L.marker(M.project(tiles, c.lat, c.lng), {
        icon: L.divIcon({ className: "finder-cluster", html: String(c.count), iconSize: [size, size] }),
        title: title, alt: title, riseOnHover: true
      });
      m.on("click", function () { map.setView(m.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom())); });
      layer.addLayer(m);
    });
    d.points.forEach(function (p) {
      if (open && open.id === p.id) { return; }  // already there, its popup open
      var cls = "finder-pin" + (p.open === true ? " finder-pin-open" : p.open === false ? " finder-pin-closed" : "");
      var m = L.marker(M.project(tiles, p.lat, p.lng), {
        icon: L.divIcon({ className: cls, iconSize: [26, 26], popupAnchor: [0, -10] }), title: p.name, alt: p.name
      });
      m.bindPopup(stationLink(p));
      m.on("popupopen", function () { open = { id: p.id, marker: m }; });
      m.on("popupclose", function () { if (open && open.marker === m) { open = null; } });
      layer.addLayer(m);
    });
    if (note) { note.textContent = d.truncated ? labels.truncated.replace("{n}", d.points.length) : ""; }
    el.dataset.zoom = String(d.zoom);
    el.dataset.clusters = String(d.clusters.length);
    el.dataset.points = String(d.points.length);
  }
  if (el && window.L) {
    map = M.makeMap("finder-map", tiles, [39.72, 116.10], 11);
    if (extent) {
      var sw = M.project(tiles, extent[0][0], extent[0][1]), ne = M.project(tiles, extent[1][0], extent[1][1]);
      map.fitBounds([sw, ne], { padding: [20, 20], maxZoom: 15 });
    }
    var layer = L.layerGroup().addTo(map);
    var filters = filterQuery(), last = "", controller = null, timer = null;
    var load = function () {
      var b = map.getBounds(), z = Math.round(map.getZoom());
      var a = M.unproject(tiles, b.getSouth(), b.getWest()), c = M.unproject(tiles, b.getNorth(), b.getEast());
      var q = new URLSearchParams(filters);
      q.set("bbox", [clamp(a[1], -180, 180), clamp(a[0], -90, 90), clamp(c[1], -180, 180), clamp(c[0], -90, 90)]
        .map(function (v) { return v.toFixed(5); }).join(","));
      q.set("zoom", String(z));
      var url = el.dataset.markersUrl + "?" + q.toString();
      if (url === last) { return; }
      last = url;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      el.dataset.loading = "1";
      fetch(url, { headers: { Accept: "application/json" }, signal: controller && controller.signal })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (d) { drawMarkers(layer, d); delete el.dataset.loading; })
        .catch(function (e) {
          if (e && e.name === "AbortError") { return; }
          last = "";
          delete el.dataset.loading;
          if (note) { note.textContent = labels.map_error; }
        });
    };
    // One request per settled view: moveend also follows every zoom.
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 200); });
    load();
  }

  var btn = document.getElementById("near-me");
  var out = document.getElementById("nearby-results");
  var offline = document.getElementById("finder-offline");
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
  // Offline, the service worker answers with the last nearby answer it kept, marked with the
  // time it was saved (X-Saved-At): say so, with that time in the union's time zone.
  function showSaved(savedAt) {
    if (!offline) { return; }
    var when = savedAt ? new Date(savedAt) : null;
    if (!when || isNaN(when.getTime())) { offline.hidden = true; return; }
    var time;
    try {
      time = when.toLocaleTimeString("en-GB", {
        hour: "2-digit", minute: "2-digit", hour12: false, timeZone: offline.dataset.timeZone || "Asia/Shanghai"
      });
    } catch (e) {
      time = ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
    }
    offline.textContent = offline.dataset.template.replace("{time}", time);
    offline.hidden = false;
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
        .then(function (r) {
          var saved = r.headers.get("X-Saved-At");
          return r.json().then(function (j) { return { j: j, saved: saved }; });
        })
        .then(function (x) {
          render(x.j.results || []);
          showSaved(x.saved);
          if (map) { map.setView(M.project(tiles, pos.coords.latitude, pos.coords.longitude), 14); }
        })
        .catch(function () { out.textContent = labels.error; });
    }, function () { out.textContent = labels.nogeo; }, { enableHighAccuracy: true, timeout: 10000 });
  });
  // The home page's "find stations near me" button links here with #near-me: start the search
  // the user asked for (the browser still asks them for their location).
  if (window.location.hash === "#near-me") { btn.click(); }
})();
