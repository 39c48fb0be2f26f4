// Unit tests of the runner's pure functions (theme/assets/kb/runner.js): node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const R = require("../../theme/assets/kb/runner.js");

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0); // 2026-11-23 09:00:00 UTC

const PROTO = {
  id: "sin-conexion", version: "ebaca2082246", title: "Sin conexión a Internet", audience: "both", lang: "es",
  channels: ["phone", "chat", "remote"], levels: ["basic", "advanced"], start: "comprobar-cable", csat_url: "../../satisfaccion/",
  max_age_days: 30,
  steps: [
    { id: "comprobar-cable", title: "Comprobar la conexión física", ask: "¿Navega ahora?",
      articles: [{ id: "cable-suelto", title: "El cable de red está suelto", audience: "end-user",
        url: "../../red/cable-suelto/" }],
      options: [{ label: "Sí", resolve: "Cable desconectado", explain: "El cable de red no estaba bien conectado.",
        prevent: "Asegúrese de que el cable hace clic al conectarlo." }, { label: "No", next: "comprobar-dns" }] },
    { id: "comprobar-dns", title: "Comprobar el DNS", ask: "¿Los servidores DNS son los de la empresa?",
      articles: [{ id: "dns-mal-configurado", title: "DNS mal configurado", audience: "technician",
        url: "../../red/dns-mal-configurado/" }],
      options: [{ label: "No", resolve: "DNS mal configurado",
        explain: "El equipo usaba una dirección equivocada para traducir nombres de páginas.",
        prevent: "No cambie la configuración de red sin ayuda." }, { label: "Sí", next: "escalar" }] },
    { id: "escalar", title: "Escalar a redes", articles: [], options: [], escalate: "Nivel 2 — Redes" },
  ],
};

function run(overrides) {
  return Object.assign({
    id: "0f8fad5b-d9cb-469f-a165-70867728950e", pid: PROTO.id, version: PROTO.version, mode: "technician",
    started: T0, level: "basic", channel: "phone", ticket: "INC-1234", tech: "ana", practice: false,
    path: [{ step: "comprobar-cable", answer: "No", seconds: 42 }, { step: "comprobar-dns", answer: "No", seconds: 30 }],
    used: ["dns-mal-configurado"], notes: "  El cliente usa un portátil.  ",
    end: { outcome: "resolved", at: T0 + 72000, step: "comprobar-dns", cause: "DNS mal configurado",
      explain: "El equipo usaba una dirección equivocada para traducir nombres de páginas.",
      prevent: "No cambie la configuración de red sin ayuda." },
  }, overrides || {});
}

// The enumerations' labels come with the runner's data (generator/render/i18n.py enum_labels).
const LABELS = {
  es: { phone: "Teléfono", chat: "Chat", remote: "Control remoto", email: "Correo", basic: "Básico", advanced: "Avanzado" },
  en: { phone: "Phone", chat: "Chat", remote: "Remote control", email: "Email", basic: "Basic", advanced: "Advanced" },
};
const texts = (lang) => Object.assign({}, R.strings(lang), LABELS[lang]);
const es = texts("es");
const abs = (u) => new URL(u, "https://kb.example/protocolos/sin-conexion/").href;

test("clock and duration format seconds", () => {
  assert.equal(R.clock(0), "00:00");
  assert.equal(R.clock(42.9), "00:42");
  assert.equal(R.clock(3723), "1:02:03");
  assert.equal(R.duration(0, es), "0 s");
  assert.equal(R.duration(72, es), "1 min 12 s");
  assert.equal(R.duration(3600, es), "1 h");
  assert.equal(R.duration(3723, R.strings("en")), "1 h 2 min 3 s");
});

test("stamp shows local time with its offset", () => {
  assert.equal(R.stamp(T0, 60), "2026-11-23 10:00:00 (UTC+01:00)");
  assert.equal(R.stamp(T0, -330), "2026-11-23 03:30:00 (UTC-05:30)");
  assert.equal(R.stamp(T0, 0), "2026-11-23 09:00:00 (UTC+00:00)");
});

test("strings: Spanish and English have the same keys; unknown languages fall back to Spanish", () => {
  assert.deepEqual(Object.keys(R.STR.es).sort(), Object.keys(R.STR.en).sort());
  assert.equal(R.strings("fr"), R.STR.es);
  assert.equal(R.strings("en-GB"), R.STR.en);
});

