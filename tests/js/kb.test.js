// Unit tests of the shared helpers (theme/assets/kb/kb.js): node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const KB = require("../../theme/assets/kb/kb.js");

const T = { es: { a: "usted", b: "igual" }, en: { a: "you", b: "same" } };
const TU = { es: { a: "tú" } };

test("text: the language's table, Spanish for an unknown one, the same object when nothing is swapped", () => {
  assert.equal(KB.text(T, TU, "en-GB", {}), T.en);
  assert.equal(KB.text(T, TU, "fr", {}), T.es);
  assert.equal(KB.text(T, TU, "", {}), T.es);
  assert.equal(KB.text(T, TU, "es", { es: "usted" }), T.es);
  assert.equal(KB.text(T, null, "es", { es: "tú" }), T.es);
});

test("text: the tú register swaps only the forms it knows, and only in its language", () => {
  assert.deepEqual(KB.text(T, TU, "es", { es: "tú" }), { a: "tú", b: "igual" });
  assert.equal(T.es.a, "usted"); // the table itself is untouched
  assert.equal(KB.text(T, TU, "en", { es: "tú", en: "tú" }), T.en);
  assert.equal(KB.text(T, TU, "es"), T.es); // no document here: no register, usted
});

test("keys: every storage key once, all under kb.", () => {
  const values = Object.values(KB.keys);
  assert.equal(new Set(values).size, values.length);
  values.forEach((k) => assert.match(k, /^kb\./));
  assert.equal(KB.keys.events, "kb.events.v1"); // the queue of browsers already out there
});

test("uuid: version 4, different every time", () => {
  const a = KB.uuid(), b = KB.uuid();
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
});
