/* kb feedback: "did this solve your problem?" on articles and guides.
 *
 * The page carries only <aside data-kb-feedback data-article-id="…" data-reasons="[[code, label]…]">
 * (the reasons are declared once, in generator/model/fields.py); the widget is built here
 * (it needs JavaScript anyway), so its labels are not repeated in every page's HTML nor in the
 * search index. All text goes in with textContent.
 *
 * A vote is held on the page until the person sends the details, skips them, or leaves the
 * page; then exactly one `feedback` event goes to the queue (events.js). Technicians (a
 * toggle remembered in this browser) also get "used to solve a case", which records an
 * `article_used` event: the KCS link.
 */
(function () {
  "use strict";
  var TECH_KEY = KB.keys.techMode;
  var T = {
    es: {
      question: "¿Le ha resuelto el problema?", yes: "Sí", no: "No",
      rating: "¿Qué nota le da a este artículo? (opcional, de 1 a 5)", reason: "¿Qué falló?",
      comment: "Comentario (opcional)",
      left: "caracteres disponibles", send: "Enviar", skip: "Omitir",
      thanks: "¡Gracias! Su respuesta nos ayuda a mejorar esta ayuda.", techmode: "Soy técnico",
      ticket: "Referencia del ticket (opcional)", used: "Usado para resolver un caso",
      usedDone: "Registrado. Gracias por enlazar el artículo."
    },
    en: {
      question: "Did this solve your problem?", yes: "Yes", no: "No",
      rating: "How would you rate this article? (optional, 1 to 5)", reason: "What went wrong?",
      comment: "Comment (optional)",
      left: "characters left", send: "Send", skip: "Skip",
      thanks: "Thank you! Your answer helps us improve this help.", techmode: "I am a technician",
      ticket: "Ticket reference (optional)", used: "Used to solve a case",
      usedDone: "Recorded. Thank you for linking the article."
    }
  };

  var el = KB.el; // assets/kb/kb.js: text goes in with textContent

  function radio(name, value, label) {
    return el("label", {}, [el("input", { type: "radio", name: name, value: value }), document.createTextNode(" " + label)]);
  }

  function build(box, t) {
    var title = el("h2", { "class": "kb-feedback__title", id: "kb-fb-title", text: t.question });
    var ask = el("div", { "class": "kb-feedback__ask" }, [
      el("button", { type: "button", "class": "md-button", "data-helpful": "yes", "aria-pressed": "false", text: t.yes }),
      el("button", { type: "button", "class": "md-button", "data-helpful": "no", "aria-pressed": "false", text: t.no })
    ]);
    var rating = el("fieldset", { "class": "kb-feedback__rating" }, [el("legend", { text: t.rating })]);
    for (var n = 1; n <= 5; n++) rating.appendChild(radio("kb-rating", String(n), String(n)));
    var reasons = el("fieldset", { "class": "kb-feedback__reasons", hidden: true }, [el("legend", { text: t.reason })]);
    // The reasons and their labels come with the page (data-reasons, from generator/model/fields.py REASONS).
    var choices = [];
    try { choices = JSON.parse(box.getAttribute("data-reasons") || "[]"); } catch (e) { /* none */ }
    choices.forEach(function (r) { reasons.appendChild(radio("kb-reason", r[0], r[1])); });
    var more = el("div", { "class": "kb-feedback__more", hidden: true }, [
      rating, reasons,
      el("label", { "class": "kb-feedback__comment" }, [
        document.createTextNode(t.comment),
        el("textarea", { name: "kb-comment", maxlength: "1000", rows: "3" })
      ]),
      el("p", { "class": "kb-feedback__hint" }, [
        el("span", { "class": "kb-feedback__count", text: "1000" }), document.createTextNode(" " + t.left)
      ]),
      el("label", { "class": "kb-hp", "aria-hidden": "true" }, [
        document.createTextNode("Website "), el("input", { type: "text", name: "kb-hp", tabindex: "-1", autocomplete: "off" })
      ]),
      el("button", { type: "button", "class": "md-button md-button--primary kb-feedback__send", text: t.send }),
      document.createTextNode(" "),
      el("button", { type: "button", "class": "md-button kb-feedback__skip", text: t.skip })
    ]);
    var thanks = el("p", { "class": "kb-feedback__thanks", role: "status", tabindex: "-1", hidden: true, text: t.thanks });
    var techmode = el("label", { "class": "kb-feedback__techmode" }, [
      el("input", { type: "checkbox" }), document.createTextNode(" " + t.techmode)
    ]);
    var tech = el("div", { "class": "kb-feedback__tech", hidden: true }, [
      el("label", {}, [document.createTextNode(t.ticket + " "),
        el("input", { type: "text", name: "kb-ticket", maxlength: "64", autocomplete: "off" })]),
      document.createTextNode(" "),
      el("button", { type: "button", "class": "md-button kb-feedback__used", text: t.used }),
      document.createTextNode(" "),
      el("span", { "class": "kb-feedback__used-done", role: "status", tabindex: "-1", hidden: true, text: t.usedDone })
    ]);
    box.setAttribute("aria-labelledby", "kb-fb-title");
    [title, ask, more, thanks, techmode, tech].forEach(function (c) { box.appendChild(c); });
  }

  function $(root, sel) { return root.querySelector(sel); }
  function show(node, on) { if (node) node.hidden = !on; }

  // The site's register (<meta name="kb-register">, the kb plugin's `register`): tú replaces these usted forms.
  var TU = { es: { question: "¿Te ha resuelto el problema?",
    rating: "¿Qué nota le das a este artículo? (opcional, de 1 a 5)",
    thanks: "¡Gracias! Tu respuesta nos ayuda a mejorar esta ayuda." } };

  function init(box) {
    if (box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    build(box, KB.text(T, TU, KB.lang()));
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
    var toggle = $(box, ".kb-feedback__techmode input");
    var rating = $(box, ".kb-feedback__rating");

    /** After "No": the way to a person (support.js), the comment already written into e-mail and form. */
    function contacts(text) {
      if (!window.KB || !KB.support || $(box, ".kb-support")) return;
      var h1 = document.querySelector("article h1"), title = h1 ? h1.textContent.replace(/¶$/, "").trim() : document.title;
      var block = KB.support.block({ subject: title, body: (text ? text + "\n\n" : "") + title + "\n" + location.href,
        id: "kb-fb-support" });
      if (block) box.appendChild(block);
    }

    function commit() {
      if (vote === null || sent) return;
      sent = true;
      var fields = { article_id: articleId, helpful: vote };
      if (toggle.checked) fields.by_technician = true;
      var rating = $(box, 'input[name="kb-rating"]:checked');
      if (rating && vote === true) fields.rating = parseInt(rating.value, 10);
      var reason = $(box, 'input[name="kb-reason"]:checked');
      if (reason && vote === false) fields.reason = reason.value;
      var text = comment.value.trim().slice(0, 1000);
      if (text) fields.comment = text;
      if (window.KB && KB.events) KB.events.track("feedback", fields);
      show(ask, false);
      show(more, false);
      show(thanks, true);
      if (vote === false) contacts(text);
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
        show(rating, vote === true); // after "No", a 1-5 rating asks too much: the reason and a person matter
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
