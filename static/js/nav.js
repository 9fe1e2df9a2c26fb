/* The menu button on a phone: open and close the menu (all the script the layout needs). */
(function () {
  "use strict";
  document.querySelectorAll("[data-bs-toggle=collapse]").forEach(function (button) {
    var target = document.querySelector(button.getAttribute("data-bs-target"));
    if (!target) { return; }
    button.addEventListener("click", function () {
      var open = target.classList.toggle("show");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  // Signed in: after the page has loaded, the service worker keeps the shell and the card offline.
  if ("serviceWorker" in navigator && document.documentElement.hasAttribute("data-offline")) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
})();