test("replay walks a path and finds where it stands", () => {
  assert.deepEqual(R.replay(PROTO, []), { ok: true, current: "comprobar-cable", ending: null });
  const two = R.replay(PROTO, [{ step: "comprobar-cable", answer: "No", seconds: 1 },
    { step: "comprobar-dns", answer: "Sí", seconds: 1 }]);
  assert.deepEqual(two, { ok: true, current: "escalar", ending: null });
  const resolved = R.replay(PROTO, [{ step: "comprobar-cable", answer: "Sí", seconds: 1 }]);
  assert.equal(resolved.ok, true);
  assert.equal(resolved.ending.resolve, "Cable desconectado");
  const ended = R.replay(PROTO, [{ step: "comprobar-cable", answer: "No", seconds: 1 },
    { step: "comprobar-dns", answer: null, seconds: 3 }]);
  assert.deepEqual(ended, { ok: true, current: "comprobar-dns", ending: null });
});

test("replay rejects a path the protocol no longer allows", () => {
  assert.equal(R.replay(PROTO, [{ step: "comprobar-dns", answer: "No", seconds: 1 }]).ok, false);
  assert.equal(R.replay(PROTO, [{ step: "comprobar-cable", answer: "Quizá", seconds: 1 }]).ok, false);
  assert.equal(R.replay(PROTO, [{ step: "comprobar-cable", answer: "Sí", seconds: 1 },
    { step: "comprobar-dns", answer: "No", seconds: 1 }]).ok, false);
  assert.equal(R.replay(PROTO, [{ step: "comprobar-cable", answer: null, seconds: 1 },
    { step: "comprobar-dns", answer: "No", seconds: 1 }]).ok, false);
  assert.equal(R.replay(Object.assign({}, PROTO, { start: "borrado" }), []).ok, false);
});

test("case summary for the ticket, resolved", () => {
  assert.equal(R.summary(PROTO, run(), es, 60), [
    "Protocolo: Sin conexión a Internet (sin-conexion, versión ebaca2082246)",
    "Ejecución: 0f8fad5b-d9cb-469f-a165-70867728950e",
    "Canal: Teléfono",
    "Nivel del cliente: Básico",
    "Ticket: INC-1234",
    "Técnico: ana",
    "Inicio: 2026-11-23 10:00:00 (UTC+01:00)",
    "Fin: 2026-11-23 10:01:12 (UTC+01:00)",
    "Duración: 1 min 12 s",
    "Pasos:",
    "1. Comprobar la conexión física — No (42 s)",
    "2. Comprobar el DNS — No (30 s)",
    "Resultado: Resuelto — DNS mal configurado",
    "Artículos usados: DNS mal configurado (dns-mal-configurado)",
    "Notas:",
    "El cliente usa un portátil.",
  ].join("\n"));
});

test("case summary: escalated practice run without ticket, articles or notes", () => {
  const r = run({ ticket: "", tech: "", practice: true, used: [], notes: "", channel: "chat", level: "advanced",
    path: [{ step: "comprobar-cable", answer: "No", seconds: 5 }, { step: "comprobar-dns", answer: "Sí", seconds: 6 },
      { step: "escalar", answer: null, seconds: 1 }],
    end: { outcome: "escalated", at: T0 + 12000, step: "escalar", target: "Nivel 2 — Redes" } });
  assert.equal(R.summary(PROTO, r, es, 0), [
    "Protocolo: Sin conexión a Internet (sin-conexion, versión ebaca2082246)",
    "Ejecución: 0f8fad5b-d9cb-469f-a165-70867728950e",
    "Práctica: sí (no cuenta en los informes)",
    "Canal: Chat",
    "Nivel del cliente: Avanzado",
    "Inicio: 2026-11-23 09:00:00 (UTC+00:00)",
    "Fin: 2026-11-23 09:00:12 (UTC+00:00)",
    "Duración: 12 s",
    "Pasos:",
    "1. Comprobar la conexión física — No (5 s)",
    "2. Comprobar el DNS — Sí (6 s)",
    "3. Escalar a redes (1 s)",
    "Resultado: Escalado a Nivel 2 — Redes",
    "Artículos usados: Ninguno",
    "Notas:",
    "—",
  ].join("\n"));
});

