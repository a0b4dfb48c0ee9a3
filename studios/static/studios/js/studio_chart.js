// Achievements per year on a studio profile; the data comes from json_script. Drawn when it
// comes into view, with ECharts loaded then (static/js/charts.js).
(function () {
  "use strict";
  var holder = document.getElementById("studio-chart");
  var source = document.getElementById("studio-chart-data");
  if (!holder || !source || !window.portalCharts) { return; }
  var data = JSON.parse(source.textContent);
  window.portalCharts.whenSeen(holder, function (node) {
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 32, right: 8, top: 16, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.label, type: "bar", data: data.counts, itemStyle: { color: "#dc3545" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
