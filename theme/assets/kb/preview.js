/* kb live preview (`kb serve --watch` only: the build adds this script in that mode).
 *
 * Waits on /api/preview?since=<version>; when the version moves on, the page reloads, or,
 * when the edit broke the content, a banner lists the problems (file:line:col: ...) until
 * they are fixed. Text is set with textContent: nothing from the answer is parsed as HTML.
 */
(function () {
  "use strict";
  var URL_ = "/api/preview";
  var known = null;
  var banner = null;

  function show(errors) {
    if (!errors || !errors.length) {
      if (banner) { banner.remove(); banner = null; }
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "kb-preview-errors";
      banner.setAttribute("role", "alert");
      document.body.appendChild(banner);
    }
    banner.textContent = "";
    var title = document.createElement("strong");
    var one = errors.length === 1;
    title.textContent = KB.lang() === "en"
      ? "The preview was not updated: fix " + (one ? "this problem" : "these " + errors.length + " problems") +
        " and save again"
      : "La vista previa no se ha actualizado: corrija " + (one ? "este problema" : "estos " + errors.length +
        " problemas") + " y guarde de nuevo";
    banner.appendChild(title);
    var list = document.createElement("pre");
    list.textContent = errors.join("\n");
    banner.appendChild(list);
  }

  function poll(delay) {
    var url = known === null ? URL_ : URL_ + "?since=" + known;
    setTimeout(function () {
      fetch(url, { cache: "no-store", credentials: "omit" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (state) {
          if (known !== null && state.version > known && !(state.errors && state.errors.length)) {
            window.location.reload();
            return;
          }
          known = state.version;
          show(state.errors);
          poll(0);
        })
        .catch(function () { poll(2000); }); /* the server restarts: try again */
    }, delay);
  }

  poll(0);
})();
