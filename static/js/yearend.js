(function () {
  "use strict";
  // The year-end report's charts: one per charted table (data from the page's json_script).
  var form = document.getElementById("yearend-form");
  if (form) {
    ["yearend-union", "yearend-year"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.addEventListener("change", function () { form.submit(); }); }
    });
  }
  var data = document.getElementById("yearend-charts");
  if (!data || !window.echarts) { return; }
  JSON.parse(data.textContent).forEach(function (c) {
    var node = document.getElementById(c.id);
    if (!node) { return; }
    var chart = echarts.init(node);
    if (c.type === "pie") {
      chart.setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: c.labels.map(function (l, i) {
          return { name: l, value: c.values[i] };
        }), label: { fontSize: 11 } }]
      });
    } else {
      chart.setOption({
        grid: { left: 110, right: 16, top: 10, bottom: 24 }, tooltip: {},
        xAxis: { type: "value" },
        yAxis: { type: "category", data: c.labels, inverse: true, axisLabel: { fontSize: 11 } },
        series: [{ type: "bar", data: c.values, itemStyle: { color: "#c8102e" } }]
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
