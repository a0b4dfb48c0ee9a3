// Signature drawn on the phone with signature_pad; sent as a PNG data URL the server checks.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  if (!canvas || typeof SignaturePad === "undefined") return;
  var pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
  }
  window.addEventListener("resize", resize);
  resize();
  document.getElementById("signature-clear").addEventListener("click", function () { pad.clear(); });
  document.getElementById("handout-form").addEventListener("submit", function () {
    document.getElementById("signature").value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