test("self-service summary for a support request: plain language, no ids, hashes or UTC offsets", () => {
  const r = run({ mode: "self-service", path: [{ step: "comprobar-cable", answer: "No", seconds: 20 },
    { step: "comprobar-dns", answer: null, seconds: 10 }], end: { outcome: "unresolved", at: T0 + 30000 } });
  const en = R.summary(PROTO, r, texts("en"), 0, "UTC");
  assert.equal(en, [
    "Guide: Sin conexión a Internet",
    "What I tried:",
    "1. Comprobar la conexión física — No",
    "2. Comprobar el DNS",
    "Outcome: Still not working",
  ].join("\n") + "\n" + en.split("\n").pop());
  assert.match(en, /\nDate: 23 November 2026(,| at) 09:00$/);
  const spanish = R.summary(PROTO, r, texts("es"), 0, "Europe/Madrid");
  assert.match(spanish, /\nFecha: 23 de noviembre de 2026(,| a las) 10:00$/); // the wording is ICU's
  for (const text of [en, spanish]) {
    assert.doesNotMatch(text, /0f8fad5b|ebaca2082246|sin-conexion\b|UTC|[+-]\d\d:\d\d/);
  }
});

test("follow-up message, resolved, basic level: explain, prevent, end-user articles, CSAT link", () => {
  // the articles of the steps passed through (cable-suelto, step 1) are not the cause: left out
  assert.doesNotMatch(R.followUp(PROTO, run(), es, abs), /Si quiere saber más/);
  assert.equal(R.followUp(PROTO, run({ used: ["dns-mal-configurado", "cable-suelto"] }), es, abs), [
    "Hola:",
    "Gracias por contactar con soporte técnico. Su consulta «Sin conexión a Internet» está resuelta.",
    "Qué ocurrió: El equipo usaba una dirección equivocada para traducir nombres de páginas.",
    "Cómo evitar que vuelva a pasar: No cambie la configuración de red sin ayuda.",
    "Si quiere saber más:\n- El cable de red está suelto: https://kb.example/red/cable-suelto/",
    "Referencia de su caso: INC-1234",
    "¿Nos dice qué tal le atendimos? Es una sola pregunta: " +
      "https://kb.example/satisfaccion/?run=0f8fad5b-d9cb-469f-a165-70867728950e",
    "Un saludo,\nSoporte técnico",
  ].join("\n\n"));
});

test("follow-up message at the advanced level names the cause and the team", () => {
  const resolved = R.followUp(PROTO, run({ level: "advanced" }), es, abs);
  assert.match(resolved, /\n\nCausa técnica: DNS mal configurado\n\n/);
  const esc = run({ level: "advanced", ticket: "", end: { outcome: "escalated", at: T0 + 1000, target: "Nivel 2 — Redes" } });
  assert.equal(R.followUp(PROTO, esc, texts("en"), abs).split("\n\n")[1],
    "Thank you for contacting technical support. We have passed your request “Sin conexión a Internet” to " +
    "Nivel 2 — Redes, who will contact you. You will not need to explain the problem again.");
  const basic = R.followUp(PROTO, Object.assign(esc, { level: "basic" }), es, abs);
  assert.doesNotMatch(basic, /Nivel 2/);
  assert.match(basic, /a un equipo especializado/);
});

test("follow-up message for unresolved and abandoned runs, without articles off the path", () => {
  const r = run({ path: [{ step: "comprobar-cable", answer: null, seconds: 3 }], ticket: "",
    end: { outcome: "abandoned", at: T0 + 3000 } });
  const text = R.followUp(PROTO, r, es, abs);
  assert.match(text, /La comunicación se interrumpió/);
  assert.doesNotMatch(text, /cable-suelto/); // passed through, not marked used
  r.end.outcome = "unresolved";
  assert.match(R.followUp(PROTO, r, es, abs), /Todavía no hemos podido resolver/);
  assert.deepEqual(R.pathArticles(PROTO, run()).map((a) => a.id), []);
  // resolved on step 1: that step's end-user article; technician articles never
  const first = run({ path: [{ step: "comprobar-cable", answer: "Sí", seconds: 5 }], used: [],
    end: { outcome: "resolved", at: T0 + 5000, step: "comprobar-cable", cause: "Cable desconectado" } });
  assert.deepEqual(R.pathArticles(PROTO, first).map((a) => a.id), ["cable-suelto"]);
});

