(function () {
  "use strict";
  var M = window.StationMap;
  // The week's profile: share of demand points covered, hour by hour (the chosen hour marked).
  var chartData = document.getElementById("coverage-chart-data");
  var chartNode = document.getElementById("coverage-chart");
  if (chartData && chartNode && window.echarts) {
    var d = JSON.parse(chartData.textContent);
    var chart = echarts.init(chartNode);
    chart.setOption({
      grid: { left: 36, right: 12, top: 16, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 23 } },
      yAxis: { type: "value", min: 0, max: 100 },
      dataZoom: [{ type: "inside" }],
      series: [{
        name: d.name, type: "line", step: "end", data: d.values, showSymbol: false,
        itemStyle: { color: "#c8102e" }, areaStyle: { opacity: 0.15 },
        markLine: { symbol: "none", data: [{ xAxis: d.current }], lineStyle: { color: "#333" } }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // The hour and weekday selects reload the page at once (the button stays for no-JS).
  ["id_weekday", "id_hour"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) { el.addEventListener("change", function () { el.form.submit(); }); }
  });
  if (!M) { return; }
  var tiles = M.data("tiles"), points = M.data("points") || [];
  if (!document.getElementById("coverage-map") || !window.L) { return; }
  var map = M.makeMap("coverage-map", tiles, [39.72, 116.10], 10);
  var bounds = [];
  points.forEach(function (p) {
    var ll = M.project(tiles, p.lat, p.lng);
    bounds.push(ll);
    L.circleMarker(ll, {
      radius: 8, color: p.uncovered ? "#dc3545" : "#198754", fillOpacity: 0.7,
      className: p.uncovered ? "marker-uncovered" : "marker-covered"
    }).bindTooltip(p.name).addTo(map);
  });
  // Search cells where riders found no station near: orange squares of ~500 m.
  var cellsNode = document.getElementById("search-cells-data");
  var cells = cellsNode ? JSON.parse(cellsNode.textContent) : [];
  cells.forEach(function (c) {
    if (!c.none_near) { return; }
    var sw = M.project(tiles, c.lat - 0.0025, c.lng - 0.0025), ne = M.project(tiles, c.lat + 0.0025, c.lng + 0.0025);
    L.rectangle([sw, ne], { color: "#fd7e14", weight: 1, fillOpacity: 0.35 }).bindTooltip(String(c.searches)).addTo(map);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 }); }
})();
