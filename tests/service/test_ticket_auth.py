"""Only authenticated technicians post notes or mail: tokens (hashed at rest, `kb tokens`), the SSO
proxy's identity header from a trusted proxy only, and the same Origin checks as for events.
Every refusal leaves nothing posted: no request to the ticket system, nothing queued, no event."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from generator.service.app import ServiceConfig, create_app
from tests.service.conftest import Server
from tests.service.integrations_kit import (
    SECRET,
    WebhookReceiver,
    add_token,
    new_session,
    note_body,
    post,
    start_service,
)

CONFIG = """
[ticket]
connector = "webhook"
[ticket.webhook]
url = "{url}"
secret = "SECRET"
""".replace("SECRET", SECRET)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def served(site: Path, tmp_path: Path, receiver: WebhookReceiver) -> Iterator[Server]:
    srv = start_service(site, tmp_path, CONFIG.format(url=receiver.url))
    yield srv
    srv.stop()


def _nothing_posted(srv: Server, receiver: WebhookReceiver) -> None:
    assert receiver.requests == []
    assert srv.rows() == 0  # no article_used, no delivery event
    import sqlite3

    with sqlite3.connect(srv.data_dir / "outbound.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_anonymous_wrong_and_revoked_tokens_are_refused(served: Server, receiver: WebhookReceiver) -> None:
    body = note_body(new_session(), articles=["cable-suelto"])
    assert post(served, "/api/ticket-note", body) == (401, {"error": "expected a technician's token "
                                                               "(Authorization: Bearer …)"})
    assert post(served, "/api/ticket-note", body, token="kbt_not-a-real-token")[0] == 401
    token = add_token(served.data_dir, "ana")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "tokens", "revoke", "ana", "--data-dir",
                           str(served.data_dir)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert post(served, "/api/ticket-note", body, token=token) == (401, {"error": "unknown or revoked token"})
    assert post(served, "/api/followup", {"session_id": body["session_id"], "to": "c@example.org",
                                          "message": "x"})[0] == 401
    _nothing_posted(served, receiver)


def test_forged_identity_header_from_a_non_proxy_is_refused(served: Server, receiver: WebhookReceiver) -> None:
    status, answer = post(served, "/api/ticket-note", note_body(new_session()), headers={"X-Forwarded-User": "ana"})
    assert status == 403 and "--trust-proxy" in answer["error"]
    token = add_token(served.data_dir, "ana")  # a valid token does not launder a forged header
    assert post(served, "/api/ticket-note", note_body(new_session()), token,
                headers={"X-Forwarded-User": "boss"})[0] == 403
    _nothing_posted(served, receiver)


def test_cross_site_requests_are_refused(served: Server, receiver: WebhookReceiver) -> None:
    token = add_token(served.data_dir, "ana")
    assert post(served, "/api/ticket-note", note_body(new_session()), token,
                headers={"Origin": "https://evil.example"}) == (403, {"error": "origin not allowed"})
    assert post(served, "/api/ticket-note", note_body(new_session()), token,
                headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    _nothing_posted(served, receiver)


def test_identity_header_from_the_trusted_proxy(site: Path, tmp_path: Path, receiver: WebhookReceiver) -> None:
    srv = start_service(site, tmp_path, CONFIG.format(url=receiver.url), "--trust-proxy")
    try:
        status, answer = post(srv, "/api/ticket-note", note_body(new_session()), headers={"X-Forwarded-User": "Luis"})
        assert (status, answer["status"]) == (200, "delivered"), answer
        assert next(iter(receiver.stored.values()))["technician"] == "luis"
    finally:
        srv.stop()


def test_trusted_setting_names_the_proxy_not_any_peer(site: Path, tmp_path: Path, receiver: WebhookReceiver) -> None:
    """Even with --trust-proxy, a peer that is not the proxy cannot assert an identity."""
    (tmp_path / "i.toml").write_text(CONFIG.format(url=receiver.url), encoding="utf-8")
    config = ServiceConfig(site_dir=site, data_dir=tmp_path / "data", trust_proxy=True,
                           integrations=tmp_path / "i.toml")
    app = create_app(config)

    async def call(peer: str) -> int:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://kb.test") as client:
            resp = await client.post("/api/ticket-note", json=note_body(new_session()),
                                     headers={"X-Forwarded-User": "ana"})
            return resp.status_code

    # Playwright may hold an event loop in this thread (tests/conftest.py): asyncio runs in its own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, call("203.0.113.9")).result() == 403
    assert receiver.requests == []
    app.state.outbound.close()
    app.state.service.store.close()


def test_tokens_are_hashed_at_rest(tmp_path: Path) -> None:
    token = add_token(tmp_path, "ana")
    assert token.startswith("kbt_") and len(token) > 40
    stored = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    assert token not in stored and token[4:20] not in stored and "sha256:" in stored
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0
    listing = subprocess.run([sys.executable, "-m", "generator.cli", "tokens", "list", "--data-dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert listing.stdout.startswith("ana\t") and token not in listing.stdout
    again = subprocess.run([sys.executable, "-m", "generator.cli", "tokens", "add", "ana", "--data-dir",
                            str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 2
    assert again.stderr == ("kb: error: tokens add: expected a new technician name, found 'ana' already has a token "
                            "(revoke it first)\n")


def test_browsers_cannot_send_server_events(served: Server) -> None:
    from tests.service.conftest import new_id, now_ts, request

    ev = {"id": new_id(), "type": "followup_sent", "ts": now_ts(), "page": "/", "session_id": new_id()}
    status, body, _ = request(served, "POST", "/api/events", {"events": [ev]})
    assert status == 400 and body["errors"][0]["field"] == "type"
