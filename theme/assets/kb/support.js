/* kb support: the end user's way to a person (phone, e-mail, chat, ticket form, opening hours).
 *
 * The contacts come from the site configuration (plugin option `support`, checked at build time by
 * generator/render/support.py) in <meta name="kb-support" content="{json}">. feedback.js shows them
 * after "No" on an article, runner.js at the end of a self-service guide that did not solve the
 * problem; both pass the text the person already wrote (comment or summary), which goes into the
 * e-mail's body and the ticket form's URL. All text goes into the DOM with textContent.
 * Open now / opens at: the hours are kept in the support team's time zone and shown in the reader's.
 */
(function () {
  "use strict";
  var T = {
    es: { title: "Hable con una persona", phone: "Teléfono", email: "Correo electrónico", chat: "Chat con soporte",
      ticket: "Abrir una solicitud de soporte", prefilled: "(su mensaje ya va escrito)",
      open: "Abierto ahora, hasta las {x}.", closed: "Ahora está cerrado. Abre el {x}.",
      your_time: "(hora de su equipo)" },
    en: { title: "Talk to a person", phone: "Phone", email: "E-mail", chat: "Chat with support",
      ticket: "Open a support request", prefilled: "(your message is already written in)",
      open: "Open now, until {x}.", closed: "Closed now. Opens {x}.", your_time: "(your device's time)" }
  };
  var DAYS = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

  // The site's register (<meta name="kb-register">): tú replaces these usted forms.
  var TU = { es: { title: "Habla con una persona", prefilled: "(tu mensaje ya va escrito)",
    your_time: "(hora de tu equipo)" } };

  function strings(lang) { return KB.text(T, TU, lang); }

  /** Weekday (0 = Monday) and minute of the day of the instant `ms` in the time zone `tz`. */
  function zoned(ms, tz) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone: tz, weekday: "short", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23" }).formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    return { day: DAYS[parts.weekday], min: Number(parts.hour) % 24 * 60 + Number(parts.minute) };
  }

  /** {open: true, until: ms} or {open: false, at: ms} (null: no hours, or never open). */
  function status(hours, now) {
    if (!hours || !hours.week) return null;
    var z = zoned(now, hours.timezone), base = now - (now % 60000);
    var today = hours.week[z.day];
    if (today && z.min >= today[0] && z.min < today[1]) return { open: true, until: base + (today[1] - z.min) * 60000 };
    for (var d = 0; d <= 7; d++) {
      var span = hours.week[(z.day + d) % 7];
      if (!span || (d === 0 && z.min >= span[0])) continue;
      return { open: false, at: base + (d * 1440 + span[0] - z.min) * 60000 };
    }
    return null;
  }

  function when(ms, lang, withDay) {
    var o = { hour: "2-digit", minute: "2-digit" };
    if (withDay) o.weekday = "long";
    return new Date(ms).toLocaleString(lang, o);
  }

  function fillUrl(pattern, subject, body) {
    return pattern.replace(/\{subject\}/g, encodeURIComponent(subject)).replace(/\{body\}/g, encodeURIComponent(body));
  }

  function data() {
    var meta = document.querySelector('meta[name="kb-support"]');
    try { return meta ? JSON.parse(meta.getAttribute("content")) : null; } catch (e) { return null; }
  }

  var el = KB.el; // assets/kb/kb.js: text goes in with textContent

  /** The contacts block, or null when none are configured. opts: {lang, subject, body, id}. */
  function block(opts) {
    var s = data(), lang = opts.lang ? String(opts.lang).slice(0, 2) : KB.lang(), t = strings(lang);
    if (!s || !(s.phone || s.email || s.chat_url || s.ticket_url)) return null;
    var id = opts.id || "kb-support-title", items = [];
    if (s.phone) items.push(el("li", {}, [t.phone + ": ", el("a", { href: "tel:" + s.phone.replace(/[^0-9+]/g, ""),
      text: s.phone })]));
    if (s.email) items.push(el("li", {}, [t.email + ": ", el("a", { href: "mailto:" + s.email + "?subject=" +
      encodeURIComponent(opts.subject) + "&body=" + encodeURIComponent(opts.body), text: s.email }), " " + t.prefilled]));
    if (s.chat_url) items.push(el("li", {}, [el("a", { href: s.chat_url, rel: "noopener", text: t.chat })]));
    if (s.ticket_url) items.push(el("li", {}, [el("a", { href: fillUrl(s.ticket_url, opts.subject, opts.body),
      rel: "noopener", text: t.ticket }), " " + t.prefilled]));
    var st = status(s.hours, Date.now()), hours = null;
    if (st) {
      hours = el("p", { "class": "kb-support__hours kb-support__hours--" + (st.open ? "open" : "closed"),
        text: (st.open ? t.open.replace("{x}", when(st.until, lang, false))
          : t.closed.replace("{x}", when(st.at, lang, true))) + " " + t.your_time });
    }
    return el("section", { "class": "kb-support", "aria-labelledby": id }, [
      el("h3", { id: id, "class": "kb-support__title", text: t.title }), hours, el("ul", {}, items)]);
  }

  window.KB.support = { data: data, block: block, status: status, fillUrl: fillUrl };
})();
