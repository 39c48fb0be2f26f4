/* kb service worker: the site after one visit, offline (written to the site's root as sw.js by the kb plugin).
 *
 * BUILD is the build id, a content hash of the built site: two builds of the same content get the same
 * id, and a new build installs a new cache and deletes the old one when it activates, so pages and assets
 * never mix versions. Only the assets are precached; pages, search shards and the rest are cached as
 * they are visited (network first, the cache when offline). Never cached: /api/ (events, search, the
 * preview's polling), the report, preview code, the server index. Events wait in the page's own queue.
 */
"use strict";
var BUILD = "__KB_BUILD__";
var ASSETS = __KB_ASSETS__;
var CACHE = "kb-" + BUILD;
var SCOPE = new URL(self.registration.scope);

function cacheable(url) {
  if (url.origin !== SCOPE.origin || url.pathname.indexOf(SCOPE.pathname) !== 0) return false;
  var path = url.pathname.slice(SCOPE.pathname.length - 1);
  return !/^\/(api|report)(\/|$)/.test(path) && !/\/preview\.js$/.test(path) && !/^\/search\/server\//.test(path) &&
    !/\/sw\.js$/.test(path);
}

function keep(request, response) {
  if (!response || response.status !== 200 || response.type !== "basic") return response;
  var copy = response.clone();
  caches.open(CACHE).then(function (c) { return c.put(request, copy); });
  return response;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(ASSETS.map(function (a) { return new URL(a, SCOPE).href; }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("kb-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

/* The page that registered the worker was loaded before it: it sends its own URL and resources. */
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.kbCache) || [];
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(urls.map(function (u) {
      var url = new URL(u, SCOPE);
      if (!cacheable(url)) return null;
      return c.match(url.href).then(function (hit) {
        return hit || fetch(url.href, { credentials: "same-origin" }).then(function (r) {
          if (r.ok) return c.put(url.href, r);
          return null;
        }).catch(function () { return null; });
      });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || !cacheable(url)) return;
  var asset = ASSETS.indexOf(url.pathname.slice(SCOPE.pathname.length)) >= 0;
  event.respondWith(caches.open(CACHE).then(function (c) {
    var cached = function () {
      return c.match(request, { ignoreSearch: request.mode === "navigate" }).then(function (hit) {
        return hit || Response.error();
      });
    };
    if (asset) return c.match(request).then(function (hit) { return hit || fetch(request).then(function (r) { return keep(request, r); }); });
    return fetch(request).then(function (r) { return keep(request, r); }, cached);
  }));
});
