// Signature drawn on the phone with signature_pad; sent as a PNG data URL the server checks.
// The drawing must survive a resize: a phone's address bar showing or hiding, or a rotation,
// fires "resize", and resizing a canvas wipes it. So the strokes are kept (toData) and redrawn
// after the canvas is sized again, and the hidden input holds the latest signature after each
// stroke, whatever happens to the canvas afterwards.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var hidden = document.getElementById("signature");
  if (!canvas || !hidden || typeof SignaturePad === "undefined") return;
  var pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
  var size = { width: 0, height: 0, ratio: 0 };

  function keep() {
    hidden.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  }

  function scaled(strokes, factor) {
    if (factor === 1) return strokes;
    return strokes.map(function (stroke) {
      var copy = Object.assign({}, stroke);
      copy.points = stroke.points.map(function (p) {
        return Object.assign({}, p, { x: p.x * factor, y: p.y * factor });
      });
      return copy;
    });
  }

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var width = canvas.offsetWidth;
    var height = canvas.offsetHeight;
    if (width === size.width && height === size.height && ratio === size.ratio) return;
    var strokes = pad.toData();
    // Shrink the drawing to fit a narrower pad (rotation back to portrait); never enlarge it.
    var factor = size.width && size.height ? Math.min(1, width / size.width, height / size.height) : 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    size = { width: width, height: height, ratio: ratio };
    pad.clear();
    if (strokes.length) {
      pad.fromData(scaled(strokes, factor));
    } else if (hidden.value.indexOf("data:image/png;base64,") === 0) {
      // The page came back with an error: show the signature already given.
      pad.fromDataURL(hidden.value, { width: width, height: height });
    }
    if (strokes.length) keep();
  }

  pad.addEventListener("endStroke", keep);
  window.addEventListener("resize", resize);
  window.addEventListener("orientationchange", resize);
  resize();
  document.getElementById("signature-clear").addEventListener("click", function () {
    pad.clear();
    hidden.value = "";
  });
  document.getElementById("handout-form").addEventListener("submit", function () {
    if (!pad.isEmpty()) keep();
  });
  // Strokes drawn before this point are lost: tests (and nothing else) wait for the mark.
  canvas.dataset.ready = "1";
})();
