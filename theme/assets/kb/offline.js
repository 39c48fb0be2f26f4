/* kb offline: registers the site's service worker (sw.js at the site's root, see assets/kb/sw.js) and hands
 * it the page it was loaded with, so a page seen once opens offline. Not in the live preview. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.caches) return;
  if (document.querySelector('script[src*="assets/kb/preview.js"]')) return; // the preview is never cached
  var config = document.getElementById("__config"), base = ".";
  try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* Material's default */ }
  var root = new URL(base.replace(/\/?$/, "/"), location.href);
  function seen() {
    var urls = [location.href];
    (performance.getEntriesByType ? performance.getEntriesByType("resource") : []).forEach(function (e) {
      if (e.name.indexOf(root.origin) === 0) urls.push(e.name);
    });
    return urls;
  }
  function send(reg) { if (reg.active) reg.active.postMessage({ kbCache: seen() }); }
  navigator.serviceWorker.register(new URL("sw.js", root).href, { scope: root.pathname }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (reg) {
    send(reg);
    // Material's instant navigation changes pages without a load: hand each one over too
    if (window.document$ && window.document$.subscribe) window.document$.subscribe(function () { send(reg); });
  }).catch(function () { /* no worker: the site works online as before */ });
})();
