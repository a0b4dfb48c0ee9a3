(function () {
  "use strict";
  // The charts further down the statistics page, each drawn when it comes into view (with
  // ECharts loaded then: static/js/charts.js); a phone opening the page runs no chart script
  // at all (its first screen is bars drawn by the page).
  var el = document.getElementById("chart-data");
  if (!el || !window.portalCharts) { return; }
  var d = JSON.parse(el.textContent);
  var whenSeen = window.portalCharts.whenSeen;
  function resizes(chart) { window.addEventListener("resize", function () { chart.resize(); }); }

  var months = document.getElementById("chart-months");
  if (months) {
    whenSeen(months, function (node) {
      var chart = echarts.init(node);
      chart.setOption({
        grid: { left: 40, right: 16, top: 30, bottom: 40 }, tooltip: { trigger: "axis" },
        legend: { data: [d.names.visits, d.names.visitors] },
        xAxis: { type: "category", data: d.months.labels }, yAxis: { type: "value" },
        series: [{ name: d.names.visits, type: "bar", data: d.months.visits, itemStyle: { color: "#c8102e" } },
                 { name: d.names.visitors, type: "line", data: d.months.visitors }]
      });
      resizes(chart);
    });
  }
  var cov = document.getElementById("chart-coverage");
  if (cov && d.coverage && d.coverage.values.length) {
    whenSeen(cov, function (node) {
      var chart = echarts.init(node);
      chart.setOption({
        grid: { left: 36, right: 12, top: 12, bottom: 30 }, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.coverage.labels, axisLabel: { interval: 23 } },
        yAxis: { type: "value", min: 0, max: 100 },
        series: [{ name: d.coverage.name, type: "line", step: "end", showSymbol: false, data: d.coverage.values,
                   itemStyle: { color: "#c8102e" }, areaStyle: { opacity: 0.15 } }]
      });
      resizes(chart);
    });
  }
})();
