// Labour competition leaderboard: one line per team over the periods.
(function () {
  "use strict";
  var holder = document.getElementById("leaderboard-chart");
  var source = document.getElementById("leaderboard-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 48 },
    xAxis: { type: "category", data: data.periods, axisLabel: { interval: 0, fontSize: 10 } },
    yAxis: { type: "value", scale: true, max: 100 },
    series: data.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
