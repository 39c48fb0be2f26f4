/* kb events: the one queue for every event the site records.
 *
 * track(type, fields) stores the event, with a client-made UUID (the server's
 * idempotency key), in localStorage under KB.keys.events (assets/kb/kb.js), then delivers it in batches
 * to the endpoint named by <meta name="kb-events">. A failed delivery (offline, service
 * down or full: 502/503/504, 408, 429) is retried with exponential backoff (503 and 429 keep
 * the events however long it takes); an acknowledged batch is removed. A retry after a lost
 * acknowledgement sends the same ids, which the server stores once.
 * Any other 4xx is never retried: resending cannot fix it (a 400 names the bad events, which are
 * dropped; the rest go again). A batch the service fails on (500 and other 5xx) MAX_FAILURES
 * times in a row is dropped, so later events keep moving.
 * No cookies (credentials: "omit"), no personal identifiers.
 */
(function () {
  "use strict";
  var KEY = KB.keys.events;
  var MAX_QUEUE = 2000;
  var BATCH = 50;
  var MAX_DELAY = 60000;
  var MAX_FAILURES = 5; // 500s in a row for the same first event: that batch is dropped (docs/operations.md)
  var failures = { id: null, n: 0 };
  var timer = null;
  var delay = 0;
  var sending = false;

  function endpoint() {
    var meta = document.querySelector('meta[name="kb-events"]');
    return meta && meta.content ? meta.content : null;
  }

  var uuid = KB.uuid; // assets/kb/kb.js

  function load() {
    try {
      var q = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) {
      return [];
    }
  }

  function save(q) {
    try {
      localStorage.setItem(KEY, JSON.stringify(q.slice(-MAX_QUEUE)));
    } catch (e) { /* storage full or disabled: events of this page are lost, the page still works */ }
  }

  function remove(ids) {
    var gone = {};
    ids.forEach(function (id) { gone[id] = true; });
    save(load().filter(function (e) { return !gone[e.id]; }));
  }

  function schedule(ms) {
    if (timer) return;
    timer = setTimeout(function () { timer = null; flush(); }, ms);
  }

  function backoff() {
    delay = Math.min(delay ? delay * 2 : 1000, MAX_DELAY);
    schedule(delay + Math.floor(Math.random() * 250));
  }

  // An anonymous random id for this browser, kept in localStorage (never a cookie): it lets the
  // report measure how many visitors come back, and nothing else.
  function client() {
    try {
      var id = localStorage.getItem(KB.keys.client);
      if (!id) { id = uuid(); localStorage.setItem(KB.keys.client, id); }
      return id;
    } catch (e) {
      return null;
    }
  }

  function track(type, fields) {
    var ev = { id: uuid(), type: type, ts: new Date().toISOString(), page: location.pathname };
    var cid = client();
    if (cid) ev.client = cid;
    Object.keys(fields || {}).forEach(function (k) {
      if (fields[k] !== null && fields[k] !== undefined && fields[k] !== "") ev[k] = fields[k];
    });
    var q = load();
    q.push(ev);
    save(q);
    schedule(200);
    return ev;
  }

  function flush() {
    var url = endpoint();
    var queue = load();
    if (!url || sending || !queue.length) return Promise.resolve();
    var batch = queue.slice(0, BATCH);
    var body = { events: batch };
    var hp = document.querySelector('input[name="kb-hp"]');
    if (hp && hp.value) body.hp = hp.value;
    sending = true;
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      keepalive: true
    }).then(function (r) {
      if (r.ok) {
        remove(batch.map(function (e) { return e.id; }));
        delay = 0;
        if (load().length) schedule(0);
        return null;
      }
      var s = r.status;
      if (s >= 400 && s < 500 && s !== 408 && s !== 429) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          var bad = (s === 400 ? j.errors || [] : []).filter(function (e) {
            return e.index !== null && batch[e.index];
          }).map(function (e) { return batch[e.index].id; });
          remove(bad.length ? bad : batch.map(function (e) { return e.id; }));
          schedule(0);
        });
      }
      if (s >= 500 && s !== 502 && s !== 503 && s !== 504) {
        failures = failures.id === batch[0].id ? { id: failures.id, n: failures.n + 1 } : { id: batch[0].id, n: 1 };
        if (failures.n >= MAX_FAILURES) {
          remove(batch.map(function (e) { return e.id; }));
          failures = { id: null, n: 0 };
        }
      }
      backoff();
      return null;
    }, backoff).then(function () { sending = false; }, function () { sending = false; });
  }

  window.addEventListener("online", function () { delay = 0; flush(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  function onPage() {
    var marker = document.querySelector("[data-kb-view]");
    if (marker) {
      var fields = {};
      if (marker.getAttribute("data-article-id")) fields.article_id = marker.getAttribute("data-article-id");
      if (marker.getAttribute("data-protocol-id")) fields.protocol_id = marker.getAttribute("data-protocol-id");
      track("view", fields);
    }
    schedule(500);
  }

  window.KB.events = { track: track, flush: flush, queue: load, uuid: uuid, maxFailures: MAX_FAILURES };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
