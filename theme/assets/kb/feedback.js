/* kb feedback: "did this solve your problem?" on articles and guides.
 *
 * A vote is held on the page until the person sends the details, skips them, or
 * leaves the page; then exactly one `feedback` event goes to the queue (events.js).
 * Technicians (a toggle remembered in this browser) also get "used to solve a case",
 * which records an `article_used` event: the KCS link.
 */
(function () {
  "use strict";
  var TECH_KEY = "kb.techMode";

  function $(root, sel) { return root.querySelector(sel); }
  function show(el, on) { if (el) el.hidden = !on; }

  function init(box) {
    if (box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    box.hidden = false;
    var articleId = box.getAttribute("data-article-id");
    var vote = null;
    var sent = false;
    var ask = $(box, ".kb-feedback__ask");
    var more = $(box, ".kb-feedback__more");
    var reasons = $(box, ".kb-feedback__reasons");
    var thanks = $(box, ".kb-feedback__thanks");
    var comment = $(box, "textarea");
    var counter = $(box, ".kb-feedback__count");

    function commit() {
      if (vote === null || sent) return;
      sent = true;
      var fields = { article_id: articleId, helpful: vote };
      if (toggle.checked) fields.by_technician = true;
      var rating = $(box, 'input[name="kb-rating"]:checked');
      if (rating) fields.rating = parseInt(rating.value, 10);
      var reason = $(box, 'input[name="kb-reason"]:checked');
      if (reason && vote === false) fields.reason = reason.value;
      var text = comment.value.trim().slice(0, 1000);
      if (text) fields.comment = text;
      if (window.KB && KB.events) KB.events.track("feedback", fields);
      show(ask, false);
      show(more, false);
      show(thanks, true);
      thanks.focus();
    }

    box.querySelectorAll("[data-helpful]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        vote = btn.getAttribute("data-helpful") === "yes";
        box.querySelectorAll("[data-helpful]").forEach(function (b) {
          b.setAttribute("aria-pressed", b === btn ? "true" : "false");
        });
        show(more, true);
        show(reasons, vote === false);
        var first = $(more, "input, textarea, button");
        if (first) first.focus();
      });
    });
    $(box, ".kb-feedback__send").addEventListener("click", commit);
    $(box, ".kb-feedback__skip").addEventListener("click", function () {
      box.querySelectorAll('input[type="radio"]').forEach(function (r) { r.checked = false; });
      comment.value = "";
      commit();
    });
    comment.addEventListener("input", function () {
      counter.textContent = String(1000 - comment.value.length);
    });
    // Leaving the page keeps the vote that was given.
    window.addEventListener("pagehide", commit);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") commit();
    });
    box._kbCommit = commit;

    var tech = $(box, ".kb-feedback__tech");
    var toggle = $(box, ".kb-feedback__techmode input");
    var on = false;
    try { on = localStorage.getItem(TECH_KEY) === "1"; } catch (e) { /* no storage */ }
    toggle.checked = on;
    show(tech, on);
    toggle.addEventListener("change", function () {
      try { localStorage.setItem(TECH_KEY, toggle.checked ? "1" : "0"); } catch (e) { /* no storage */ }
      show(tech, toggle.checked);
    });
    $(box, ".kb-feedback__used").addEventListener("click", function () {
      var ticket = $(box, 'input[name="kb-ticket"]').value.trim().slice(0, 64);
      if (window.KB && KB.events) KB.events.track("article_used", { article_id: articleId, ticket_ref: ticket });
      var done = $(box, ".kb-feedback__used-done");
      show(done, true);
      done.focus();
    });
  }

  var previous = [];
  function onPage() {
    previous.forEach(function (box) { if (box._kbCommit) box._kbCommit(); });
    previous = Array.prototype.slice.call(document.querySelectorAll("[data-kb-feedback]"));
    previous.forEach(init);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
