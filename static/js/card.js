/* The holder's card: refresh the rotating code every 30 s (the service worker keeps the page). */
(function () {
  "use strict";
  function refresh(section) {
    var url = section.getAttribute("data-rotating-url");
    if (!url) { return; }
    var box = section.querySelector(".qr-box.rotating");
    var img = box.querySelector("img");
    var countdown = box.querySelector(".rotating-countdown");
    var offline = section.querySelector(".rotating-offline");
    var timer = null;
    var left = 0;
    function tick() {
      left -= 1;
      countdown.textContent = left > 0 ? left + "s" : "";
      if (left <= 0) { load(); }
    }
    function load() {
      clearInterval(timer);
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          img.src = data.qr;
          img.setAttribute("data-code", data.code);
          box.hidden = false;
          offline.hidden = true;
          left = data.expires_in;
          countdown.textContent = left + "s";
          timer = setInterval(tick, 1000);
        })
        .catch(function () {
          box.hidden = true;
          offline.hidden = false;
          timer = setTimeout(load, 10000);
        });
    }
    load();
  }
  document.querySelectorAll("[data-rotating-url]").forEach(refresh);

})();
