"""Zammad and Freshdesk connectors against the vendors' DOCUMENTED request and response examples.

NOT RUN AGAINST THE LIVE SERVICES: no Zammad or Freshdesk runs here. The examples below restate
the shapes shown on these pages (values shortened, not copied):

* Zammad, https://docs.zammad.org/en/latest/api/ticket/articles.html ("Create": POST
  /api/v1/ticket_articles with ticket_id, subject, body, content_type, type, internal; the sample
  responses are article objects with id, ticket_id, type, internal, created_at) and
  https://docs.zammad.org/en/latest/api/intro.html (``Authorization: Token token=<token>``).
* Freshdesk, https://developers.freshdesk.com/api/#add_note_to_a_ticket (POST
  /api/v2/tickets/[id]/notes with body (HTML) and private; "201 Created" with the note: id,
  ticket_id, private, body, body_text) and https://developers.freshdesk.com/api/#authentication
  (Basic auth, API key as user name, X as password).
"""

from __future__ import annotations

import base64
import json

import pytest

from generator.service.connectors import ArticleRef, DeliveryError, HttpResponse, Note, build_connector

NOTE = Note("0f8fad5b-d9cb-469f-a165-70867728950e", "#3", "3", "Protocolo: Sin conexión\nNotas:\n<b>wifi</b>",
            "ana", (ArticleRef("cable-suelto", "Cable suelto", "https://kb.example/kb/red/cable-suelto/"),))


def test_zammad_request_matches_the_documented_create() -> None:
    zammad = build_connector("zammad", {"url": "https://zammad.example.com/", "token": "tok123"})
    assert zammad.ticket_id("#3") == "3" and zammad.ticket_id("Z-3") == "3" and zammad.ticket_id("INC-3") is None
    req = zammad.request(NOTE, 0)
    assert (req.method, req.url) == ("POST", "https://zammad.example.com/api/v1/ticket_articles")
    assert req.headers["Authorization"] == "Token token=tok123"
    body = json.loads(req.body)
    assert body == {"ticket_id": 3, "subject": "Knowledge base: case summary", "body": NOTE.text(),
                    "content_type": "text/plain", "type": "note", "internal": True}
    assert "cable-suelto" in body["body"] and "https://kb.example/kb/red/cable-suelto/" in body["body"]


def test_zammad_documented_responses() -> None:
    zammad = build_connector("zammad", {"url": "https://zammad.example.com", "token": "t"})
    article = {"id": 4, "ticket_id": 3, "from": "Bob Smith", "subject": "some subject", "body": "…",
               "content_type": "text/html", "type": "note", "internal": True,
               "created_at": "2016-08-16T07:55:42.119Z", "updated_at": "2016-08-16T07:55:42.119Z"}
    assert zammad.accept(HttpResponse(201, json.dumps(article).encode())) == "article 4 on ticket 3"
    with pytest.raises(DeliveryError) as denied:
        zammad.accept(HttpResponse(401, b'{"error":"authentication failed"}'))
    assert not denied.value.retryable and denied.value.reason == 'HTTP 401: {"error":"authentication failed"}'
    with pytest.raises(DeliveryError) as busy:
        zammad.accept(HttpResponse(503, b""))
    assert busy.value.retryable


def test_freshdesk_request_matches_the_documented_note() -> None:
    fd = build_connector("freshdesk", {"url": "https://acme.freshdesk.com", "api_key": "abcd1234"})
    assert fd.ticket_id("FD-3") == "3" and fd.ticket_id("3") == "3" and fd.ticket_id("RT-3") is None
    req = fd.request(NOTE, 0)
    assert (req.method, req.url) == ("POST", "https://acme.freshdesk.com/api/v2/tickets/3/notes")
    assert req.headers["Authorization"] == "Basic " + base64.b64encode(b"abcd1234:X").decode()
    assert req.headers["Content-Type"] == "application/json"
    body = json.loads(req.body)
    assert body["private"] is True and set(body) == {"body", "private"}
    assert "&lt;b&gt;wifi&lt;/b&gt;" in body["body"] and "<b>" not in body["body"]  # the notes are text, not HTML
    assert "Protocolo: Sin conexión<br>Notas:" in body["body"]


def test_freshdesk_documented_responses() -> None:
    fd = build_connector("freshdesk", {"url": "https://acme.freshdesk.com", "api_key": "k"})
    created = {"body": "<div>Hi</div>", "body_text": "Hi", "id": 22, "incoming": False, "private": True,
               "user_id": 1, "support_email": None, "ticket_id": 3, "to_emails": None,
               "attachments": [], "created_at": "2015-07-20T09:00:53Z", "updated_at": "2015-07-20T09:00:53Z"}
    assert fd.accept(HttpResponse(201, json.dumps(created).encode())) == "note 22 on ticket 3"
    with pytest.raises(DeliveryError) as missing:
        fd.accept(HttpResponse(404, b""))
    assert not missing.value.retryable
    with pytest.raises(DeliveryError) as limited:
        fd.accept(HttpResponse(429, b'{"message":"rate limited"}', {"Retry-After": "60"}))
    assert limited.value.retryable


def test_configuration_errors_name_the_key() -> None:
    with pytest.raises(ValueError, match=r"ticket.zammad.token: expected a value, found none"):
        build_connector("zammad", {"url": "https://z.example"})
    with pytest.raises(ValueError, match=r"ticket.webhook.secret: expected at least 16 characters, found 5"):
        build_connector("webhook", {"url": "https://h.example", "secret": "short"})
    with pytest.raises(ValueError, match=r"ticket.connector: expected one of rt, webhook, zammad, freshdesk"):
        build_connector("jira", {})
