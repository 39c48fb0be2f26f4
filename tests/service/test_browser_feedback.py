"""The feedback widget and the event queue in a real Chromium against a real `kb serve`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import wait_until
from tests.service.conftest import Server


@pytest.fixture
def sqlite_server(site: Path, tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"]).start()
    yield srv
    srv.stop()


def _stored(server: Server, type_: str) -> list[dict[str, Any]]:
    store = server.store()
    try:
        return [e for e in store.iter_events() if e["type"] == type_]
    finally:
        store.close()


def _wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _vote_no(page: Page, comment: str) -> None:
    page.get_by_role("button", name="No", exact=True).click()
    page.get_by_label("No se entiende").check()
    assert not page.get_by_label("4", exact=True).is_visible()  # no 1-5 rating after "No"
    page.get_by_label("Comentario (opcional)").fill(comment)
    page.get_by_role("button", name="Enviar").click()
    assert page.get_by_text("¡Gracias! Su respuesta nos ayuda").is_visible()


def test_vote_no_with_reason_and_comment_makes_exactly_one_row(browser: Browser, sqlite_server: Server) -> None:
    page = browser.new_page()
    page.goto(f"{sqlite_server.base}/red/cable-suelto/")
    comment = "<b>paso 2</b> no se entiende"
    _vote_no(page, comment)
    _wait_for(lambda: len(_stored(sqlite_server, "feedback")) == 1)
    page.goto(f"{sqlite_server.base}/red/dns-mal-configurado/")  # leaving the page commits nothing more
    wait_until(page, "window.KB && KB.events.queue().length === 0")
    rows = _stored(sqlite_server, "feedback")
    assert len(rows) == 1
    row = rows[0]
    assert {k: row.get(k) for k in ("article_id", "helpful", "reason", "rating", "comment", "page")} == {
        "article_id": "cable-suelto", "helpful": False, "reason": "unclear", "rating": None, "comment": comment,
        "page": "/red/cable-suelto/"}
    assert [e["article_id"] for e in _stored(sqlite_server, "view")] == ["cable-suelto", "dns-mal-configurado"]
    assert page.context.cookies() == []
    page.close()


def test_votes_wait_for_the_service_and_arrive_once(browser: Browser, sqlite_server: Server) -> None:
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    first.goto(f"{sqlite_server.base}/red/cable-suelto/")
    second.goto(f"{sqlite_server.base}/cuentas/cambiar-contrasena/")
    for p in (first, second):
        wait_until(p, "window.KB && KB.events.queue().length === 0")  # the views went out
    sqlite_server.kill()
    first.get_by_role("button", name="Sí", exact=True).click()
    first.get_by_role("button", name="Omitir").click()
    _vote_no(second, "sin servicio")
    queued = first.evaluate("KB.events.queue().filter(e => e.type === 'feedback').length")
    assert queued == 2  # one queue for the origin: both tabs' votes wait in localStorage
    time.sleep(1.5)  # deliveries fail and back off while the service is down
    assert _stored(sqlite_server, "feedback") == []
    sqlite_server.start()
    _wait_for(lambda: len(_stored(sqlite_server, "feedback")) == 2, timeout=60)
    wait_until(first, "KB.events.queue().length === 0", timeout=60)
    time.sleep(1)
    rows = _stored(sqlite_server, "feedback")
    assert sorted((r["article_id"], r["helpful"]) for r in rows) == [
        ("cable-suelto", True), ("cambiar-contrasena", False)]
    context.close()


def test_technician_marks_an_article_used_for_a_ticket(browser: Browser, sqlite_server: Server) -> None:
    page = browser.new_page()
    page.goto(f"{sqlite_server.base}/red/dns-mal-configurado/")
    assert not page.get_by_role("button", name="Usado para resolver un caso").is_visible()
    page.get_by_label("Soy técnico").check()
    page.get_by_label("Referencia del ticket (opcional)").fill("INC-4242")
    page.get_by_role("button", name="Usado para resolver un caso").click()
    _wait_for(lambda: len(_stored(sqlite_server, "article_used")) == 1)
    row = _stored(sqlite_server, "article_used")[0]
    assert (row["article_id"], row["ticket_ref"]) == ("dns-mal-configurado", "INC-4242")
    page.reload()  # the technician toggle is remembered
    assert page.get_by_role("button", name="Usado para resolver un caso").is_visible()
    page.close()


def test_hidden_widget_and_page_types(site: Path) -> None:
    """The widget is on solutions and guides, not on protocol or index pages."""
    def has_widget(rel: str) -> bool:
        return "data-kb-feedback" in (site / rel / "index.html").read_text(encoding="utf-8")

    assert has_widget("red/cable-suelto") and has_widget("cuentas/cambiar-contrasena")
    assert not has_widget("protocolos/sin-conexion") and not has_widget("etiquetas")
    manifest = json.loads((site / "kb-manifest.json").read_text(encoding="utf-8"))
    assert "cable-suelto" in manifest["articles"]


def test_runner_end_screen_stores_one_protocol_run(browser: Browser, sqlite_server: Server) -> None:
    """A technician finishes a run in the runner: exactly one protocol_run row reaches the service."""
    page = browser.new_page()
    page.goto(f"{sqlite_server.base}/protocolos/sin-conexion/")
    page.evaluate("localStorage.setItem('kb.techMode', '1')")
    page.reload()
    first = page.locator(".kb-runner .kb-r__options button").first
    assert first.inner_text().split(None, 1)[1] == "Sí"
    first.click()
    _wait_for(lambda: len(_stored(sqlite_server, "protocol_run")) == 1)
    page.reload()  # reloading the end screen must not record the run again
    wait_until(page, "window.KB && KB.events.queue().length === 0")
    time.sleep(1)
    (run,) = _stored(sqlite_server, "protocol_run")
    assert (run["protocol_id"], run["outcome"], run["cause"], run["practice"]) == (
        "sin-conexion", "resolved", "Cable desconectado", False)
    assert [p["step"] for p in run["path"]] == ["comprobar-cable"]
    assert "notes" not in run
    page.close()
