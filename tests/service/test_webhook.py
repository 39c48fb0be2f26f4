"""The generic webhook connector against a receiver over real HTTP: signature, replay window,
retries with backoff, and the idempotency key (the run's session_id)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.service.connectors.webhook import verify
from tests.service.conftest import Server, request
from tests.service.integrations_kit import (
    SECRET,
    WebhookReceiver,
    add_token,
    new_session,
    note_body,
    post,
    start_service,
    wait_for,
)


def _config(url: str) -> str:
    return f"""
[ticket]
connector = "webhook"
[ticket.webhook]
url = "{url}"
secret = "{SECRET}"
[outbound]
base_delay_seconds = 0.3
interval_seconds = 0.1
"""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def served(site: Path, tmp_path: Path, receiver: WebhookReceiver) -> Iterator[tuple[Server, str]]:
    srv = start_service(site, tmp_path, _config(receiver.url))
    token = add_token(srv.data_dir, "ana")
    yield srv, token
    srv.stop()


def test_signed_note_is_verified_and_stored_once(served: tuple[Server, str], receiver: WebhookReceiver) -> None:
    srv, token = served
    session = new_session()
    status, body = post(srv, "/api/ticket-note", note_body(session, "INC-42", ["cable-suelto"]), token)
    assert (status, body["status"]) == (200, "delivered"), body
    headers, raw, code = receiver.requests[0]
    assert code == 200 and headers["idempotency-key"] == session
    assert verify(SECRET, headers, raw, now=float(headers["x-kb-timestamp"])) is None
    note = receiver.stored[session]
    assert note["ticket_ref"] == "INC-42" and note["technician"] == "ana"
    assert "el cliente usa wifi" in note["text"] and note["articles"][0]["id"] == "cable-suelto"
    assert note["articles"][0]["url"].startswith(f"http://127.0.0.1:{srv.port}/")
    # the same run again: answered from the queue, nothing sent twice
    status, body = post(srv, "/api/ticket-note", note_body(session, "INC-42"), token)
    assert (status, body["status"], body["duplicate"]) == (200, "delivered", True)
    assert len(receiver.requests) == 1
    store = srv.store()
    try:
        used = [e for e in store.iter_events() if e["type"] == "article_used"]
    finally:
        store.close()
    assert [(e["article_id"], e["ticket_ref"], e["technician"], e["session_id"]) for e in used] == [
        ("cable-suelto", "INC-42", "ana", session)]  # the KCS link, once


def test_tampered_or_replayed_request_is_refused(served: tuple[Server, str], receiver: WebhookReceiver) -> None:
    srv, token = served
    session = new_session()
    assert post(srv, "/api/ticket-note", note_body(session), token)[0] == 200
    headers, raw, _ = receiver.requests[0]
    wanted = {k: headers[k] for k in ("content-type", "x-kb-timestamp", "x-kb-signature", "idempotency-key")}

    def replay(body: bytes) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=10)
        conn.request("POST", "/hook", body=body, headers=wanted)
        status = conn.getresponse().status
        conn.close()
        return status

    tampered = raw.replace(b"wifi", b"cable")
    assert replay(tampered) == 401
    assert verify(SECRET, wanted, tampered, now=float(wanted["x-kb-timestamp"])) == "expected a valid X-KB-Signature"
    receiver.clock_offset = 301  # five minutes later, the captured request is stale
    assert replay(raw) == 401
    assert verify(SECRET, wanted, raw, now=float(wanted["x-kb-timestamp"]) + 301).startswith(
        "expected a timestamp within 300 s")
    assert list(receiver.stored) == [session]


def test_retries_with_backoff_until_delivered_once(site: Path, tmp_path: Path) -> None:
    receiver = WebhookReceiver(fail_first=2).start()
    srv = start_service(site, tmp_path, _config(receiver.url))
    try:
        token = add_token(srv.data_dir, "ana")
        session = new_session()
        status, body = post(srv, "/api/ticket-note", note_body(session), token)
        assert (status, body["status"]) == (202, "pending"), body
        assert body["last_error"].startswith("HTTP 503")
        wait_for(lambda: session in receiver.stored)
        codes = [code for _, _, code in receiver.requests]
        assert codes == [503, 503, 200]
        stamps = [int(h["x-kb-timestamp"]) for h, _, _ in receiver.requests]
        assert stamps == sorted(stamps) and {h["idempotency-key"] for h, _, _ in receiver.requests} == {session}
        status, state, _ = request(srv, "GET", f"/api/outbound/{session}", headers={"Authorization": f"Bearer {token}"})
        assert state["items"][0]["status"] == "delivered" and state["items"][0]["attempts"] == 3
        store = srv.store()
        try:
            deliveries = [e for e in store.iter_events() if e["type"] == "delivery"]
        finally:
            store.close()
        assert [(d["outcome"], d["attempts"], d["channel"]) for d in deliveries] == [("delivered", 3, "webhook")]
        wait_for(lambda: True, 0.5)
        assert len(receiver.requests) == 3  # delivered once: no request after the success
    finally:
        srv.stop()
        receiver.stop()


def test_backoff_doubles(tmp_path: Path) -> None:
    from generator.service.connectors import DeliveryError
    from generator.service.outbox import Outbox

    def down(payload: object, now: float) -> str:
        raise DeliveryError("cannot reach", retryable=True)

    box = Outbox(tmp_path, {"note": down}, base_delay=30, max_delay=100)
    box.put("note:x", "note", "webhook", "x", {}, now=1000.0)
    waits = []
    now = 1000.0
    for _ in range(4):
        item = box.process(now=now)[0]
        waits.append(item.next_at - now)
        now = item.next_at
    assert waits == [30, 60, 100, 100]
    assert box.process(now=now - 1) == []  # not due yet: nothing is sent
    box.close()
    assert (tmp_path / "outbound.sqlite3").is_file()  # the private data folder, not site/


def test_one_kcs_link_per_run_and_article(tmp_path: Path) -> None:
    """The runner's article_used event and the ticket note's name the same link: counted once."""
    from datetime import date

    from generator.model.manifest import Manifest
    from generator.report.common import Filters
    from generator.report.metrics import report_from_events

    session = new_session()
    common = {"type": "article_used", "ts": "2026-11-20T10:00:00Z", "page": "/", "article_id": "cable-suelto",
              "ticket_ref": "RT-7", "session_id": session}
    events = [{**common, "id": new_session(), "technician": "ana"},
              {**common, "id": new_session(), "technician": "ana", "page": "/api/ticket-note"},
              {**common, "id": new_session(), "session_id": new_session()}]
    manifest = Manifest.model_validate({"articles": {"cable-suelto": {
        "title": "Cable", "url": "/red/cable-suelto/", "area": "red", "type": "solution", "version": "v",
        "audience": "technician", "lang": "es", "owner": "redes", "reviewed": "2026-11-01", "review_every_days": 180}}})
    report = report_from_events(events, manifest, Filters(), date(2026, 11, 23))
    assert report["articles"][0]["kcs_links"] == 2