test("a step left with back stays in the path with back: true; replay skips it", () => {
  const r = run({ contact: T0 - 600000, path: [{ step: "comprobar-dns", answer: null, seconds: 9, back: true },
    { step: "comprobar-cable", answer: "No", seconds: 42 }, { step: "comprobar-dns", answer: "No", seconds: 30 }] });
  const ev = R.runEvent(PROTO, r);
  assert.deepEqual(ev.path[0], { step: "comprobar-dns", seconds: 9, back: true });
  assert.equal(ev.contact_at, "2026-11-23T08:50:00.000Z");
  assert.equal(R.replay(PROTO, r.path.slice(0, 2)).current, "comprobar-dns");
  assert.match(R.summary(PROTO, r, es, 60), /\n1\. Comprobar el DNS — volvió atrás \(9 s\)\n/);
  assert.match(R.summary(PROTO, r, es, 60), /\nContacto del cliente: 2026-11-23 09:50:00 \(UTC\+01:00\)\n/);
});

test("deep link: every parameter checked, a bad one named and left out", () => {
  const now = T0;
  const ok = R.parseLink("?ticket=INC-1&level=advanced&channel=chat&contact=2026-11-23T08:30:00Z", PROTO, now);
  assert.deepEqual(ok, { values: { ticket: "INC-1", level: "advanced", channel: "chat", contact: T0 - 1800000 },
    bad: [] });
  const bad = R.parseLink("?ticket=%3Cscript%3E&level=experto&channel=email&contact=ayer", PROTO, now);
  assert.deepEqual(bad.values, {});
  assert.deepEqual(bad.bad.map((b) => b[0]), ["ticket", "level", "channel", "contact"]);
  assert.deepEqual(R.parseLink("?contact=2026-11-24T09:00:00Z", PROTO, now).bad, [["contact", "bad_contact"]]);
  assert.deepEqual(R.parseLink("?contact=2026-11-23T10:00:00", PROTO, now).bad, [["contact", "bad_contact"]]);
  assert.deepEqual(R.parseLink("", PROTO, now), { values: {}, bad: [] });
});

test("the protocol_run event carries the contract's fields and never the notes", () => {
  const ev = R.runEvent(PROTO, run());
  assert.deepEqual(ev, {
    session_id: "0f8fad5b-d9cb-469f-a165-70867728950e", protocol_id: "sin-conexion", protocol_version: "ebaca2082246",
    started_at: "2026-11-23T09:00:00.000Z", ended_at: "2026-11-23T09:01:12.000Z", outcome: "resolved",
    path: [{ step: "comprobar-cable", answer: "No", seconds: 42 }, { step: "comprobar-dns", answer: "No", seconds: 30 }],
    resolved_step: "comprobar-dns", cause: "DNS mal configurado", escalated_to: null, channel: "phone",
    customer_level: "basic", mode: "technician", ticket_ref: "INC-1234", technician: "ana",
    articles_used: ["dns-mal-configurado"], practice: false,
  });
  assert.ok(!JSON.stringify(ev).includes("portátil"));
  const self = R.runEvent(PROTO, run({ mode: "self-service", practice: true,
    end: { outcome: "escalated", at: T0, target: "Nivel 2 — Redes" } }));
  assert.equal(self.channel, null);
  assert.equal(self.technician, null);
  assert.deepEqual(self.articles_used, []);
  assert.equal(self.escalated_to, "Nivel 2 — Redes");
  assert.equal(self.resolved_step, null);
  assert.equal(self.practice, true);
});

test("expired: runs not seen for longer than the configured age", () => {
  const day = 86400000;
  assert.equal(R.expired({ seen: T0 }, T0 + 29 * day, 30), false);
  assert.equal(R.expired({ seen: T0 }, T0 + 31 * day, 30), true);
  assert.equal(R.expired({}, T0, 30), true);
  assert.equal(R.expired(null, T0, 30), true);
});

test("strings follow the site's register: tú swaps the customer's usted forms, English has none", () => {
  const tu = R.strings("es", { es: "tú" });
  assert.equal(tu.m_ref, "Referencia de tu caso: {x}");
  assert.equal(tu.self_summary_h, "Resumen para tu solicitud de soporte");
  assert.equal(R.strings("es", { es: "usted" }).m_ref, "Referencia de su caso: {x}");
  assert.equal(R.strings("es").m_ref, "Referencia de su caso: {x}");
  assert.equal(R.strings("en", { es: "tú" }), R.STR.en);
  for (const k of Object.keys(tu)) assert.ok(k in R.STR.es, k);
});
