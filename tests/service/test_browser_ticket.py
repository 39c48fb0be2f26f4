"""In a real Chromium: a technician runs a protocol to its end, signs in with a personal token
(kept in sessionStorage, no cookie), adds the note to a real Request Tracker ticket (read back
through REST2 with the summary, the notes and the KCS articles) and e-mails the follow-up to a
real SMTP server after a preview."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.service.conftest import Server
from tests.service.integrations_kit import MailServer, add_token, self_signed, start_service, wait_for
from tests.service.rt_kit import PASSWORD, USER, RequestTracker

CUSTOMER = "cliente.prueba@example.org"


@pytest.fixture
def world(site: Path, tmp_path: Path) -> Iterator[tuple[Server, RequestTracker, MailServer]]:
    rt = RequestTracker(tmp_path / "rt").prepare().start()
    mail = MailServer(*self_signed(tmp_path)).start()
    srv = start_service(site, tmp_path / "svc", f"""
[ticket]
connector = "rt"
[ticket.rt]
url = "{rt.url}"
user = "{USER}"
password = "{PASSWORD}"
[smtp]
host = "localhost"
port = {mail.port}
user = "{mail.user}"
password = "{mail.password}"
from = "soporte@kb.example"
cafile = "{mail.cert}"
""")
    yield srv, rt, mail
    srv.stop()
    mail.stop()
    rt.stop()


def _run_to_the_end(page: Page, ticket: str) -> None:
    page.get_by_label("Técnico", exact=True).check()
    page.locator(".kb-r__ctx > summary").click()  # the run's context is folded into one line
    page.get_by_label("Ticket (opcional)").fill(ticket)
    page.get_by_label("Usado en este caso").check()  # the cable article, on the first step
    page.get_by_label("Notas (se quedan en este navegador; nunca se envían)").fill("Portátil HP, wifi de invitados")
    page.locator(".kb-runner .kb-r__options button", has_text="No").click()
    page.locator(".kb-runner .kb-r__options button", has_text="Sí").click()
    page.locator(".kb-runner .kb-r__options button").first.click()  # escalate
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text("Escalado a Nivel 2 — Redes")


def test_technician_posts_the_note_and_mails_the_customer(browser: Browser, world: tuple[Server, RequestTracker,
                                                                                     MailServer]) -> None:
    srv, rt, mail = world
    ticket = rt.create_ticket("No navega")
    token = add_token(srv.data_dir, "ana")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{srv.base}/protocolos/sin-conexion/")
    _run_to_the_end(page, f"RT-{ticket}")
    panel = page.locator(".kb-t")
    panel.locator("summary").click()
    expect(panel.get_by_label("Token de técnico")).to_be_visible()  # not signed in yet: nothing to post
    expect(panel.get_by_role("button", name=f"Añadir nota al ticket RT-{ticket}")).to_have_count(0)
    panel.get_by_label("Token de técnico").fill("kbt_wrong")
    panel.get_by_role("button", name="Usar este token").click()
    expect(panel.locator(".kb-t__status")).to_have_text("Token no válido o revocado.")
    panel.get_by_label("Token de técnico").fill(token)
    panel.get_by_role("button", name="Usar este token").click()
    expect(panel.get_by_text("Conectado como ana.")).to_be_visible()
    panel.get_by_role("button", name=f"Añadir nota al ticket RT-{ticket}").click()
    expect(panel.locator(".kb-t__status")).to_have_text(f"Nota añadida al ticket RT-{ticket}.")

    summary = page.locator("#kb-r-summary").input_value()
    (comment,) = rt.comments(ticket)
    assert summary.rstrip() in comment and "Portátil HP, wifi de invitados" in comment
    assert "Escalado a Nivel 2 — Redes" in comment
    assert f"- El cable de red está suelto (cable-suelto): {srv.base}/red/cable-suelto/" in comment

    assert page.evaluate("sessionStorage.getItem('kb.tech.token')") == token
    assert token not in json.dumps(page.evaluate("Object.assign({}, localStorage)"))
    assert context.cookies() == []

    panel.get_by_label("Correo del cliente").fill(CUSTOMER)
    panel.get_by_role("button", name="Vista previa del correo").click()
    expect(panel.locator(".kb-t__preview dd").nth(1)).to_have_text(CUSTOMER)
    assert mail.messages == []  # the preview sends nothing
    from tests.browser.test_runner_a11y import serious

    assert serious(page) == []  # the opened panel, its form and the preview, for everyone
    panel.get_by_role("button", name="Enviar al cliente").click()
    expect(panel.locator(".kb-t__status")).to_have_text(f"Correo enviado a {CUSTOMER}.")
    wait_for(lambda: len(mail.messages) == 1)
    session = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('kb.run.'))[0]").split(".")[-1]
    body = mail.messages[0].get_payload(decode=True).decode("utf-8")
    assert f"/satisfaccion/?run={session}" in body or f"run={session}" in body
    context.close()


def test_a_ticket_system_down_is_said_on_the_end_screen(browser: Browser, site: Path, tmp_path: Path) -> None:
    from tests.service.conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
    srv = start_service(site, tmp_path, f"""
[ticket]
connector = "webhook"
[ticket.webhook]
url = "{dead}"
secret = "0123456789abcdef0123"
""")
    try:
        token = add_token(srv.data_dir, "ana")
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{srv.base}/protocolos/sin-conexion/")
        _run_to_the_end(page, "INC-9")
        panel = page.locator(".kb-t")
        panel.locator("summary").click()
        panel.get_by_label("Token de técnico").fill(token)
        panel.get_by_role("button", name="Usar este token").click()
        expect(panel.get_by_label("Correo del cliente")).to_have_count(0)  # no SMTP configured: no mail form
        panel.get_by_role("button", name="Añadir nota al ticket INC-9").click()
        expect(panel.locator(".kb-t__status")).to_have_text(
            f"El sistema de tickets no responde (cannot reach {dead}: [Errno 111] Connection refused). "
            "La nota queda en cola en el servidor y se enviará sola.")
        expect(panel.get_by_role("button", name="Añadir nota al ticket INC-9")).to_be_disabled()
        context.close()
    finally:
        srv.stop()
