/* Service worker: the shell (home page, styles, scripts), the holder's card (/me/card) and the
   community's latest warning (/emergency/alerts/latest) are kept on install, so the card and what
   to do in a flood open without a network. A warning opened from its SMS link is kept too. Pages: network first (a card's status
   may have changed), the kept copy when the network is down. Fingerprinted static files never
   change: from the cache first. The server fills in ASSETS with the current file names. */
"use strict";
var CACHE = "alliance-offline";
var PAGES = ["/", "/me/card"];
var LATEST = "/emergency/alerts/latest";
var WARNING = /^\/emergency\/alerts\/(\d+|latest)$/;
var LATEST_MAX_AGE_MS = 15 * 60 * 1000;
var ASSETS = [/* assets */];

function keep(cache, url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    // Only a real page is kept (not a redirect to the login page).
    if (response.ok && !response.redirected) { return cache.put(url, response); }
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PAGES.concat([LATEST], ASSETS).map(function (url) {
        return keep(cache, url).catch(function () {});
      }));
    })
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // Files of an older release are dropped; the pages stay until the next visit replaces them.
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          var path = new URL(request.url).pathname;
          if (path.indexOf("/static/") === 0 && ASSETS.indexOf(path) === -1) {
            return cache.delete(request);
          }
        }));
      });
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  var warning = WARNING.test(url.pathname);
  if (!warning && PAGES.indexOf(url.pathname) === -1 && url.pathname.indexOf("/static/") !== 0) {
    return;
  }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        if (url.pathname === "/") { event.waitUntil(refreshLatest()); }
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (hit) {
        if (hit || !warning) { return hit || Response.error(); }
        // A warning not opened before: the latest one kept is the best there is offline.
        return caches.match(LATEST).then(function (latest) { return latest || Response.error(); });
      });
    })
  );
});

// The home page was reached, so the network works: renew the kept warning when it is stale,
// after the page itself (a few KiB, at most every quarter of an hour).
function refreshLatest() {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(LATEST).then(function (kept) {
      var date = kept && Date.parse(kept.headers.get("Date") || "");
      if (date && Date.now() - date < LATEST_MAX_AGE_MS) { return; }
      return keep(cache, LATEST);
    });
  }).catch(function () {});
}
