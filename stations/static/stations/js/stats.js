(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  // Each chart is drawn when it comes near the screen: on a phone only the first is drawn as
  // the page opens, which keeps the main thread free for the visitor's first taps.
  function whenSeen(node, draw) {
    if (!("IntersectionObserver" in window)) { draw(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        seen.disconnect();
        draw();
        node.dataset.ready = "1";
      }
    }, { rootMargin: "200px" });
    seen.observe(node);
  }
  function bar(id, labels, values, horizontal) {
    var node = document.getElementById(id);
    if (!node) { return; }
    whenSeen(node, function () { drawBar(node, labels, values, horizontal); });
  }
  function drawBar(node, labels, values, horizontal) {
    var chart = echarts.init(node);
    var cat = { type: "category", data: labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var val = { type: "value" };
    chart.setOption({
      grid: { left: horizontal ? 110 : 40, right: 16, top: 16, bottom: horizontal ? 24 : 70 },
      tooltip: {}, xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: values, itemStyle: { color: "#c8102e" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("chart-kind", d.kind.labels, d.kind.values, true);
  bar("chart-status", d.status.labels, d.status.values, true);
  bar("chart-town", d.town.labels, d.town.values, false);
  var node = document.getElementById("chart-months");
  if (node) { whenSeen(node, function () { drawMonths(node); }); }
  function drawMonths(node) {
    var c = echarts.init(node);
    c.setOption({
      grid: { left: 40, right: 16, top: 30, bottom: 40 }, tooltip: { trigger: "axis" },
      legend: { data: [d.names.visits, d.names.visitors] },
      xAxis: { type: "category", data: d.months.labels }, yAxis: { type: "value" },
      series: [{ name: d.names.visits, type: "bar", data: d.months.visits, itemStyle: { color: "#c8102e" } },
               { name: d.names.visitors, type: "line", data: d.months.visitors }]
    });
  }
  var cov = document.getElementById("chart-coverage");
  if (cov && d.coverage && d.coverage.values.length) { whenSeen(cov, function () { drawCoverage(cov); }); }
  function drawCoverage(cov) {
    var cc = echarts.init(cov);
    cc.setOption({
      grid: { left: 36, right: 12, top: 12, bottom: 30 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.coverage.labels, axisLabel: { interval: 23 } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ name: d.coverage.name, type: "line", step: "end", showSymbol: false, data: d.coverage.values,
                 itemStyle: { color: "#c8102e" }, areaStyle: { opacity: 0.15 } }]
    });
    window.addEventListener("resize", function () { cc.resize(); });
  }
})();
