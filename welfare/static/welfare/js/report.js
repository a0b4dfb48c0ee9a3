// The welfare report's charts (ECharts, served locally).
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  var files = document.getElementById("chart-files");
  var visits = document.getElementById("chart-visits");
  if (files) {
    echarts.init(files).setOption({
      tooltip: {},
      series: [{ type: "pie", radius: "60%", data: data.categories.map(function (c, i) { return { name: c, value: data.files[i] }; }) }]
    });
  }
  if (visits) {
    echarts.init(visits).setOption({
      tooltip: {}, grid: { left: 50, right: 10, bottom: 60 },
      xAxis: { type: "category", data: data.occasions, axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value" }, { type: "value" }],
      series: [{ type: "bar", data: data.visits }, { type: "line", yAxisIndex: 1, data: data.money }]
    });
  }
})();
