"""Request Tracker 5 for real: Debian's RT on loopback, a ticket made through REST2, our note posted
as a comment and read back through REST2; with RT stopped, the note waits in the outbound queue and
is delivered once when RT is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.conftest import Server
from tests.service.integrations_kit import add_token, new_session, note_body, post, start_service, wait_for
from tests.service.rt_kit import PASSWORD, USER, RequestTracker


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RequestTracker]:
    tracker = RequestTracker(tmp_path_factory.mktemp("rt")).prepare().start()
    yield tracker
    tracker.stop()


def rt_config(rt: RequestTracker) -> str:
    return f"""
[ticket]
connector = "rt"
[ticket.rt]
url = "{rt.url}"
user = "{USER}"
password = "{PASSWORD}"
[outbound]
base_delay_seconds = 0.5
max_delay_seconds = 1
interval_seconds = 0.2
"""


@pytest.fixture
def served(site: Path, tmp_path: Path, rt: RequestTracker) -> Iterator[tuple[Server, str]]:
    srv = start_service(site, tmp_path, rt_config(rt))
    yield srv, add_token(srv.data_dir, "ana")
    srv.stop()


def test_note_is_a_comment_read_back_through_rest2(served: tuple[Server, str], rt: RequestTracker) -> None:
    srv, token = served
    ticket = rt.create_ticket("No navega")
    session = new_session()
    status, answer = post(srv, "/api/ticket-note", note_body(session, f"RT-{ticket}", ["cable-suelto"]), token)
    assert (status, answer["status"]) == (200, "delivered"), answer
    assert answer["receipt"] == "Comments added"
    (comment,) = rt.comments(ticket)
    assert f"Ejecución: {session}" in comment and "el cliente usa wifi" in comment
    assert "Artículos de la base de conocimiento usados:" in comment
    assert f"- El cable de red está suelto (cable-suelto): http://127.0.0.1:{srv.port}/red/cable-suelto/" in comment


def test_unknown_ticket_fails_visibly(served: tuple[Server, str], rt: RequestTracker) -> None:
    srv, token = served
    session = new_session()
    status, answer = post(srv, "/api/ticket-note", note_body(session, "RT-99999"), token)
    assert (status, answer["status"]) == (502, "failed") and answer["last_error"].startswith("HTTP 4")
    ticket = rt.create_ticket("Impresora")  # the technician corrects the reference: the note may go again
    status, answer = post(srv, "/api/ticket-note", note_body(session, f"RT-{ticket}"), token)
    assert (status, answer["status"], answer["duplicate"]) == (200, "delivered", False)
    assert len(rt.comments(ticket)) == 1
    status, answer = post(srv, "/api/ticket-note", note_body(new_session(), "INC-12"), token)
    assert status == 400 and answer["error"] == "ticket_ref: expected a reference to a rt ticket, found 'INC-12'"


def test_rt_down_queues_and_delivers_once_when_back(served: tuple[Server, str], rt: RequestTracker) -> None:
    srv, token = served
    ticket = rt.create_ticket("Sin correo")
    rt.stop()
    try:
        session = new_session()
        status, answer = post(srv, "/api/ticket-note", note_body(session, f"#{ticket}"), token)
        assert (status, answer["status"]) == (202, "pending"), answer
        assert answer["last_error"].startswith(f"cannot reach {rt.url}/REST/2.0/ticket/{ticket}/comment")
    finally:
        rt.start()
    wait_for(lambda: post(srv, "/api/ticket-note", note_body(session, f"#{ticket}"), token)[1]["status"]
             == "delivered", timeout=30)
    comments = rt.comments(ticket)
    assert len(comments) == 1 and f"Ejecución: {session}" in comments[0]


def test_rt_and_its_mail_transport_listen_on_loopback_only(rt: RequestTracker) -> None:
    """exim4 comes with RT (configured by scripts/test-deps for local delivery on loopback); nothing
    of theirs may listen beyond this host."""
    import subprocess

    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, timeout=30, check=True).stdout
    ours = [line.split() for line in listening.splitlines() if "exim" in line or "rt-server" in line]
    assert any(f":{rt.port}" in fields[3] for fields in ours)
    for fields in ours:
        assert fields[3].startswith(("127.0.0.1:", "[::1]:")), fields
    conf = Path("/etc/exim4/update-exim4.conf.conf")
    assert conf.is_file(), "exim4 is not configured: run scripts/test-deps"
    assert "dc_local_interfaces='127.0.0.1 ; ::1'" in conf.read_text(encoding="utf-8")
