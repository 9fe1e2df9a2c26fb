/* The counter page: the time left of the checkout a valid verification opened (5 minutes).
   Without JavaScript the page still says until when it holds. */
(function () {
  "use strict";
  var box = document.querySelector(".checkout-timer[data-expires]");
  if (!box) { return; }
  var end = Date.parse(box.getAttribute("data-expires"));
  var out = box.querySelector(".checkout-left");
  if (!out || isNaN(end)) { return; }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (left > 0) {
      var text = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      out.textContent = box.getAttribute("data-left").replace("%s", text);
      setTimeout(tick, 1000);
    } else {
      out.textContent = box.getAttribute("data-over");
      box.classList.remove("alert-info");
      box.classList.add("alert-warning");
    }
  }
  tick();
}());
