// Charts drawn when they come into view, with ECharts (a large script) loaded only then, and
// never before the page itself has loaded (the page's images and first screen come first).
// A page loads this script (deferred, with data-echarts: the address of the ECharts bundle)
// before its own chart script, which calls portalCharts.whenSeen(node, draw).
(function () {
  "use strict";
  var me = document.currentScript;
  var waiting = [];
  var loading = false;

  function withECharts(draw) {
    if (window.echarts) { draw(); return; }
    waiting.push(draw);
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = me.dataset.echarts;
    script.onload = function () { waiting.splice(0).forEach(function (f) { f(); }); };
    document.head.appendChild(script);
  }
  function afterLoad(f) {
    if (document.readyState === "complete") { f(); } else { window.addEventListener("load", f); }
  }
  function whenSeen(node, draw) {
    var go = function () {
      withECharts(function () { draw(node); node.dataset.ready = "1"; });
    };
    afterLoad(function () {
      if (!("IntersectionObserver" in window)) { go(); return; }
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); go(); }
      });
      seen.observe(node);
    });
  }
  window.portalCharts = { whenSeen: whenSeen };
})();
