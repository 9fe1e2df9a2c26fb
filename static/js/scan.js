/* /scan: scan a card's QR inside the page with the phone's camera. The browser's own
   BarcodeDetector where it exists (Chrome on Android), else jsQR served from this site
   (static/vendor/jsqr). Without a camera the card-number field and the phone's own camera
   app still work; a refused camera says so. */
(function () {
  "use strict";
  var box = document.querySelector(".scanner");
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }
  if (!detector && typeof window.jsQR !== "function") { return; }
  box.hidden = false;
  var video = box.querySelector("video");
  var status = box.querySelector(".scanner-status");
  var start = box.querySelector(".scanner-start");
  var field = document.querySelector("#scan-form input[name=text]");
  var form = document.getElementById("scan-form");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  function found(text) {
    var m = /\/c\/([A-Za-z0-9_.\-]+)/.exec(text);
    if (m && new URL(text, location.href).origin === location.origin) {
      location.href = "/c/" + m[1];
    } else {
      field.value = text;
      form.submit();
    }
  }

  function decode() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return Promise.resolve(null); }
    var scale = Math.min(1, 640 / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  start.addEventListener("click", function () {
    status.textContent = start.getAttribute("data-opening") || "…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play();
      })
      .then(function () {
        start.hidden = true;
        status.textContent = start.getAttribute("data-scanning") || "…";
        var busy = false;
        var timer = setInterval(function () {
          if (busy) { return; }
          busy = true;
          decode().then(function (text) {
            busy = false;
            if (text) {
              clearInterval(timer);
              video.srcObject.getTracks().forEach(function (t) { t.stop(); });
              found(text);
            }
          }).catch(function () { busy = false; });
        }, 250);
      })
      .catch(function (error) {
        var refused = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        status.textContent = start.getAttribute(refused ? "data-refused" : "data-failed") || "📷 ✕";
        status.classList.add("text-danger");
      });
  });
})();
