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

  // Read the card number and holder's name aloud (speech runs on the phone: works offline too).
  function voiceFor(lang) {
    var voices = window.speechSynthesis.getVoices();
    var prefix = lang.split("-")[0];
    return voices.filter(function (v) { return v.lang.replace("_", "-") === lang; })[0] ||
      voices.filter(function (v) { return v.lang.indexOf(prefix) === 0; })[0] || null;
  }
  if ("speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
    document.querySelectorAll(".speak-card").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var lang = button.getAttribute("data-lang");
        var utterance = new SpeechSynthesisUtterance(button.getAttribute("data-speak"));
        utterance.lang = lang;
        utterance.rate = 0.8;  // slower for older listeners
        var voice = voiceFor(lang);
        if (voice) { utterance.voice = voice; }
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(utterance);
      });
    });
  }
})();
