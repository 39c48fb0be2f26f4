"""The follow-up e-mail through a real SMTP server (aiosmtpd on loopback, STARTTLS or TLS, AUTH):
preview first, send on confirmation, `followup_sent` without the address, the address erased from
the outbound queue once delivered, and a refusing server retried."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.conftest import Server
from tests.service.integrations_kit import (
    MailServer,
    add_token,
    new_session,
    post,
    self_signed,
    start_service,
    wait_for,
)

CUSTOMER = "cliente.prueba@example.org"


def _config(mail: MailServer, security: str, **outbound: float) -> str:
    extra = "".join(f"{k} = {v}\n" for k, v in outbound.items())
    return f"""
[smtp]
host = "localhost"
port = {mail.port}
security = "{security}"
user = "{mail.user}"
password = "{mail.password}"
from = "soporte@kb.example"
subject = "Seguimiento de su consulta"
cafile = "{mail.cert}"
[outbound]
interval_seconds = 0.1
{extra}"""


def _message(session: str, port: int) -> str:
    return (f"Hola:\n\nGracias por llamarnos. El cable de red no estaba bien conectado.\n\n"
            f"¿Le ayudamos? Valórenos: http://127.0.0.1:{port}/satisfaccion/?run={session}\n\nUn saludo")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(params=["starttls", "tls"])
def mailed(request: pytest.FixtureRequest, site: Path, tmp_path: Path,
           cert: tuple[Path, Path]) -> Iterator[tuple[Server, MailServer, str]]:
    mail = MailServer(*cert, mode=request.param).start()
    srv = start_service(site, tmp_path, _config(mail, request.param))
    yield srv, mail, add_token(srv.data_dir, "ana")
    srv.stop()
    mail.stop()


def _events(srv: Server) -> list[dict[str, Any]]:
    store = srv.store()
    try:
        return list(store.iter_events())
    finally:
        store.close()


def test_preview_then_send_on_confirmation(mailed: tuple[Server, MailServer, str]) -> None:
    srv, mail, token = mailed
    session = new_session()
    body = {"session_id": session, "to": CUSTOMER, "message": _message(session, srv.port)}
    status, answer = post(srv, "/api/followup", body, token)
    assert status == 200 and answer["preview"] == {"from": "soporte@kb.example", "to": CUSTOMER,
                                                   "subject": "Seguimiento de su consulta", "body": body["message"]}
    assert mail.messages == [] and _events(srv) == []  # a preview sends nothing
    status, answer = post(srv, "/api/followup", {**body, "confirm": True}, token)
    assert (status, answer["status"]) == (200, "delivered"), answer["last_error"]
    (msg,) = mail.messages
    assert (msg["From"], msg["To"], msg["Subject"]) == ("soporte@kb.example", CUSTOMER, "Seguimiento de su consulta")
    assert msg["Message-ID"] and msg["Date"] and msg.get_content_type() == "text/plain"
    text = msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")
    assert "El cable de red no estaba bien conectado." in text
    assert f"/satisfaccion/?run={session}" in text
    assert mail.envelopes == [("soporte@kb.example", [CUSTOMER])]
    events = _events(srv)
    sent = [e for e in events if e["type"] == "followup_sent"]
    assert [(e["session_id"], e["channel"]) for e in sent] == [(session, "email")]
    assert CUSTOMER not in repr(events) and "example.org" not in repr(events)
    queue = (srv.data_dir / "outbound.sqlite3").read_bytes()
    assert CUSTOMER.encode() not in queue  # erased once delivered, and no copy left in the file
    assert post(srv, "/api/followup", {**body, "confirm": True}, token)[1]["duplicate"] is True
    assert len(mail.messages) == 1


def test_bad_address_or_missing_link_is_a_clear_400(mailed: tuple[Server, MailServer, str]) -> None:
    srv, mail, token = mailed
    session = new_session()
    status, answer = post(srv, "/api/followup", {"session_id": session, "to": "cliente@\r\nBcc: x@y.z",
                                                 "message": _message(session, srv.port), "confirm": True}, token)
    assert status == 400 and answer["error"].startswith("to: expected one e-mail address")
    status, answer = post(srv, "/api/followup", {"session_id": session, "to": CUSTOMER, "message": "Hola",
                                                 "confirm": True}, token)
    assert status == 400 and "satisfaction link" in answer["error"]
    assert mail.messages == []


def test_refusing_server_is_retried_and_delivers_once(site: Path, tmp_path: Path, cert: tuple[Path, Path]) -> None:
    mail = MailServer(*cert, refuse=True).start()
    srv = start_service(site, tmp_path, _config(mail, "starttls", base_delay_seconds=0.3))
    try:
        token = add_token(srv.data_dir, "ana")
        session = new_session()
        status, answer = post(srv, "/api/followup", {"session_id": session, "to": CUSTOMER, "confirm": True,
                                                     "message": _message(session, srv.port)}, token)
        assert (status, answer["status"]) == (202, "pending"), answer
        assert answer["last_error"].startswith("the mail server answered 451")
        assert CUSTOMER.encode() in (srv.data_dir / "outbound.sqlite3").read_bytes()  # kept until delivered
        mail.refuse = False
        wait_for(lambda: len(mail.messages) == 1)
        wait_for(lambda: any(e["type"] == "followup_sent" for e in _events(srv)))
        assert len(mail.messages) == 1
    finally:
        srv.stop()
        mail.stop()


def test_given_up_delivery_shows_in_the_report(site: Path, tmp_path: Path) -> None:
    """A mail server that never answers: the item is retried, given up at the end of its retention,
    its address erased, and the report lists the failure with its number of attempts."""
    import json
    import subprocess
    import sys

    from tests.service.conftest import free_port

    dead = free_port()  # nothing listens there
    config = f"""
[smtp]
host = "127.0.0.1"
port = {dead}
from = "soporte@kb.example"
[outbound]
interval_seconds = 0.1
base_delay_seconds = 0.2
max_delay_seconds = 0.2
retention_days = 0.00002
"""
    srv = start_service(site, tmp_path, config)
    try:
        token = add_token(srv.data_dir, "ana")
        session = new_session()
        status, answer = post(srv, "/api/followup", {"session_id": session, "to": CUSTOMER, "confirm": True,
                                                     "message": _message(session, srv.port)}, token)
        assert status == 202 and answer["last_error"].startswith(f"cannot reach the mail server 127.0.0.1:{dead}")
        wait_for(lambda: any(e["type"] == "delivery" for e in _events(srv)))
        (failed,) = [e for e in _events(srv) if e["type"] == "delivery"]
        assert failed["outcome"] == "failed" and failed["attempts"] >= 3
        assert not any(e["type"] == "followup_sent" for e in _events(srv))
        assert CUSTOMER.encode() not in (srv.data_dir / "outbound.sqlite3").read_bytes()  # given up: erased
    finally:
        srv.stop()
    out = tmp_path / "report"
    done = subprocess.run([sys.executable, "-m", "generator.cli", "report", "--root", str(site.parent),
                           "--data-dir", str(srv.data_dir), "--out", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (row,) = data["deliveries"]["failed"]
    assert (row["kind"], row["channel"], row["attempts"]) == ("mail", "smtp", failed["attempts"])
    assert row["error"].startswith("given up after")
    from bs4 import BeautifulSoup

    html = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    cells = [td.get_text() for td in html.select("#deliveries tbody td")]
    assert cells[:4] == ["mail", "smtp", session, str(failed["attempts"])]
    assert CUSTOMER not in (out / "report.html").read_text(encoding="utf-8")
