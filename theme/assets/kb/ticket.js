/* kb ticket: from the end of a run to the ticket and the customer (technician mode only).
 *
 * The runner announces its end screen with a "kb:run-end" event; this module adds a "Ticket and
 * customer" panel there (closed: opening it asks the service who is signed in) with two actions: "add the note to the ticket" (POST /api/ticket-note: the case summary as shown, notes
 * included, and the articles used) and "e-mail the follow-up" (POST /api/followup: a preview
 * first, then the technician's confirmation). Both need an authenticated technician: the SSO
 * proxy's identity, or a personal token entered once per browser session and kept in
 * sessionStorage (never a cookie, never localStorage). Credentials of the ticket system and the
 * mail server stay on the server. A queued delivery (system down) says so; the server retries.
 */
(function () {
  "use strict";
  var TOKEN = KB.keys.token;
  var STR = {
    es: {
      h: "Ticket y cliente", token: "Token de técnico", save: "Usar este token",
      who: "Conectado como {x}.", bad_token: "Token no válido o revocado.",
      no_ticket: "Escriba la referencia del ticket al empezar la ejecución para poder añadir la nota.",
      note: "Añadir nota al ticket {x}", note_ok: "Nota añadida al ticket {x}.",
      note_queued: "El sistema de tickets no responde ({e}). La nota queda en cola en el servidor y se enviará sola.",
      failed: "No se pudo enviar: {e}", email: "Correo del cliente", preview: "Vista previa del correo",
      send: "Enviar al cliente", sent: "Correo enviado a {x}.",
      mail_queued: "El servidor de correo no responde ({e}). El correo queda en cola y se enviará solo.",
      from: "De", to: "Para", subject: "Asunto", dup: "Ya estaba enviado o en cola."
    },
    en: {
      h: "Ticket and customer", token: "Technician token", save: "Use this token",
      who: "Signed in as {x}.", bad_token: "Unknown or revoked token.",
      no_ticket: "Enter the ticket reference when you start the run to add the note.",
      note: "Add the note to ticket {x}", note_ok: "Note added to ticket {x}.",
      note_queued: "The ticket system does not answer ({e}). The note waits on the server and will be sent.",
      failed: "Could not send: {e}", email: "Customer's e-mail", preview: "Preview the e-mail",
      send: "Send to the customer", sent: "E-mail sent to {x}.",
      mail_queued: "The mail server does not answer ({e}). The e-mail waits on the server and will be sent.",
      from: "From", to: "To", subject: "Subject", dup: "Already sent or queued."
    }
  };

  function fill(text, x, e) { return text.replace("{x}", x).replace("{e}", e || ""); }

  var el = KB.el; // assets/kb/kb.js: text goes in with textContent

  function base() {
    var meta = document.querySelector('meta[name="kb-events"]');
    var url = new URL(meta && meta.content ? meta.content : "/api/events", location.href);
    return url.href.replace(/\/api\/events\/?$/, "");
  }

  function token() { try { return sessionStorage.getItem(TOKEN) || ""; } catch (e) { return ""; } }
  function setToken(v) { try { sessionStorage.setItem(TOKEN, v); } catch (e) { /* disabled */ } }

  function call(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (token()) headers.Authorization = "Bearer " + token();
    return fetch(base() + path, { method: method, headers: headers, credentials: "omit", cache: "no-store",
      body: body ? JSON.stringify(body) : undefined }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        return { status: resp.status, data: data };
      });
    }, function () { return { status: 0, data: { error: "offline" } }; });
  }

  function text(id) { var n = document.getElementById(id); return n ? n.value : ""; }

  /** The panel under the end screen's summary and message. */
  function Panel(detail) {
    this.d = detail;
    this.t = KB.text(STR, null, detail.lang || KB.lang());
    this.status = el("p", { className: "kb-t__status", role: "status", "aria-live": "polite" });
    this.body = el("div", { className: "kb-t__body" });
    // Opened by the technician: only then is the service asked (a static host has none).
    var self = this, asked = false;
    this.root = el("details", { className: "kb-r__out kb-t", ontoggle: function () {
      if (self.root.open && !asked) { asked = true; self.check(); }
    } }, [el("summary", { text: this.t.h }), this.body, this.status]);
  }

  Panel.prototype.say = function (msg) { this.status.textContent = msg; };

  Panel.prototype.check = function () {
    var self = this;
    call("GET", "/api/me").then(function (r) {
      if (r.status === 200) self.ready(r.data);
      else if (r.status === 401 || r.status === 403) self.login(token() ? self.t.bad_token : "");
      else self.say(fill(self.t.failed, "", r.data.error || ("HTTP " + r.status))); // no service here
    });
  };

  Panel.prototype.login = function (msg) {
    var self = this, t = this.t;
    var input = el("input", { type: "password", id: "kb-t-token", autocomplete: "off", spellcheck: "false" });
    this.body.textContent = "";
    this.body.appendChild(el("label", { "for": "kb-t-token", text: t.token }));
    this.body.appendChild(input);
    this.body.appendChild(el("button", { type: "button", className: "kb-r__btn", text: t.save, onclick: function () {
      setToken(input.value.trim());
      self.check();
    } }));
    this.say(msg || "");
  };

  Panel.prototype.ready = function (me) {
    var t = this.t, self = this, d = this.d;
    this.body.textContent = "";
    this.body.appendChild(el("p", { text: fill(t.who, me.technician) }));
    if (me.ticket) {
      if (d.ticket) {
        this.body.appendChild(el("button", { type: "button", className: "kb-r__btn kb-r__btn--primary kb-t__note",
          text: fill(t.note, d.ticket), onclick: function () { self.note(this); } }));
      } else {
        this.body.appendChild(el("p", { text: t.no_ticket }));
      }
    }
    if (me.mail) this.mailForm();
    this.say("");
  };

  Panel.prototype.outcome = function (r, ok, queued, x) {
    var t = this.t, e = r.data.last_error || r.data.error || ("HTTP " + r.status);
    if (r.data.duplicate) return this.say(t.dup + " " + (r.data.status === "delivered" ? fill(ok, x) : ""));
    if (r.status === 200) return this.say(fill(ok, x));
    if (r.status === 202) return this.say(fill(queued, x, e));
    this.say(fill(t.failed, x, e));
  };

  Panel.prototype.note = function (button) {
    var self = this, d = this.d;
    button.disabled = true;
    call("POST", "/api/ticket-note", { session_id: d.session_id, ticket_ref: d.ticket,
      summary: text("kb-r-summary"), articles: d.articles }).then(function (r) {
      self.outcome(r, self.t.note_ok, self.t.note_queued, d.ticket);
      button.disabled = r.status === 200 || r.status === 202;
    });
  };

  Panel.prototype.mailForm = function () {
    var self = this, t = this.t;
    var to = el("input", { type: "email", id: "kb-t-to", autocomplete: "off" });
    var shown = el("div", { className: "kb-t__preview", hidden: true });
    var payload = function (confirm) {
      return { session_id: self.d.session_id, to: to.value.trim(), message: text("kb-r-message"), confirm: confirm };
    };
    var send = el("button", { type: "button", className: "kb-r__btn kb-r__btn--primary", text: t.send,
      onclick: function () {
        send.disabled = true;
        call("POST", "/api/followup", payload(true)).then(function (r) {
          self.outcome(r, t.sent, t.mail_queued, to.value.trim());
          send.disabled = r.status === 200 || r.status === 202;
        });
      } });
    var preview = el("button", { type: "button", className: "kb-r__btn", text: t.preview, onclick: function () {
      call("POST", "/api/followup", payload(false)).then(function (r) {
        if (r.status !== 200) return self.say(fill(t.failed, "", r.data.error || ("HTTP " + r.status)));
        var p = r.data.preview;
        shown.textContent = "";
        shown.appendChild(el("dl", {}, [el("dt", { text: t.from }), el("dd", { text: p.from }),
          el("dt", { text: t.to }), el("dd", { text: p.to }), el("dt", { text: t.subject }),
          el("dd", { text: p.subject })]));
        shown.appendChild(el("pre", { text: p.body }));
        shown.appendChild(send);
        shown.hidden = false;
        self.say("");
      });
    } });
    this.body.appendChild(el("label", { "for": "kb-t-to", text: t.email }));
    this.body.appendChild(to);
    this.body.appendChild(preview);
    this.body.appendChild(shown);
  };

  document.addEventListener("kb:run-end", function (e) {
    var d = e.detail || {};
    if (d.practice || !d.stage) return; // practice runs reach no ticket and no customer
    var panel = new Panel(d);
    d.stage.appendChild(panel.root);
  });
})();
