/* kb runner: the protocol page becomes a step-by-step runner; the satisfaction page sends one answer.
 *
 * Reads the protocol from the data-protocol attribute of <div id="kb-protocol-data" hidden> (built
 * by generator/render/runner.py; an attribute because Material's instant navigation re-runs inline scripts). The static decision list stays on the page for print and for
 * browsers without JavaScript; with JavaScript it is hidden behind "show all steps".
 * Runs live in localStorage under KB.keys.run + the run id (resume after a reload, a crash or a wrong
 * click); sessionStorage remembers which run belongs to this tab, so two tabs never mix.
 * A finished run becomes one `protocol_run` event (window.KB.events, assets/kb/events.js);
 * the notes stay in this browser and are never sent. Data strings reach the DOM as text only.
 * Steps are not built here: the page's step sections (theme/fragments/step.md, rendered once on the
 * server) are copied into the runner, cut to the run's mode and level.
 * The pure functions at the top (formatting, path replay, the event) are exported for node.
 * el, uuid, storage keys and strings-by-language-and-register are assets/kb/kb.js's (KB), loaded first.
 */
(function () {
  "use strict";
  var KB = typeof module !== "undefined" && module.exports ? require("./kb.js") : window.KB;

  var STR = {
    es: {
      runner: "Asistente del protocolo", total: "Total", this_step: "Este paso",
      level: "Nivel del cliente", channel: "Canal",
      ticket: "Ticket (opcional)", tech: "Técnico (opcional)", practice: "Modo práctica",
      practice_on: "Práctica: esta ejecución no cuenta en los informes.",
      mode: "Modo", mode_tech: "Técnico", mode_self: "Autoservicio",
      path: "Camino recorrido", step_n: "Paso {n}",
      articles: "Artículos",
      back: "Atrás", restart: "Empezar de nuevo",
      unresolved: "No resuelto", abandon: "Abandonar", keys: "Teclas", show_all: "Ver todos los pasos",
      hide_all: "Ocultar la lista de pasos", notes: "Notas (se quedan en este navegador; nunca se envían)",
      self_still: "Sigue sin funcionar: contactar con soporte",
      o_progress: "En curso", o_resolved: "Resuelto", o_escalated: "Escalado", o_abandoned: "Abandonado", o_unresolved: "No resuelto",
      summary_h: "Resumen del caso para el ticket", message_h: "Mensaje de seguimiento para el cliente",
      copy_summary: "Copiar resumen", copy_message: "Copiar mensaje", copied: "Copiado al portapapeles.",
      copy_failed: "No se pudo copiar: seleccione el texto y cópielo.", new_run: "Nueva ejecución",
      self_summary_h: "Resumen para su solicitud de soporte",
      self_summary_help: "Copie este resumen y péguelo al pedir ayuda: así no tendrá que repetir lo que ya ha probado.",
      self_done: "¡Nos alegra que se haya solucionado!", resumed: "Se ha recuperado la ejecución en curso.",
      changed: "El protocolo ha cambiado desde la última vez; se empieza de nuevo.",
      keys_h: "Atajos de teclado", k_opts: "Elegir la opción", k_back: "Volver al paso anterior",
      k_notes: "Ir a las notas", k_help: "Mostrar u ocultar esta ayuda", close: "Cerrar",
      s_protocol: "Protocolo", s_guide: "Guía", s_version: "versión", s_run: "Ejecución", s_ref: "Referencia",
      s_practice: "Práctica: sí (no cuenta en los informes)", s_ticket: "Ticket", s_tech: "Técnico",
      s_start: "Inicio", s_end: "Fin", s_duration: "Duración", s_steps: "Pasos", s_tried: "Lo que he probado",
      s_result: "Resultado", s_escalated_to: "Escalado a {x}", s_articles: "Artículos usados", s_notes: "Notas",
      s_self_unresolved: "Sigue sin funcionar", s_self_escalated: "Necesita ayuda de soporte ({x})",
      none: "Ninguno", what: "Qué ocurrió", prevent: "Cómo evitarlo", more: "Más información",
      m_hello: "Hola:", m_thanks: "Gracias por contactar con soporte técnico.",
      m_resolved: "Su consulta «{x}» está resuelta.", m_cause: "Causa técnica",
      m_prevent: "Cómo evitar que vuelva a pasar", m_more: "Si quiere saber más",
      m_escalated_basic: "Hemos pasado su consulta «{x}» a un equipo especializado, que se pondrá en contacto " +
        "con usted. No tendrá que volver a explicar el problema.",
      m_escalated_advanced: "Hemos pasado su consulta «{x}» a {y}, que se pondrá en contacto con usted. " +
        "No tendrá que volver a explicar el problema.",
      m_unresolved: "Todavía no hemos podido resolver su consulta «{x}». Seguimos trabajando en ella y le " +
        "contactaremos.",
      m_abandoned: "La comunicación se interrumpió antes de terminar con su consulta «{x}». Si el problema " +
        "continúa, contacte de nuevo con nosotros.",
      m_ref: "Referencia de su caso: {x}", m_csat: "¿Nos dice qué tal le atendimos? Es una sola pregunta: {x}",
      m_bye: "Un saludo,", m_team: "Soporte técnico", h: "h", min: "min", s: "s",
      csat_bad: "Elija una puntuación del 1 al 5.",
      locale: "es-ES", s_when: "Fecha", self_again: "Empezar la guía de nuevo",
      context: "Datos del caso", about: "Sobre esta guía", before: "Antes de empezar", contact: "Contacto del cliente (hora)",
      no_ticket: "sin ticket", copied_btn: "Copiado ✓", cancel: "Cancelar",
      ask_restart: "¿Empezar de nuevo? Se perderán el camino y las notas de esta ejecución.",
      yes_restart: "Sí, empezar de nuevo",
      ask_abandon: "¿Abandonar? La ejecución se registrará como abandonada y no se podrá continuar.",
      yes_abandon: "Sí, abandonar", s_back: "volvió atrás", s_contact: "Contacto del cliente",
      bad_param: "Se ha ignorado «{x}» del enlace: {y}", bad_ticket: "el ticket admite hasta 64 letras, " +
        "cifras y . _ - / #", bad_level: "el nivel es basic o advanced", bad_channel: "este protocolo no " +
        "usa ese canal", bad_contact: "la hora de contacto debe ser una fecha ISO 8601 con zona, no futura"
    },
    en: {
      runner: "Protocol runner", total: "Total", this_step: "This step",
      level: "Customer level", channel: "Channel",
      ticket: "Ticket (optional)", tech: "Technician (optional)", practice: "Practice mode",
      practice_on: "Practice: this run does not count in any report.",
      mode: "Mode", mode_tech: "Technician", mode_self: "Self-service",
      path: "Path so far", step_n: "Step {n}",
      articles: "Articles",
      back: "Back", restart: "Start again",
      unresolved: "Not solved", abandon: "Abandon", keys: "Keys", show_all: "Show all steps",
      hide_all: "Hide the list of steps", notes: "Notes (stay in this browser; never sent)",
      self_still: "Still not working: contact support",
      o_progress: "In progress", o_resolved: "Resolved", o_escalated: "Escalated", o_abandoned: "Abandoned", o_unresolved: "Not solved",
      summary_h: "Case summary for the ticket", message_h: "Follow-up message for the customer",
      copy_summary: "Copy summary", copy_message: "Copy message", copied: "Copied to the clipboard.",
      copy_failed: "Could not copy: select the text and copy it.", new_run: "New run",
      self_summary_h: "Summary for your support request",
      self_summary_help: "Copy this summary and paste it when you ask for help, so you do not have to repeat " +
        "what you already tried.",
      self_done: "We are glad it is solved!", resumed: "The run in progress was restored.",
      changed: "The protocol has changed since last time; starting again.",
      keys_h: "Keyboard shortcuts", k_opts: "Choose the option", k_back: "Go back one step",
      k_notes: "Go to the notes", k_help: "Show or hide this help", close: "Close",
      s_protocol: "Protocol", s_guide: "Guide", s_version: "version", s_run: "Run", s_ref: "Reference",
      s_practice: "Practice: yes (counts in no report)", s_ticket: "Ticket", s_tech: "Technician",
      s_start: "Start", s_end: "End", s_duration: "Duration", s_steps: "Steps", s_tried: "What I tried",
      s_result: "Outcome", s_escalated_to: "Escalated to {x}", s_articles: "Articles used", s_notes: "Notes",
      s_self_unresolved: "Still not working", s_self_escalated: "Needs help from support ({x})",
      none: "None", what: "What happened", prevent: "How to prevent it", more: "More information",
      m_hello: "Hello,", m_thanks: "Thank you for contacting technical support.",
      m_resolved: "Your request “{x}” is solved.", m_cause: "Technical cause",
      m_prevent: "How to keep it from happening again", m_more: "If you want to know more",
      m_escalated_basic: "We have passed your request “{x}” to a specialist team, who will contact you. " +
        "You will not need to explain the problem again.",
      m_escalated_advanced: "We have passed your request “{x}” to {y}, who will contact you. " +
        "You will not need to explain the problem again.",
      m_unresolved: "We have not been able to solve your request “{x}” yet. We are still working on it and " +
        "will contact you.",
      m_abandoned: "Our conversation about your request “{x}” ended before we could finish. If the problem " +
        "continues, please contact us again.",
      m_ref: "Your case reference: {x}", m_csat: "How did we do? It is just one question: {x}",
      m_bye: "Kind regards,", m_team: "Technical support", h: "h", min: "min", s: "s",
      csat_bad: "Choose a rating from 1 to 5.",
      locale: "en-GB", s_when: "Date", self_again: "Start the guide again",
      context: "Case details", about: "About this guide", before: "Before you start", contact: "Customer contact (time)",
      no_ticket: "no ticket", copied_btn: "Copied ✓", cancel: "Cancel",
      ask_restart: "Start again? The path and the notes of this run will be lost.",
      yes_restart: "Yes, start again",
      ask_abandon: "Abandon? The run will be recorded as abandoned and cannot be continued.",
      yes_abandon: "Yes, abandon", s_back: "went back", s_contact: "Customer contact",
      bad_param: "“{x}” in the link was ignored: {y}", bad_ticket: "a ticket has up to 64 letters, digits " +
        "and . _ - / #", bad_level: "the level is basic or advanced", bad_channel: "this protocol does not " +
        "use that channel", bad_contact: "the contact time must be an ISO 8601 date with a zone, not in the future"
    }
  };

  // The site's register (the kb plugin's `register`, <meta name="kb-register">): tú replaces these usted forms
  // in what the end user and the customer read (self-service, the follow-up message).
  var TU = { es: {
    self_summary_h: "Resumen para tu solicitud de soporte",
    self_summary_help: "Copia este resumen y pégalo al pedir ayuda: así no tendrás que repetir lo que ya has probado.",
    m_resolved: "Tu consulta «{x}» está resuelta.", m_more: "Si quieres saber más",
    m_escalated_basic: "Hemos pasado tu consulta «{x}» a un equipo especializado, que se pondrá en contacto " +
      "contigo. No tendrás que volver a explicar el problema.",
    m_escalated_advanced: "Hemos pasado tu consulta «{x}» a {y}, que se pondrá en contacto contigo. " +
      "No tendrás que volver a explicar el problema.",
    m_unresolved: "Todavía no hemos podido resolver tu consulta «{x}». Seguimos trabajando en ella y te contactaremos.",
    m_abandoned: "La comunicación se interrumpió antes de terminar con tu consulta «{x}». Si el problema " +
      "continúa, contacta de nuevo con nosotros.",
    m_ref: "Referencia de tu caso: {x}", m_csat: "¿Nos dices qué tal te atendimos? Es una sola pregunta: {x}"
  } };

  // --- pure functions ---------------------------------------------------------------------------
  /** The strings of a language, in the site's register ({es: "tú"} swaps the usted forms TU knows). */
  function strings(lang, register) { return KB.text(STR, TU, lang, register || {}); }

  function fill(text, x, y) { return text.replace("{x}", x).replace("{y}", y).replace("{n}", x); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /** 42 -> "00:42", 3723 -> "1:02:03" (the visible timers). */
  function clock(sec) {
    sec = Math.max(0, Math.floor(sec));
    var h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
  }

  /** 72 -> "1 min 12 s" (summaries). */
  function duration(sec, t) {
    sec = Math.max(0, Math.round(sec));
    var h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60, out = [];
    if (h) out.push(h + " " + t.h);
    if (m) out.push(m + " " + t.min);
    if (s || !out.length) out.push(s + " " + t.s);
    return out.join(" ");
  }

  /** Local wall-clock time with its UTC offset: "2026-11-23 10:00:05 (UTC+01:00)". */
  function stamp(ms, offsetMinutes) {
    var off = offsetMinutes === undefined ? -new Date(ms).getTimezoneOffset() : offsetMinutes;
    var d = new Date(ms + off * 60000), a = Math.abs(off);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) +
      " (UTC" + (off < 0 ? "-" : "+") + pad(Math.floor(a / 60)) + ":" + pad(a % 60) + ")";
  }

  function stepOf(proto, id) {
    for (var i = 0; i < proto.steps.length; i++) if (proto.steps[i].id === id) return proto.steps[i];
    return null;
  }

  function optionOf(step, label) {
    for (var i = 0; i < step.options.length; i++) if (step.options[i].label === label) return step.options[i];
    return null;
  }

  /** Walk a recorded path through the protocol: {ok, current, ending}. A path only replays if every
   *  step follows from the previous answer; an answer of null (an ending or an abandon) ends it. */
  function replay(proto, path) {
    var cur = proto.start;
    path = path.filter(function (e) { return !e.back; }); // a step left with "back" moves nothing
    for (var i = 0; i < path.length; i++) {
      var e = path[i], s = stepOf(proto, cur), last = i === path.length - 1;
      if (!s || e.step !== cur) return { ok: false, current: null, ending: null };
      if (e.answer === null || e.answer === undefined) return last ? { ok: true, current: cur, ending: null }
        : { ok: false, current: null, ending: null };
      var o = optionOf(s, e.answer);
      if (!o) return { ok: false, current: null, ending: null };
      if (!o.next) return last ? { ok: true, current: cur, ending: o } : { ok: false, current: null, ending: null };
      cur = o.next;
    }
    return { ok: !!stepOf(proto, cur), current: cur, ending: null };
  }

  function usedArticles(proto, run) {
    var out = [], seen = {};
    proto.steps.forEach(function (s) {
      s.articles.forEach(function (a) {
        if (run.used.indexOf(a.id) >= 0 && !seen[a.id]) { seen[a.id] = 1; out.push(a); }
      });
    });
    return out;
  }

  /** The end-user articles for the customer: those of the step that resolved the run, then those the
   *  technician marked as used; never the articles of steps the run only passed through. */
  function pathArticles(proto, run) {
    var out = [], seen = {}, end = run.end || {}, s = end.outcome === "resolved" && stepOf(proto, end.step);
    var all = {};
    proto.steps.forEach(function (st) { st.articles.forEach(function (a) { all[a.id] = a; }); });
    var add = function (a) {
      if (a && a.audience !== "technician" && !seen[a.id]) { seen[a.id] = 1; out.push(a); }
    };
    (s ? s.articles : []).forEach(add);
    (run.used || []).forEach(function (id) { add(all[id]); });
    return out;
  }

  /** The step's number in the decision list and the table of contents (1-based). */
  function stepNumber(proto, id) {
    for (var i = 0; i < proto.steps.length; i++) if (proto.steps[i].id === id) return i + 1;
    return 0;
  }

  var TICKET_RE = /^[A-Za-z0-9][A-Za-z0-9._\/#-]{0,63}$/;
  var ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

  /** The run's context from a deep link (?ticket=&level=&channel=&contact=): {values, bad: [[param, reason]]}.
   *  Every parameter is checked; a bad one is left out and named, the others still apply. */
  function parseLink(search, proto, now) {
    var q = new URLSearchParams(search), values = {}, bad = [];
    var check = function (name, ok, reason, value) {
      if (!q.has(name)) return;
      if (ok) values[name] = value; else bad.push([name, reason]);
    };
    var ticket = (q.get("ticket") || "").trim(), level = q.get("level"), channel = q.get("channel");
    var contact = q.get("contact") || "", at = ISO_RE.test(contact) ? Date.parse(contact) : NaN;
    check("ticket", TICKET_RE.test(ticket), "bad_ticket", ticket);
    check("level", proto.levels.indexOf(level) >= 0, "bad_level", level);
    check("channel", proto.channels.indexOf(channel) >= 0, "bad_channel", channel);
    check("contact", !isNaN(at) && at <= now + 60000, "bad_contact", Math.min(at, now));
    return { values: values, bad: bad };
  }

  function resultLine(run, t) {
    var end = run.end, self = run.mode === "self-service";
    if (end.outcome === "resolved") return t.o_resolved + " — " + end.cause;
    if (end.outcome === "escalated") return fill(self ? t.s_self_escalated : t.s_escalated_to, end.target);
    if (end.outcome === "unresolved") return self ? t.s_self_unresolved : t.o_unresolved;
    if (end.outcome === "in_progress") return t.o_progress + " — " + end.cause;
    return t.o_abandoned;
  }

  /** The end user's summary for a support request, in plain language: what was tried and when; no ids,
   *  versions, hashes or UTC offsets (the support team finds the run by its time and the guide). */
  function plainSummary(proto, run, t, zone) {
    var L = [t.s_guide + ": " + proto.title, t.s_tried + ":"], n = 0;
    run.path.forEach(function (e) {
      if (e.back) return;
      var s = stepOf(proto, e.step);
      L.push(++n + ". " + (s ? s.title : e.step) + (e.answer ? " — " + e.answer : ""));
    });
    L.push(t.s_result + ": " + resultLine(run, t));
    L.push(t.s_when + ": " + new Date(run.end.at).toLocaleString(t.locale, { dateStyle: "long", timeStyle: "short",
      timeZone: zone }));
    return L.join("\n");
  }

  /** The plain-text case summary for the ticket (technician) or the support request (self-service). */
  function summary(proto, run, t, offset, zone) {
    var self = run.mode === "self-service", end = run.end, L = [];
    if (self) return plainSummary(proto, run, t, zone);
    L.push((self ? t.s_guide : t.s_protocol) + ": " + proto.title + " (" + proto.id + ", " + t.s_version + " " +
      proto.version + ")");
    L.push((self ? t.s_ref : t.s_run) + ": " + run.id);
    if (run.practice) L.push(t.s_practice);
    if (!self) {
      L.push(t.channel + ": " + (t[run.channel] || run.channel));
      L.push(t.level + ": " + t[run.level]);
      if (run.ticket) L.push(t.s_ticket + ": " + run.ticket);
      if (run.tech) L.push(t.s_tech + ": " + run.tech);
    }
    if (run.contact && !self) L.push(t.s_contact + ": " + stamp(run.contact, offset));
    L.push(t.s_start + ": " + stamp(run.started, offset));
    L.push(t.s_end + ": " + stamp(end.at, offset));
    L.push(t.s_duration + ": " + duration((end.at - run.started) / 1000, t));
    L.push((self ? t.s_tried : t.s_steps) + ":");
    run.path.forEach(function (e, i) {
      var s = stepOf(proto, e.step);
      L.push((i + 1) + ". " + (s ? s.title : e.step) + (e.answer ? " — " + e.answer : e.back ? " — " + t.s_back : "") + " (" +
        duration(e.seconds, t) + ")");
    });
    L.push(t.s_result + ": " + resultLine(run, t));
    if (!self) {
      var used = usedArticles(proto, run).map(function (a) { return a.title + " (" + a.id + ")"; });
      L.push(t.s_articles + ": " + (used.length ? used.join("; ") : t.none));
      L.push(t.s_notes + ":");
      L.push(run.notes.trim() || "—");
    }
    return L.join("\n");
  }

  /** The plain-language follow-up message for the customer, in the protocol's language, at the
   *  customer's level; `abs` turns a page-relative URL into an absolute one. */
  function followUp(proto, run, t, abs) {
    var end = run.end, P = [t.m_hello, t.m_thanks];
    if (end.outcome === "resolved") {
      P[1] += " " + fill(t.m_resolved, proto.title);
      P.push(t.what + ": " + (end.explain || end.cause));
      if (run.level === "advanced" && end.explain) P.push(t.m_cause + ": " + end.cause);
      if (end.prevent) P.push(t.m_prevent + ": " + end.prevent);
    } else if (end.outcome === "escalated") {
      P[1] += " " + fill(run.level === "advanced" ? t.m_escalated_advanced : t.m_escalated_basic, proto.title,
        end.target);
    } else {
      P[1] += " " + fill(end.outcome === "unresolved" ? t.m_unresolved : t.m_abandoned, proto.title);
    }
    var arts = pathArticles(proto, run);
    if (arts.length) {
      P.push(t.m_more + ":\n" + arts.map(function (a) { return "- " + a.title + ": " + abs(a.url); }).join("\n"));
    }
    if (run.ticket) P.push(fill(t.m_ref, run.ticket));
    P.push(fill(t.m_csat, abs(proto.csat_url + "?run=" + run.id)));
    P.push(t.m_bye + "\n" + t.m_team);
    return P.join("\n\n");
  }

  function iso(ms) { return new Date(ms).toISOString(); }

  /** The `protocol_run` event's fields (DESIGN.md). Notes are never part of it. */
  function runEvent(proto, run) {
    var end = run.end, self = run.mode === "self-service", ev = {
      session_id: run.id, protocol_id: proto.id, protocol_version: proto.version,
      started_at: iso(run.started), ended_at: iso(Math.max(end.at, run.started)), outcome: end.outcome,
      path: run.path.map(function (e) { // an ending or an abandon has no answer
        var secs = Math.min(86400, Math.max(0, e.seconds));
        if (e.back) return { step: e.step, seconds: secs, back: true };
        return e.answer ? { step: e.step, answer: e.answer, seconds: secs } : { step: e.step, seconds: secs };
      }),
      resolved_step: end.outcome === "resolved" ? end.step : null,
      cause: end.outcome === "resolved" ? end.cause : null,
      escalated_to: end.outcome === "escalated" ? end.target : null,
      channel: self ? null : run.channel, customer_level: run.level, mode: run.mode,
      ticket_ref: run.ticket || null, technician: self ? null : run.tech || null,
      articles_used: self ? [] : run.used.slice(), practice: !!run.practice
    };
    // when the customer got in touch (the ticket's deep link, or typed): the report's response time
    if (run.contact && !self) ev.contact_at = iso(Math.min(run.contact, run.started));
    return ev;
  }

  /** A stored run is expired when it was last seen more than maxDays ago. */
  function expired(run, now, maxDays) { return !run || !(now - (run.seen || 0) <= maxDays * 86400000); }

  var pure = {
    STR: STR, strings: strings, clock: clock, duration: duration, stamp: stamp, replay: replay,
    summary: summary, followUp: followUp, runEvent: runEvent, expired: expired, pathArticles: pathArticles,
    parseLink: parseLink, stepNumber: stepNumber, plainSummary: plainSummary
  };
  if (typeof module !== "undefined" && module.exports) { module.exports = pure; return; }

  // --- browser ----------------------------------------------------------------------------------
  var RUN = KB.keys.run, TAB = KB.keys.tab, PREFS = KB.keys.prefs, TECH = KB.keys.techMode;
  var LIVE_MS = 6000, BEAT_MS = 2000;
  var cur = null;

  function store(kind) { try { return window[kind]; } catch (e) { return null; } }
  function getJSON(s, k) { try { return JSON.parse(s.getItem(k) || "null"); } catch (e) { return null; } }
  function setJSON(s, k, v) { try { s.setItem(k, JSON.stringify(v)); } catch (e) { /* full or disabled */ } }
  function del(s, k) { try { s.removeItem(k); } catch (e) { /* disabled */ } }

  // ids and the DOM builder are kb.js's, the event queue events.js's (both loaded with the runner by the kb plugin)
  var uuid = KB.uuid, el = KB.el;
  function track(type, fields) { return KB.events.track(type, fields); }

  function prefs() {
    var ls = store("localStorage"), p = (ls && getJSON(ls, PREFS)) || {};
    var tech = false;
    try { tech = ls.getItem(TECH) === "1"; } catch (e) { /* no storage */ }
    return { level: p.level || "basic", channel: p.channel || "", practice: !!p.practice, tech: p.tech || "",
      techMode: tech };
  }

  function savePrefs(run) {
    var ls = store("localStorage");
    if (ls) setJSON(ls, PREFS, { level: run.level, channel: run.channel, practice: run.practice, tech: run.tech });
  }

  function newRun(proto, now) {
    var p = prefs(), mode = proto.audience === "technician" ? "technician"
      : proto.audience === "end-user" ? "self-service" : (p.techMode ? "technician" : "self-service");
    return {
      v: 1, id: uuid(), pid: proto.id, version: proto.version, mode: mode, started: now, seen: now,
      level: mode === "self-service" ? "basic" : p.level,
      channel: proto.channels.indexOf(p.channel) >= 0 ? p.channel : proto.channels[0] || "phone",
      ticket: "", contact: null, tech: p.tech, practice: mode === "technician" && p.practice, path: [], current: proto.start,
      stepStart: now, confirm: null, used: [], notes: "", end: null, sent: false, stored: false
    };
  }

  /** Clear old runs; an unfinished one with answers becomes an `abandoned` event first. */
  function purge(maxDays, now) {
    var ls = store("localStorage");
    if (!ls) return;
    var keys = [];
    for (var i = 0; i < ls.length; i++) if (ls.key(i).indexOf(RUN) === 0) keys.push(ls.key(i));
    keys.forEach(function (k) {
      var run = getJSON(ls, k);
      if (!expired(run, now, maxDays)) return;
      del(ls, k);
      if (run && !run.end && run.path && run.path.length) {
        if (!run.confirm) run.path.push({ step: run.current, answer: null, seconds: 0 });
        run.end = { outcome: "abandoned", at: run.seen };
        track("protocol_run", runEvent({ id: run.pid, version: run.version }, run));
      }
    });
  }

  /** The run this tab works on: its own (sessionStorage), else an unfinished orphan of this protocol
   *  (its tab crashed or was closed: not seen for a few seconds), else a new one. */
  function findRun(proto, now) {
    var ls = store("localStorage"), ss = store("sessionStorage"), run = null, notice = "";
    if (ls && ss) {
      var mine = getJSON(ls, RUN + (ss.getItem(TAB + proto.id) || "-"));
      if (mine && mine.pid === proto.id) run = mine;
      if (!run) {
        for (var i = 0; i < ls.length; i++) {
          var k = ls.key(i);
          if (k.indexOf(RUN) !== 0) continue;
          var r = getJSON(ls, k);
          if (r && r.pid === proto.id && !r.end && now - r.seen > LIVE_MS && (!run || r.seen > run.seen)) run = r;
        }
      }
    }
    if (run && run.version !== proto.version) {
      var rep = replay(proto, run.path);
      if (!rep.ok || (!run.end && !run.confirm && rep.current !== run.current)) {
        del(ls, RUN + run.id);
        run = null;
        notice = "changed";
      } else {
        run.version = proto.version;
      }
    }
    if (run) return { run: run, notice: notice || "resumed" };
    return { run: newRun(proto, now), notice: notice };
  }

  // --- the runner on a protocol page -------------------------------------------------------------
  function Runner(article, proto) {
    var self = this, now = Date.now();
    this.article = article;
    this.proto = proto;
    var register = KB.register();
    // The labels of the enumerations (channels, levels) come with the data, declared once on the server.
    this.t = Object.assign({}, strings(KB.lang(), register), proto.labels);
    this.tm = Object.assign({}, strings(proto.lang, register), proto.labels);
    purge(proto.max_age_days || 30, now);
    this.pending = null;
    var found = findRun(proto, now);
    this.run = found.run;
    this.link = this.deepLink(now);
    this.mount();
    if (this.run.stored) this.save();
    this.render(false);
    if (found.notice && (found.notice === "changed" || this.run.path.length || this.run.end)) {
      this.say(this.t[found.notice]);
    }
    if (this.run.end && !this.run.sent) this.commit();
    this.timer = setInterval(function () { self.tick(); }, 1000);
    this.tick();
    this.onResize = function () { clearTimeout(self.resizing); self.resizing = setTimeout(function () { self.fit(); }, 150); };
    window.addEventListener("resize", this.onResize);
  }

  /** Apply a ticket system's deep link (?ticket=&level=&channel=&contact=) to a fresh run; a run in
   *  progress for the same ticket is kept, one for another ticket (or an ended one) gives way to a new run. */
  Runner.prototype.deepLink = function (now) {
    var link = parseLink(location.search, this.proto, now), v = link.values, r = this.run;
    if (!Object.keys(v).length || r.linked === location.search) return link; // applied once: edits stay
    if (r.end || (r.path.length && v.ticket !== undefined && v.ticket !== r.ticket)) r = this.run = newRun(this.proto, now);
    if (r.path.length) return link;
    if (this.proto.audience === "both") r.mode = "technician"; // a ticket system's link is a technician's
    if (v.ticket !== undefined) r.ticket = v.ticket;
    if (v.level && r.mode === "technician") r.level = v.level;
    if (v.channel) r.channel = v.channel;
    if (v.contact !== undefined) r.contact = v.contact;
    r.linked = location.search;
    this.save();
    return link;
  };

  Runner.prototype.save = function () {
    var r = this.run, ls = store("localStorage"), ss = store("sessionStorage");
    if (r.cleared) return;
    r.stored = true;
    r.seen = Date.now();
    if (ls) setJSON(ls, RUN + r.id, r);
    if (ss) { try { ss.setItem(TAB + this.proto.id, r.id); } catch (e) { /* disabled */ } }
  };

  Runner.prototype.tick = function () {
    var r = this.run, now = r.end ? r.end.at : Date.now();
    this.totalEl.textContent = clock((now - r.started) / 1000);
    this.stepEl.textContent = clock((now - r.stepStart) / 1000);
    if (!r.end && r.stored && Date.now() - r.seen >= BEAT_MS) this.save();
  };

  Runner.prototype.say = function (text) {
    var live = this.live;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  };

  /** Two digits local "YYYY-MM-DDTHH:MM" for a datetime-local field, and back to milliseconds. */
  function localField(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes());
  }

  Runner.prototype.mount = function () {
    var self = this, t = this.t, r = this.run, proto = this.proto, a = this.article;
    var heading = a.querySelector("h2#pasos"), stop = a.querySelector("h2#relacionados");
    for (var n = heading; n && n !== stop; n = n.nextElementSibling) {
      if (n.id !== "kb-protocol-data") n.classList.add("kb-static");
    }
    a.classList.add("kb-runner-on");
    document.body.classList.add("kb-running");
    var field = function (label, input) { return el("label", { className: "kb-r__field" }, [label, input]); };
    var seg = function (legend, name, values, labels, on) {
      return el("fieldset", { className: "kb-r__seg" }, [el("legend", { text: legend })].concat(values.map(function (v, i) {
        return el("label", {}, [el("input", { type: "radio", name: name, value: v, checked: r.level === v || r.mode === v,
          onchange: function () { on(v); } }), labels[i]]);
      })));
    };
    this.levelEl = seg(t.level, "kb-r-level", proto.levels, proto.levels.map(function (lv) { return t[lv]; }),
      function (lv) { self.set("level", lv); });
    this.modeEl = proto.audience === "both" ? seg(t.mode, "kb-r-mode", ["technician", "self-service"],
      [t.mode_tech, t.mode_self], function (m) { self.setMode(m); }) : null;
    this.channelEl = el("select", { onchange: function () { self.set("channel", this.value); } },
      proto.channels.map(function (c) { return el("option", { value: c, text: t[c] }); }));
    this.channelEl.value = r.channel;
    this.ticketEl = el("input", { type: "text", maxlength: "64", autocomplete: "off", value: r.ticket,
      oninput: function () { self.set("ticket", this.value.trim()); } });
    this.techEl = el("input", { type: "text", maxlength: "64", autocomplete: "off", value: r.tech,
      oninput: function () { self.set("tech", this.value.trim()); } });
    this.contactEl = el("input", { type: "datetime-local", value: r.contact ? localField(r.contact) : "",
      onchange: function () {
        var ms = this.value ? new Date(this.value).getTime() : NaN;
        self.set("contact", isNaN(ms) ? null : Math.min(ms, self.run.started));
      } });
    this.practiceEl = el("input", { type: "checkbox", checked: r.practice,
      onchange: function () { self.set("practice", this.checked); } });
    this.totalEl = el("span", { className: "kb-r__clock" });
    this.stepEl = el("span", { className: "kb-r__clock" });
    this.timers = el("p", { className: "kb-r__timers", role: "timer", "aria-live": "off" }, [
      el("span", {}, [t.total + " ", this.totalEl]), el("span", {}, [t.this_step + " ", this.stepEl])]);
    this.bar = el("div", { className: "kb-r__bar" }, [field(t.channel, this.channelEl),
      field(t.ticket, this.ticketEl), field(t.tech, this.techEl), field(t.contact, this.contactEl),
      el("label", { className: "kb-r__check" }, [this.practiceEl, t.practice])]);
    // The page's context (metadata, languages, prerequisites) folds into the runner's one-line summary.
    var ctxPanel = el("div", { className: "kb-r__ctxbody" }, [this.bar]);
    for (var c = a.querySelector("h1"); c && c !== heading; c = c.nextElementSibling) {
      if (c.tagName === "H1" || c.classList.contains("kb-runner")) continue;
      c.classList.add("kb-ctx-static");
      ctxPanel.appendChild(c.cloneNode(true));
    }
    this.ctxLine = el("span", { className: "kb-r__ctxline" });
    this.ctxName = el("strong", { text: t.context });
    this.ctx = el("details", { className: "kb-r__ctx" }, [el("summary", {}, [this.ctxName, " ",
      this.ctxLine]), ctxPanel]);
    this.banner = el("p", { className: "kb-r__practice", text: t.practice_on });
    this.notice = el("p", { className: "kb-r__notice", role: "status", hidden: true });
    if (this.link.bad.length) {
      this.notice.hidden = false;
      this.notice.textContent = this.link.bad.map(function (b) {
        var q = new URLSearchParams(location.search);
        return fill(t.bad_param, (b[0] + "=" + q.get(b[0])).slice(0, 60), t[b[1]]);
      }).join(" · ");
    }
    this.crumbs = el("ol", { className: "kb-r__crumbs", tabindex: "0" }); // one line; scrolls sideways
    this.crumbNav = el("nav", { "aria-label": t.path }, [this.crumbs]);
    this.stage = el("div", { className: "kb-r__stage", onclick: function (e) { self.onStage(e); },
      onchange: function (e) { self.onStage(e); } });
    this.notesEl = el("textarea", { rows: "3", value: r.notes, oninput: function () { self.set("notes", this.value); } });
    this.notesBox = el("label", { className: "kb-r__notes" }, [t.notes, this.notesEl]);
    this.tools = el("div", { className: "kb-r__tools" });
    this.live = el("div", { className: "kb-r__sr", "aria-live": "polite", role: "status" });
    this.recordEl = el("pre", { className: "kb-r__record" }); // printed mid-run instead of the whole list
    this.help = el("dialog", { className: "kb-r__help", "aria-labelledby": "kb-r-keys" }, [
      el("h2", { id: "kb-r-keys", text: t.keys_h }),
      el("dl", {}, [el("dt", {}, [el("kbd", { text: "1" }), "–", el("kbd", { text: "9" })]), el("dd", { text: t.k_opts }),
        el("dt", {}, [el("kbd", { text: "⌫" }), " / ", el("kbd", { text: "B" })]), el("dd", { text: t.k_back }),
        el("dt", {}, [el("kbd", { text: "N" })]), el("dd", { text: t.k_notes }),
        el("dt", {}, [el("kbd", { text: "?" })]), el("dd", { text: t.k_help })]),
      el("button", { type: "button", className: "kb-r__btn kb-r__btn--primary", text: t.close,
        onclick: function () { self.help.close(); } })]);
    this.root = el("section", { className: "kb-runner", "aria-label": t.runner }, [this.notice,
      el("div", { className: "kb-r__head" }, [this.modeEl, this.levelEl, this.ctx]), this.banner,
      el("div", { className: "kb-r__status" }, [this.crumbNav, this.timers]), this.stage, this.tools, this.notesBox, this.live, this.help, this.recordEl]);
    if (heading) heading.parentNode.insertBefore(this.root, heading);
    else a.appendChild(this.root);
  };

  /** Keep the question and the answers on the first screen: the step's long blocks (instructions first,
   *  then the script) give up height and scroll inside their own box, never below a few lines. */
  Runner.prototype.fit = function () {
    var opts = this.stage.querySelector(".kb-r__options"), boxes = this.stage.querySelectorAll(".kb-r__scroll");
    Array.prototype.forEach.call(boxes, function (b) { b.style.maxHeight = ""; });
    if (!opts || !boxes.length || window.innerWidth < 600) return; // phones scroll the page
    var over = opts.getBoundingClientRect().bottom + window.scrollY - window.innerHeight + 8;
    var min = 3.6 * parseFloat(getComputedStyle(document.documentElement).fontSize);
    for (var i = boxes.length - 1; i >= 0 && over > 0; i--) {
      var h = boxes[i].clientHeight, to = Math.max(min, h - over);
      if (to < h) { boxes[i].style.maxHeight = to + "px"; over -= h - to; }
    }
  };

  /** The folded context's one line: channel, ticket, contact time and the prerequisites' count. */
  Runner.prototype.ctxText = function () {
    var r = this.run, t = this.t, parts = [];
    if (r.mode === "technician") {
      parts.push(t[r.channel] || r.channel, r.ticket || t.no_ticket);
      if (r.contact) parts.push(t.s_contact + " " + localField(r.contact).slice(11));
    }
    var pre = (this.proto.prerequisites || []).length;
    if (pre) parts.push(t.before + " (" + pre + ")");
    return parts.join(" · ");
  };

  /** The table of contents marks the runner's current step (Material's scroll spy cannot: the list is hidden). */
  Runner.prototype.markToc = function () {
    var id = this.run.end ? null : this.run.current;
    Array.prototype.forEach.call(document.querySelectorAll(".md-nav--secondary a.md-nav__link"), function (l) {
      var on = !!id && l.getAttribute("href") === "#" + id;
      l.classList.toggle("kb-toc-current", on);
      if (on) l.setAttribute("aria-current", "step"); else l.removeAttribute("aria-current");
    });
  };

  Runner.prototype.set = function (key, value) {
    this.run[key] = value;
    if (key !== "notes" && key !== "ticket" && key !== "contact") savePrefs(this.run);
    this.save();
    this.ctxLine.textContent = this.ctxText();
    if (key === "level" || key === "practice") this.render(false);
    var out = document.getElementById("kb-r-summary");
    if (out && this.run.end && this.run.mode === "technician") out.value = summary(this.proto, this.run, this.t);
  };

  Runner.prototype.setMode = function (mode) {
    try { localStorage.setItem(TECH, mode === "technician" ? "1" : "0"); } catch (e) { /* no storage */ }
    this.run.mode = mode;
    if (mode === "self-service") { this.run.level = "basic"; this.run.practice = false; }
    this.save();
    this.render(false);
  };

  Runner.prototype.button = function (label, onclick, cls, key) {
    var kids = key ? [el("kbd", { text: String(key), "aria-hidden": "true" }), " ", label] : [label];
    return el("button", { type: "button", className: "kb-r__btn " + (cls || ""), onclick: onclick,
      "aria-keyshortcuts": key ? String(key) : null }, kids);
  };

  Runner.prototype.record = function (answer) {
    var r = this.run, now = Date.now();
    r.path.push({ step: r.current, answer: answer, seconds: Math.round((now - r.stepStart) / 1000) });
    r.stepStart = now;
  };

  Runner.prototype.choose = function (i) {
    var r = this.run, s = stepOf(this.proto, r.current), o = s.options[i];
    this.record(o.label);
    if (o.next) {
      r.current = o.next;
      this.save();
      this.render(true);
    } else if (o.resolve && r.mode === "self-service") {
      r.confirm = { step: s.id, option: i, cause: o.resolve, explain: o.explain, prevent: o.prevent };
      this.save();
      this.render(true);
    } else if (o.resolve) {
      this.finish("resolved", { step: s.id, cause: o.resolve, explain: o.explain, prevent: o.prevent });
    } else {
      this.finish("escalated", { step: s.id, target: o.escalate });
    }
  };

  /** End the run: outcome resolved | escalated | unresolved | abandoned; records the event once. */
  Runner.prototype.finish = function (outcome, detail) {
    var r = this.run, d = detail || {};
    if (r.end) return;
    if (outcome === "abandoned" || (outcome === "unresolved" && !r.confirm)) this.record(null);
    r.end = { outcome: outcome, at: Date.now(), step: d.step || null, cause: d.cause || null,
      explain: d.explain || null, prevent: d.prevent || null, target: d.target || null };
    r.confirm = null;
    this.save();
    this.commit();
    this.render(true);
  };

  Runner.prototype.commit = function () {
    var r = this.run, proto = this.proto;
    if (r.sent) return;
    track("protocol_run", runEvent(proto, r));
    if (!r.practice && r.mode === "technician") {
      r.used.forEach(function (id) {
        track("article_used", { article_id: id, ticket_ref: r.ticket || null, technician: r.tech || null,
          session_id: r.id });
      });
    }
    r.sent = true;
    this.save();
  };

  /** Index of the last answer in the path (entries of steps left with "back" are not answers). */
  function lastAnswer(path) {
    for (var i = path.length - 1; i >= 0; i--) if (!path[i].back) return i;
    return -1;
  }

  /** Back to the previous step: its answer is undone; the step left stays in the path with `back: true`
   *  and the seconds spent on it (DESIGN.md), so back-rates per step can be counted. */
  Runner.prototype.back = function () {
    var r = this.run, i = lastAnswer(r.path), now = Date.now();
    if (r.end || i < 0) return;
    var e = r.path.splice(i, 1)[0];
    if (!r.confirm) r.path.push({ step: r.current, answer: null, seconds: Math.round((now - r.stepStart) / 1000), back: true });
    r.confirm = null;
    r.current = e.step;
    r.stepStart = Date.now() - e.seconds * 1000;
    this.save();
    this.render(true);
  };

  Runner.prototype.restart = function () {
    var ls = store("localStorage"), old = this.run;
    if (ls) del(ls, RUN + old.id);
    this.run = newRun(this.proto, Date.now());
    if (old.mode !== this.run.mode && this.proto.audience === "both") this.run.mode = old.mode;
    this.notesEl.value = "";
    this.ticketEl.value = "";
    this.contactEl.value = "";
    this.techEl.value = this.run.tech;
    this.channelEl.value = this.run.channel;
    this.render(true);
    this.tick();
  };

  Runner.prototype.copy = function (text, area, clear, button) {
    var self = this, done = function () {
      self.say(self.t.copied);
      if (button) { // visible, beside the button pressed; back to its label after a while
        var label = button.getAttribute("data-label") || button.textContent;
        button.setAttribute("data-label", label);
        button.textContent = self.t.copied_btn;
        button.classList.add("kb-r__copy--done");
        clearTimeout(button.kbTimer);
        button.kbTimer = setTimeout(function () {
          button.textContent = label;
          button.classList.remove("kb-r__copy--done");
        }, 4000);
      }
      if (clear) { // the ticket has the summary: this run need not be kept any longer
        var ls = store("localStorage");
        if (ls) del(ls, RUN + self.run.id);
        self.run.cleared = true;
      }
    };
    var fallback = function () {
      area.focus();
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      if (ok) done(); else self.say(self.t.copy_failed);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  };

  Runner.prototype.render = function (focus) {
    var self = this, r = this.run, t = this.t, tech = r.mode === "technician";
    this.root.classList.toggle("kb-r--self", !tech);
    this.root.classList.toggle("kb-r--ended", !!r.end);
    this.bar.hidden = this.levelEl.hidden = !tech || !!r.end;
    if (this.modeEl) this.modeEl.hidden = !!r.end;
    this.banner.hidden = !r.practice;
    this.notesBox.hidden = !tech;
    this.timers.hidden = !tech;
    this.practiceEl.checked = r.practice;
    Array.prototype.forEach.call(this.root.querySelectorAll("input[type=radio]"), function (i) {
      i.checked = i.value === r.level || i.value === r.mode;
    });
    this.crumbs.textContent = "";
    r.path.forEach(function (e) {
      if (e.back) return;
      var s = stepOf(self.proto, e.step);
      self.crumbs.appendChild(el("li", {}, [el("span", { className: "kb-r__crumb-step",
        text: stepNumber(self.proto, e.step) + ". " + (s ? s.title : e.step) }),
        e.answer ? el("span", { className: "kb-r__crumb-answer", text: e.answer }) : null]));
    });
    this.crumbNav.hidden = lastAnswer(r.path) < 0;
    this.crumbs.scrollLeft = this.crumbs.scrollWidth; // the latest answers in view
    this.ctxLine.textContent = this.ctxText();
    this.ctxName.textContent = tech ? t.context : t.about;
    this.pending = null;
    this.markToc();
    this.stage.textContent = "";
    var title = r.end ? this.renderEnd() : this.renderStep();
    this.renderTools();
    this.fit();
    if (focus) {
      title.focus();
      this.say(title.textContent);
    }
  };

  /** The current step as the server rendered it (theme/fragments/step.md): a copy of its section of the
   *  decision list, cut to this run's mode, level and confirmation. Nothing of the step is built here; the
   *  section's placeholders become controls (the page's sanitiser keeps no <button> or <input>). */
  Runner.prototype.renderStep = function () {
    var r = this.run, tech = r.mode === "technician";
    var src = this.article.querySelector('.kb-step[data-step="' + r.current + '"]');
    var s = src.cloneNode(true), drop = [".kb-list-only", ".kb-step-title", tech ? ".kb-self-only" : ".kb-tech-only"];
    if (r.level === "advanced" && tech) drop.push(".kb-say--basic:not(.kb-say--only)");
    else drop.push(".kb-say--advanced");
    var on = r.confirm ? s.querySelector('.kb-confirm[data-confirm="' + r.confirm.option + '"]') : null;
    if (on) { // self-service, after an answer that resolves: only "is it solved?"
      on.classList.remove("kb-self-only");
      drop = [".kb-step-title"];
      Array.prototype.forEach.call(s.querySelector(".kb-step__body").children, function (n) {
        if (n !== on && !n.classList.contains("kb-r__title")) n.remove();
      });
    } else {
      drop.push(".kb-confirm");
    }
    drop.forEach(function (q) { Array.prototype.forEach.call(s.querySelectorAll(q), function (n) { n.remove(); }); });
    Array.prototype.forEach.call(s.querySelectorAll("[id]"), function (n) { n.removeAttribute("id"); });
    Array.prototype.forEach.call(s.querySelectorAll("details"), function (d) { d.open = true; });
    Array.prototype.forEach.call(s.querySelectorAll(".kb-r__scroll"), function (d) { d.tabIndex = 0; });
    Array.prototype.forEach.call(s.querySelectorAll("[data-kb-button]"), function (n) {
      var b = document.createElement("button");
      Array.prototype.forEach.call(n.attributes, function (a) { if (a.name !== "data-kb-button") b.setAttribute(a.name, a.value); });
      b.type = "button";
      while (n.firstChild) b.appendChild(n.firstChild);
      n.replaceWith(b);
    });
    var used = r.used;
    Array.prototype.forEach.call(s.querySelectorAll("[data-kb-check]"), function (n) {
      var box = document.createElement("input"), label = document.createElement("label");
      box.type = "checkbox";
      box.value = n.getAttribute("data-kb-check");
      box.checked = used.indexOf(box.value) >= 0;
      label.className = n.className;
      label.appendChild(box);
      while (n.firstChild) label.appendChild(n.firstChild);
      n.replaceWith(label);
    });
    s.classList.remove("kb-static");
    s.classList.add("kb-step--run");
    this.stage.appendChild(s);
    return s.querySelector(".kb-r__title");
  };

  /** Clicks and ticks inside the step (its controls come from the server's HTML). */
  Runner.prototype.onStage = function (e) {
    var r = this.run, n = e.target, s = stepOf(this.proto, r.current);
    if (e.type === "change" && n.type === "checkbox" && !r.end) {
      var i = r.used.indexOf(n.value);
      if (n.checked && i < 0) r.used.push(n.value);
      if (!n.checked && i >= 0) r.used.splice(i, 1);
      this.save();
      return;
    }
    var b = e.type === "click" && n.closest && n.closest(".kb-step--run button");
    if (!b || r.end) return;
    var act = b.getAttribute("data-act"), opt = b.getAttribute("data-option");
    if (opt !== null) this.choose(Number(opt));
    else if (act === "solved") this.finish("resolved", r.confirm);
    else if (act === "still") this.finish("unresolved", null);
    else if (act === "end") {
      this.record(null);
      if (s.resolve) this.finish("resolved", { step: s.id, cause: s.resolve, explain: s.explain, prevent: s.prevent });
      else this.finish("escalated", { step: s.id, target: s.escalate });
    }
  };

  Runner.prototype.renderEnd = function () {
    var self = this, r = this.run, t = this.t, tech = r.mode === "technician", end = r.end, st = this.stage;
    var h = el("h2", { className: "kb-r__title kb-r__end kb-r__end--" + end.outcome, tabindex: "-1",
      text: tech || end.outcome !== "resolved" ? resultLine(r, t) : t.self_done });
    st.appendChild(h);
    var abs = function (u) { return new URL(u, location.href).href; };
    var box = function (id, heading, text, label, clear, help) {
      var area = el("textarea", { id: id, readonly: true, rows: String(Math.min(18, text.split("\n").length + 1)),
        value: text, "aria-labelledby": id + "-h" });
      return el("div", { className: "kb-r__out" }, [el("h3", { id: id + "-h", text: heading }),
        help ? el("p", { text: help }) : null, area,
        self.button(label, function () { self.copy(area.value, area, clear, this); }, "kb-r__copy")]);
    };
    if (tech) {
      st.appendChild(box("kb-r-summary", t.summary_h, summary(this.proto, r, t), t.copy_summary, true));
      st.appendChild(box("kb-r-message", t.message_h, followUp(this.proto, r, this.tm, abs), t.copy_message, false));
      // assets/kb/ticket.js attaches "add the note to the ticket" and "e-mail the customer" here
      document.dispatchEvent(new CustomEvent("kb:run-end", { detail: { stage: st, session_id: r.id,
        ticket: r.ticket, articles: r.used.slice(), practice: !!r.practice, lang: this.proto.lang } }));
    } else if (end.outcome === "resolved") {
      if (end.explain) st.appendChild(el("p", {}, [el("strong", { text: t.what + ": " }), end.explain]));
      if (end.prevent) st.appendChild(el("p", {}, [el("strong", { text: t.prevent + ": " }), end.prevent]));
      var arts = pathArticles(this.proto, r);
      if (arts.length) {
        st.appendChild(el("p", { className: "kb-r__label", text: t.more }));
        st.appendChild(el("ul", {}, arts.map(function (a) { return el("li", {}, [el("a", { href: a.url, text: a.title })]); })));
      }
    } else {
      var text = summary(this.proto, r, t);
      st.appendChild(box("kb-r-summary", t.self_summary_h, text, t.copy_summary, true, t.self_summary_help));
      var people = window.KB && KB.support && KB.support.block({ subject: this.proto.title, body: text,
        id: "kb-r-support" });
      if (people) st.insertBefore(people, st.lastChild); // the way to a person, before the summary box
    }
    return h;
  };

  /** The tools under the step, in three groups: an outcome (styled like the answers), moving around,
   *  and what throws work away (restart, abandon), which asks for a second, explicit action. */
  Runner.prototype.renderTools = function () {
    var self = this, r = this.run, t = this.t, tech = r.mode === "technician", tools = this.tools;
    tools.textContent = "";
    var group = function (cls) { var g = el("div", { className: "kb-r__group " + cls }); tools.appendChild(g); return g; };
    var add = function (g, label, fn, cls) { var b = self.button(label, fn, cls); g.appendChild(b); return b; };
    var outcome = group("kb-r__group--outcome"), move = group("kb-r__group--move");
    if (!r.end) {
      if (tech) add(outcome, t.unresolved, function () { self.finish("unresolved", null); }, "kb-r__opt--escalate");
      else if (!r.confirm) add(outcome, t.self_still, function () { self.finish("unresolved", null); }, "kb-r__opt--escalate");
      if (lastAnswer(r.path) >= 0) add(move, t.back, function () { self.back(); });
    } else {
      add(outcome, tech ? t.new_run : t.self_again, function () { self.restart(); }, "kb-r__btn--primary");
    }
    var shown = this.article.classList.contains("kb-show-all");
    add(move, shown ? t.hide_all : t.show_all, function () {
      self.article.classList.toggle("kb-show-all");
      self.renderTools();
    });
    if (tech) add(move, t.keys, function () { self.toggleHelp(); }, "kb-r__keys");
    if (r.end) return;
    var risky = group("kb-r__group--risky");
    var ask = function (what) { self.pending = what; self.renderTools(); self.tools.querySelector(".kb-r__cancel").focus(); };
    if (this.pending) {
      var p = this.pending, yes = p === "restart" ? function () { self.restart(); }
        : function () { self.finish("abandoned", null); };
      risky.classList.add("kb-r__confirm");
      risky.setAttribute("role", "group");
      risky.setAttribute("aria-label", t[p === "restart" ? "restart" : "abandon"]);
      risky.appendChild(el("p", { text: t["ask_" + p] }));
      add(risky, t["yes_" + p], yes, "kb-r__btn--danger");
      add(risky, t.cancel, function () { self.pending = null; self.renderTools(); }, "kb-r__cancel");
      return;
    }
    add(risky, t.restart, function () { ask("restart"); }, "kb-r__btn--quiet");
    if (tech) add(risky, t.abandon, function () { ask("abandon"); }, "kb-r__btn--quiet");
  };

  Runner.prototype.toggleHelp = function () {
    if (this.help.open) this.help.close();
    else this.help.showModal();
  };

  Runner.prototype.key = function (e) {
    var k = e.key, r = this.run;
    if (this.help.open) return false;
    if (/^[1-9]$/.test(k)) {
      var b = this.stage.querySelectorAll(".kb-step--run .kb-r__options button")[Number(k) - 1];
      if (!b) return false;
      b.click();
      return true;
    }
    if (k === "Escape" && this.pending) { this.pending = null; this.renderTools(); return true; }
    if (k === "Backspace" || k === "b" || k === "B") {
      if (r.end || lastAnswer(r.path) < 0) return false;
      this.back();
      return true;
    }
    if ((k === "n" || k === "N") && !this.notesBox.hidden) { this.notesEl.focus(); return true; }
    if (k === "?") { this.toggleHelp(); return true; }
    return false;
  };

  /** Printing during a run: a one-page case record (path, answers, times, notes) instead of the list. */
  Runner.prototype.printRecord = function () {
    var r = this.run, s = stepOf(this.proto, r.current);
    if (r.end || lastAnswer(r.path) < 0) return false;
    var now = { outcome: "in_progress", at: Date.now(), step: r.current,
      cause: fill(this.t.step_n, String(stepNumber(this.proto, r.current))) + ": " + (s ? s.title : r.current) };
    this.recordEl.textContent = summary(this.proto, Object.assign({}, r, { end: now }), this.t);
    document.body.classList.add("kb-print-record");
    return true;
  };

  Runner.prototype.destroy = function () {
    clearInterval(this.timer);
    window.removeEventListener("resize", this.onResize);
    document.body.classList.remove("kb-running");
  };

  // --- the satisfaction page ---------------------------------------------------------------------
  function initCsat(form) {
    var id = new URLSearchParams(location.search).get("run") || "", thanks = document.getElementById("kb-csat-thanks");
    var ls = store("localStorage"), key = KB.keys.csat + id;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      document.getElementById("kb-csat-invalid").hidden = false;
      return;
    }
    if (ls && ls.getItem(key)) { thanks.hidden = false; return; }
    form.hidden = false;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var checked = form.querySelector("input[name=rating]:checked");
      if (!checked) return;
      var comment = form.querySelector("textarea").value.trim().slice(0, 1000);
      track("csat", { session_id: id, rating: Number(checked.value), comment: comment || null });
      if (ls) { try { ls.setItem(key, "1"); } catch (err) { /* full or disabled */ } }
      form.hidden = true;
      thanks.hidden = false;
      thanks.focus();
    });
  }

  // --- wiring: every page load, including Material's instant navigation ----------------------------
  function init() {
    if (cur) { cur.destroy(); cur = null; }
    // Material's search dialog has no accessible name (axe: aria-dialog-name); give it the input's.
    var search = document.querySelector(".md-search[role=dialog]:not([aria-label])"), input = search &&
      search.querySelector("input[aria-label], input[placeholder]");
    if (input) search.setAttribute("aria-label", input.getAttribute("aria-label") || input.placeholder);
    var data = document.getElementById("kb-protocol-data");
    var article = data && (data.closest("article") || data.parentNode);
    if (data && article && !article.querySelector(".kb-runner")) {
      try {
        cur = new Runner(article, JSON.parse(data.getAttribute("data-protocol")));
      } catch (err) { // the static list is still there
        article.classList.remove("kb-runner-on");
        if (window.console) console.error("kb runner:", err);
      }
    }
    var form = document.getElementById("kb-csat");
    if (form && form.hidden && !form.getAttribute("data-ready")) {
      form.setAttribute("data-ready", "1");
      initCsat(form);
    }
  }

  function isField(n) { // where keys type text or pick values; radios, checkboxes and buttons are not
    return n && (n.isContentEditable || /^(TEXTAREA|SELECT)$/.test(n.tagName) ||
      (n.tagName === "INPUT" && !/^(radio|checkbox|button|submit|reset)$/.test(n.type)));
  }

  document.addEventListener("keydown", function (e) {
    if (!cur || !document.body.contains(cur.root) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isField(e.target)) { // Escape leaves the notes for the step, where the keys work again
      if (e.key === "Escape" && e.target === cur.notesEl) cur.stage.querySelector(".kb-r__title").focus();
      return;
    }
    if (cur.key(e)) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  // Printing shows the full tree: collapsed details (technician notes) open for the print only.
  window.addEventListener("beforeprint", function () {
    if (cur && document.body.contains(cur.root) && cur.printRecord()) return;
    Array.prototype.forEach.call(document.querySelectorAll("article details:not([open])"), function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-kb-print", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.body.classList.remove("kb-print-record");
    Array.prototype.forEach.call(document.querySelectorAll("details[data-kb-print]"), function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-kb-print");
    });
  });

  window.addEventListener("hashchange", function () {
    var target = cur && location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.classList.contains("kb-static") && !cur.article.classList.contains("kb-show-all")) {
      cur.article.classList.add("kb-show-all");
      cur.renderTools();
      target.scrollIntoView();
    }
  });

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
