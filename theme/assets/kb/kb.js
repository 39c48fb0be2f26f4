/* kb: the few helpers every kb script shares, written once (loaded first on every page by the kb plugin).
 *
 * KB.el(tag, attrs, kids)   the DOM builder: "text" goes in with textContent (never parsed as HTML), "on…" adds
 *                           a listener, className/value/checked are properties, true is an empty attribute,
 *                           null/undefined/false are left out; kids are nodes or strings (text nodes).
 * KB.uuid()                 a random UUID (the event service's idempotency key, the runner's run id).
 * KB.keys                   every localStorage/sessionStorage key (or key prefix) the site uses.
 * KB.lang()                 the page's two-letter language.
 * KB.register()             the site's register per language (<meta name="kb-register">, the plugin's `register`).
 * KB.text(table, tu, lang, register)
 *                           the strings of a language (unknown: Spanish) in the site's register: where the
 *                           register is "tú", `tu[lang]` replaces the usted forms it knows.
 * In node (the runner's unit tests) the same object is module.exports; el and lang need a document.
 */
(function (root) {
  "use strict";
  var KEYS = {
    events: "kb.events.v1", client: "kb.client", techMode: "kb.techMode", token: "kb.tech.token",
    run: "kb.run.", tab: "kb.runner.tab.", prefs: "kb.runner.prefs", csat: "kb.csat.done.", searchDown: "kb.search.down"
  };

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") n.textContent = v;
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), v);
      else if (k === "className" || k === "value" || k === "checked") n[k] = v;
      else n.setAttribute(k, v === true ? "" : v);
    });
    (kids || []).forEach(function (c) { if (c) n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }

  function uuid() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function lang() { return (document.documentElement.lang || "es").slice(0, 2); }

  function register() {
    if (typeof document === "undefined") return {};
    var meta = document.querySelector('meta[name="kb-register"]');
    try { return JSON.parse(meta ? meta.content : "{}") || {}; } catch (e) { return {}; }
  }

  function text(table, tu, language, reg) {
    var code = String(language || "").slice(0, 2), t = table[code] || table.es;
    if (reg === undefined) reg = register();
    return reg && reg[code] === "tú" && tu && tu[code] ? Object.assign({}, t, tu[code]) : t;
  }

  var api = { el: el, uuid: uuid, keys: KEYS, lang: lang, register: register, text: text };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }
  root.KB = Object.assign(root.KB || {}, api);
})(typeof window !== "undefined" ? window : globalThis);
