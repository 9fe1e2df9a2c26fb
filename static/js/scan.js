/* /scan: scan inside the page with the browser's BarcodeDetector where it exists (Chrome on
   Android). Without it the card-number field and the phone's own camera app still work. */
(function () {
  "use strict";
  var box = document.querySelector(".scanner");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  box.hidden = false;
  var video = box.querySelector("video");
  var status = box.querySelector(".scanner-status");
  var start = box.querySelector(".scanner-start");
  var field = document.querySelector("#scan-form input[name=text]");
  var form = document.getElementById("scan-form");
  var detector;
  try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { box.hidden = true; return; }

  function found(text) {
    var m = /\/c\/([A-Za-z0-9_.\-]+)/.exec(text);
    if (m && new URL(text, location.href).origin === location.origin) {
      location.href = "/c/" + m[1];
    } else {
      field.value = text;
      form.submit();
    }
  }

  start.addEventListener("click", function () {
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
          detector.detect(video).then(function (codes) {
            busy = false;
            if (codes.length) {
              clearInterval(timer);
              video.srcObject.getTracks().forEach(function (t) { t.stop(); });
              found(codes[0].rawValue);
            }
          }).catch(function () { busy = false; });
        }, 250);
      })
      .catch(function () { status.textContent = "📷 ✕"; });
  });
})();
