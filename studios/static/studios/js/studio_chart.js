// Achievements per year on a studio profile; the data comes from json_script.
(function () {
  "use strict";
  var holder = document.getElementById("studio-chart");
  var source = document.getElementById("studio-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    grid: { left: 32, right: 8, top: 16, bottom: 24 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.years },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.label, type: "bar", data: data.counts, itemStyle: { color: "#dc3545" } }]
  });
  holder.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
