/* Service worker: the holder's card page (/me/card) and static files work offline after one visit.
   Network first (the card's status may have changed), the cached copy when the network is down. */
"use strict";
var CACHE = "alliance-card-v1";
var PAGES = ["/me/card"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(PAGES); }).catch(function () {})
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function cacheable(url) {
  return url.origin === self.location.origin &&
    (PAGES.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0 ||
     url.pathname.indexOf("/bootstrap/static/") === 0);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (!cacheable(url)) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      // Only a real card page is kept (not a redirect to the login page).
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: url.pathname.indexOf("/static/") === 0 })
        .then(function (hit) { return hit || Response.error(); });
    })
  );
});
