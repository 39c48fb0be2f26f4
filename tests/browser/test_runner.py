"""The protocol runner in a real Chromium: paths to every ending, exact texts, events, resume, keys, tabs.

Expected texts are written out line by line; the content's own words (titles, labels, causes)
come from the validated starter protocol, so rewording a step does not break these tests but a
change of the summary's or the message's format does.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from generator.model.catalog import Catalog
from generator.model.manifest import Manifest
from generator.service.events import validate_batch
from tests.browser.conftest import Site, watched
from tests.browser.runner_page import (
    at,
    choose,
    clipboard,
    confirm,
    heading,
    number,
    open_context,
    plain,
    protocol,
    queued,
    runs,
    step,
)

PID = "sin-conexion-internet"
PAGE = f"protocolos/{PID}/"


def _valid_for_the_service(site: Site, events: list[dict[str, Any]]) -> None:
    """Every queued event passes the event service's own contract (generator/service/events.py)."""
    manifest = Manifest.parse((site.root / "kb-manifest.json").read_text(encoding="utf-8"))
    now = max(datetime.fromisoformat(e["ts"].replace("Z", "+00:00")) for e in events)
    batch = validate_batch({"events": events}, manifest, now)
    assert batch.problems == []


def _run_event(page: Page) -> dict[str, Any]:
    events = queued(page, "protocol_run")
    assert len(events) == 1, events
    ev = dict(events[0])
    for key in ("id", "ts", "client"):  # added by the queue (events.js)
        ev.pop(key)
    return ev


def test_resolved_path_exact_summary_message_event_and_copy(page: Page, site: Site, catalog: Catalog) -> None:
    proto, version = protocol(catalog, PID)
    alcance, ip, dns, cache = (step(proto, s) for s in ("alcance", "comprobar-ip", "probar-dns", "vaciar-cache-dns"))
    page.goto(site.url(PAGE))
    expect(page.locator(".kb-runner")).to_be_visible()
    assert heading(page) == f"Paso 1: {alcance.title}"
    expect(page.locator("h3.kb-step-title").first).to_be_hidden()  # the static list hides behind the runner
    open_context(page)
    page.get_by_label("Canal").select_option("chat")
    page.get_by_label("Ticket (opcional)").fill("INC-1234")
    page.get_by_label("Técnico (opcional)").fill("ana")
    at(page, 42)
    choose(page, 0, alcance.options[0].label)
    at(page, 72)
    choose(page, 0, ip.options[0].label)
    at(page, 137)
    choose(page, 1, dns.options[1].label)
    assert heading(page) == f"Paso {number(proto, cache.id)}: {cache.title}"
    page.get_by_label("Usado en este caso").check()
    page.get_by_label("Notas (se quedan en este navegador; nunca se envían)").fill(
        "Cliente con portátil HP; <b>no</b> reiniciar.")
    at(page, 157)
    choose(page, 0, cache.options[0].label)

    ev = _run_event(page)
    run_id = ev["session_id"]
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text(f"Resuelto — {cache.options[0].resolve}")
    expect(page.locator(".kb-runner .kb-r__title")).to_be_focused()
    articles = {a.id: a for a in catalog.articles}
    summary = "\n".join([
        f"Protocolo: {proto.title} ({PID}, versión {version})",
        f"Ejecución: {run_id}",
        "Canal: Chat",
        "Nivel del cliente: Básico",
        "Ticket: INC-1234",
        "Técnico: ana",
        "Inicio: 2026-11-23 10:00:00 (UTC+01:00)",
        "Fin: 2026-11-23 10:02:37 (UTC+01:00)",
        "Duración: 2 min 37 s",
        "Pasos:",
        f"1. {alcance.title} — {alcance.options[0].label} (42 s)",
        f"2. {ip.title} — {ip.options[0].label} (30 s)",
        f"3. {dns.title} — {dns.options[1].label} (1 min 5 s)",
        f"4. {cache.title} — {cache.options[0].label} (20 s)",
        f"Resultado: Resuelto — {cache.options[0].resolve}",
        f"Artículos usados: {articles['vaciar-cache-dns'].meta.title} (vaciar-cache-dns)",
        "Notas:",
        "Cliente con portátil HP; <b>no</b> reiniciar.",
    ])
    message = "\n\n".join([
        "Hola:",
        f"Gracias por contactar con soporte técnico. Su consulta «{proto.title}» está resuelta.",
        f"Qué ocurrió: {plain(cache.options[0].explain)}",
        f"Cómo evitar que vuelva a pasar: {plain(cache.options[0].prevent)}",
        # only the resolving step's and the used articles: not the router article of step 1
        "Si quiere saber más:\n"
        f"- {articles['vaciar-cache-dns'].meta.title}: {site.base}/red/vaciar-cache-dns/",
        "Referencia de su caso: INC-1234",
        f"¿Nos dice qué tal le atendimos? Es una sola pregunta: {site.base}/satisfaccion/?run={run_id}",
        "Un saludo,\nSoporte técnico",
    ])
    assert page.locator("#kb-r-summary").input_value() == summary
    assert page.locator("#kb-r-message").input_value() == message

    assert ev == {
        "type": "protocol_run", "page": f"/{PAGE}", "session_id": run_id, "protocol_id": PID,
        "protocol_version": version, "started_at": "2026-11-23T09:00:00.000Z", "ended_at": "2026-11-23T09:02:37.000Z",
        "outcome": "resolved", "path": [
            {"step": "alcance", "answer": alcance.options[0].label, "seconds": 42},
            {"step": "comprobar-ip", "answer": ip.options[0].label, "seconds": 30},
            {"step": "probar-dns", "answer": dns.options[1].label, "seconds": 65},
            {"step": "vaciar-cache-dns", "answer": cache.options[0].label, "seconds": 20}],
        "resolved_step": "vaciar-cache-dns", "cause": cache.options[0].resolve, "channel": "chat",
        "customer_level": "basic", "mode": "technician", "ticket_ref": "INC-1234", "technician": "ana",
        "articles_used": ["vaciar-cache-dns"], "practice": False}
    used = queued(page, "article_used")
    assert [(e["article_id"], e["session_id"], e["ticket_ref"]) for e in used] == [
        ("vaciar-cache-dns", run_id, "INC-1234")]
    everything = json.dumps(queued(page))
    assert "portátil" not in everything and "notes" not in everything  # notes never leave the browser
    _valid_for_the_service(site, queued(page))

    page.get_by_role("button", name="Copiar mensaje").click()
    expect(page.locator(".kb-r__sr[role=status]")).to_have_text("Copiado al portapapeles.")
    expect(page.locator("#kb-r-message ~ button")).to_have_text("Copiado ✓")  # seen, not only announced
    expect(page.locator("#kb-r-message ~ button")).to_be_visible()
    assert clipboard(page) == message
    assert f"kb.run.{run_id}" in runs(page)  # kept until the summary is in the ticket
    page.get_by_role("button", name="Copiar resumen").click()
    expect(page.locator("#kb-r-summary ~ button")).to_have_text("Copiado ✓")
    page.wait_for_function(f"localStorage.getItem('kb.run.{run_id}') === null")
    assert clipboard(page) == summary
    page.reload()  # a copied run is gone: a reload starts a new one
    assert heading(page) == f"Paso 1: {alcance.title}"
    assert len(queued(page, "protocol_run")) == 1


def test_escalated_path_at_the_advanced_level(page: Page, site: Site, catalog: Catalog) -> None:
    proto, version = protocol(catalog, PID)
    alcance, router, esc = (step(proto, s) for s in ("alcance", "revisar-router", "escalar-redes"))
    page.goto(site.url(PAGE))
    page.get_by_text("Avanzado", exact=True).click()
    assert esc.say is not None and esc.say.advanced is not None and alcance.say and alcance.say.advanced
    expect(page.locator(".kb-runner .kb-r__say")).to_contain_text(plain(alcance.say.advanced))
    at(page, 10)
    choose(page, 1, alcance.options[1].label)
    at(page, 70)
    choose(page, 1, router.options[1].label)
    assert heading(page) == f"Paso {number(proto, esc.id)}: {esc.title}"
    expect(page.locator(".kb-runner .kb-r__say")).to_contain_text(plain(esc.say.advanced))
    expect(page.locator(".kb-runner .kb-r__do code").first).to_have_text("ipconfig /all")
    at(page, 95)
    choose(page, 0, "Terminar: escalar a Nivel 2 — Redes")
    ev = _run_event(page)
    run_id = ev["session_id"]
    assert page.locator("#kb-r-summary").input_value() == "\n".join([
        f"Protocolo: {proto.title} ({PID}, versión {version})",
        f"Ejecución: {run_id}",
        "Canal: Teléfono",
        "Nivel del cliente: Avanzado",
        "Inicio: 2026-11-23 10:00:00 (UTC+01:00)",
        "Fin: 2026-11-23 10:01:35 (UTC+01:00)",
        "Duración: 1 min 35 s",
        "Pasos:",
        f"1. {alcance.title} — {alcance.options[1].label} (10 s)",
        f"2. {router.title} — {router.options[1].label} (1 min)",
        f"3. {esc.title} (25 s)",
        "Resultado: Escalado a Nivel 2 — Redes",
        "Artículos usados: Ninguno",
        "Notas:",
        "—",
    ])
    assert page.locator("#kb-r-message").input_value() == "\n\n".join([  # no article was marked used
        "Hola:",
        f"Gracias por contactar con soporte técnico. Hemos pasado su consulta «{proto.title}» a Nivel 2 — Redes, "
        "que se pondrá en contacto con usted. No tendrá que volver a explicar el problema.",
        f"¿Nos dice qué tal le atendimos? Es una sola pregunta: {site.base}/satisfaccion/?run={run_id}",
        "Un saludo,\nSoporte técnico",
    ])
    assert ev["outcome"] == "escalated" and ev["escalated_to"] == "Nivel 2 — Redes"
    assert ev["path"] == [{"step": "alcance", "answer": alcance.options[1].label, "seconds": 10},
                          {"step": "revisar-router", "answer": router.options[1].label, "seconds": 60},
                          {"step": "escalar-redes", "seconds": 25}]
    assert "resolved_step" not in ev and ev["customer_level"] == "advanced" and ev["channel"] == "phone"
    _valid_for_the_service(site, queued(page))
    page.reload()  # an ended run that was not copied yet shows its end screen again, sent once
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text("Escalado a Nivel 2 — Redes")
    assert len(queued(page, "protocol_run")) == 1


def test_abandoned_path(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    alcance, ip = step(proto, "alcance"), step(proto, "comprobar-ip")
    page.goto(site.url(PAGE))
    at(page, 5)
    choose(page, 0, alcance.options[0].label)
    at(page, 9)
    confirm(page, "Abandonar", "Sí, abandonar")
    ev = _run_event(page)
    assert ev["outcome"] == "abandoned"
    assert ev["path"] == [{"step": "alcance", "answer": alcance.options[0].label, "seconds": 5},
                          {"step": "comprobar-ip", "seconds": 4}]
    summary = page.locator("#kb-r-summary").input_value().split("\n")
    assert summary[-6:] == [f"1. {alcance.title} — {alcance.options[0].label} (5 s)", f"2. {ip.title} (4 s)",
                            "Resultado: Abandonado", "Artículos usados: Ninguno", "Notas:", "—"]
    assert page.locator("#kb-r-message").input_value().split("\n\n")[1] == (
        f"Gracias por contactar con soporte técnico. La comunicación se interrumpió antes de terminar con su "
        f"consulta «{proto.title}». Si el problema continúa, contacte de nuevo con nosotros.")
    _valid_for_the_service(site, queued(page))


def test_not_solved_back_and_restart(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    alcance = step(proto, "alcance")
    page.goto(site.url(PAGE))
    at(page, 3)
    choose(page, 1)
    at(page, 8)
    page.get_by_role("button", name="Atrás").click()  # back to step 1, its 3 seconds still counted
    assert heading(page) == f"Paso 1: {alcance.title}"
    expect(page.locator(".kb-r__crumbs li")).to_have_count(0)
    expect(page.locator(".kb-r__timers")).to_contain_text("Este paso 00:03")
    choose(page, 0)
    expect(page.locator(".kb-r__crumbs li")).to_have_text([f"1. {alcance.title}{alcance.options[0].label}"])
    confirm(page, "Empezar de nuevo", "Sí, empezar de nuevo")
    assert heading(page) == f"Paso 1: {alcance.title}"
    expect(page.locator(".kb-r__timers")).to_contain_text("Total 00:00")
    at(page, 20)
    choose(page, 0)
    page.get_by_role("button", name="No resuelto").click()
    ev = _run_event(page)
    assert ev["outcome"] == "unresolved" and ev["path"][-1] == {"step": "comprobar-ip", "seconds": 0}
    assert ev["path"][0]["seconds"] == 12
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text("No resuelto")


def test_reload_resumes_same_step_timer_and_path(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    alcance, ip = step(proto, "alcance"), step(proto, "comprobar-ip")
    page.goto(site.url(PAGE))
    open_context(page)
    page.get_by_label("Ticket (opcional)").fill("INC-77")
    at(page, 30)
    choose(page, 0)
    at(page, 50)
    choose(page, 1)
    page.get_by_label("Notas (se quedan en este navegador; nunca se envían)").fill("nota privada")
    at(page, 61)
    expect(page.locator(".kb-r__timers")).to_have_text("Total 01:01Este paso 00:11")
    before = page.locator(".kb-r__crumbs").inner_text()
    page.reload()
    assert heading(page) == f"Paso {number(proto, 'renovar-ip')}: {step(proto, 'renovar-ip').title}"
    expect(page.locator(".kb-r__timers")).to_have_text("Total 01:01Este paso 00:11")
    assert page.locator(".kb-r__crumbs").inner_text() == before
    expect(page.locator(".kb-r__crumbs li")).to_have_text([f"1. {alcance.title}{alcance.options[0].label}",
                                                           f"{number(proto, ip.id)}. {ip.title}{ip.options[1].label}"])
    assert page.get_by_label("Ticket (opcional)").input_value() == "INC-77"
    assert page.get_by_label("Notas (se quedan en este navegador; nunca se envían)").input_value() == "nota privada"
    expect(page.locator(".kb-r__sr[role=status]")).to_have_text("Se ha recuperado la ejecución en curso.")
    # an accidental navigation away and back resumes too
    page.goto(site.url("red/vaciar-cache-dns/"))
    at(page, 70)
    page.go_back()
    assert heading(page) == f"Paso {number(proto, 'renovar-ip')}: {step(proto, 'renovar-ip').title}"
    expect(page.locator(".kb-r__timers")).to_have_text("Total 01:10Este paso 00:20")
    at(page, 75)
    page.get_by_role("button", name="Atrás").click()
    assert heading(page) == f"Paso {number(proto, ip.id)}: {ip.title}"
    expect(page.locator(".kb-r__timers")).to_contain_text("Este paso 00:20")  # its 20 s, counting on


def test_keyboard_only(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    alcance, router = step(proto, "alcance"), step(proto, "revisar-router")
    page.goto(site.url(PAGE))
    start = page.url
    page.keyboard.press("?")
    expect(page.locator("dialog.kb-r__help")).to_be_visible()
    expect(page.locator("dialog.kb-r__help")).to_contain_text("Volver al paso anterior")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.kb-r__help")).to_be_hidden()
    page.keyboard.press("2")
    assert heading(page) == f"Paso 2: {router.title}"
    expect(page.locator(".kb-runner .kb-r__title")).to_be_focused()
    expect(page.locator(".kb-r__sr[role=status]")).to_have_text(f"Paso 2: {router.title}")
    page.keyboard.press("b")
    assert heading(page) == f"Paso 1: {alcance.title}"
    page.keyboard.press("2")
    page.keyboard.press("Backspace")
    assert heading(page) == f"Paso 1: {alcance.title}"
    page.keyboard.press("2")
    page.keyboard.press("n")  # N focuses the notes (and Material's "next page" key does not fire)
    expect(page.get_by_label("Notas (se quedan en este navegador; nunca se envían)")).to_be_focused()
    page.keyboard.type("nada que anotar")
    page.keyboard.press("Escape")  # back from the notes to the step
    expect(page.locator(".kb-runner .kb-r__title")).to_be_focused()
    assert page.url == start
    page.keyboard.press("1")  # "Sí, ya navegan": resolves
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text(f"Resuelto — {router.options[0].resolve}")
    expect(page.locator(".kb-runner .kb-r__title")).to_be_focused()
    for _ in range(40):  # Tab to the copy button, press Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Copiar resumen":
            break
    page.keyboard.press("Enter")
    expect(page.locator(".kb-r__sr[role=status]")).to_have_text("Copiado al portapapeles.")
    assert clipboard(page).endswith("Notas:\nnada que anotar")
    assert queued(page, "protocol_run")[0]["outcome"] == "resolved"


def test_two_tabs_with_two_protocols_stay_separate(ctx: BrowserContext, site: Site, catalog: Catalog) -> None:
    vpn, _ = protocol(catalog, "vpn-no-conecta")
    net, _ = protocol(catalog, PID)
    a, b = watched(ctx.new_page()), watched(ctx.new_page())
    a.goto(site.url(PAGE))
    b.goto(site.url("protocolos/vpn-no-conecta/"))
    choose(a, 0)
    choose(b, 0)
    choose(b, 0)
    a.get_by_label("Notas (se quedan en este navegador; nunca se envían)").fill("tab A")
    b.get_by_label("Notas (se quedan en este navegador; nunca se envían)").fill("tab B")
    a.reload()
    b.reload()
    start = step(vpn, vpn.start)
    second = step(vpn, start.options[0].next or "")
    assert a.locator(".kb-r__crumbs li").all_inner_texts() == [f"1. {step(net, net.start).title}"
                                                               f"{step(net, net.start).options[0].label}"]
    assert b.locator(".kb-r__crumbs li").all_inner_texts() == [
        f"{number(vpn, start.id)}. {start.title}{start.options[0].label}",
        f"{number(vpn, second.id)}. {second.title}{second.options[0].label}"]
    assert a.get_by_label("Notas (se quedan en este navegador; nunca se envían)").input_value() == "tab A"
    assert b.get_by_label("Notas (se quedan en este navegador; nunca se envían)").input_value() == "tab B"
    stored = runs(a)
    assert sorted(r["pid"] for r in stored.values()) == [PID, "vpn-no-conecta"]
    # a third tab on the same protocol as tab A, while A is alive, starts its own run
    c = watched(ctx.new_page())
    c.goto(site.url(PAGE))
    assert c.locator(".kb-r__crumbs li").count() == 0
    for p in (a, b, c):
        assert p.kb_errors == []  # type: ignore[attr-defined]


def test_closed_tab_run_is_picked_up_by_a_new_tab(ctx: BrowserContext, site: Site) -> None:
    a = watched(ctx.new_page())
    a.goto(site.url(PAGE))
    choose(a, 0)
    a.close()  # the tab is gone (a crash, or closed by mistake): its run stays in localStorage
    b = watched(ctx.new_page())
    at(b, 30)
    b.goto(site.url(PAGE))
    expect(b.locator(".kb-r__crumbs li")).to_have_count(1)
    assert heading(b).startswith("Paso 3: ")  # comprobar-ip, third in the list


def test_practice_mode_is_visible_and_marked(page: Page, site: Site) -> None:
    page.goto(site.url(PAGE))
    open_context(page)
    page.get_by_label("Modo práctica").check()
    expect(page.locator(".kb-r__practice")).to_have_text("Práctica: esta ejecución no cuenta en los informes.")
    page.get_by_label("Usado en este caso").check()
    choose(page, 0)
    confirm(page, "Abandonar", "Sí, abandonar")
    ev = _run_event(page)
    assert ev["practice"] is True
    assert queued(page, "article_used") == []  # practice links no article to a real case
    assert "Práctica: sí (no cuenta en los informes)" in page.locator("#kb-r-summary").input_value().split("\n")
    page.get_by_role("button", name="Nueva ejecución").click()  # the toggle is remembered for the next run
    expect(page.get_by_label("Modo práctica")).to_be_checked()
    expect(page.locator(".kb-r__practice")).to_be_visible()


def test_level_and_channel_are_remembered_and_articles_open_beside(page: Page, site: Site) -> None:
    page.goto(site.url(PAGE))
    page.get_by_text("Avanzado", exact=True).click()
    open_context(page)
    page.get_by_label("Canal").select_option("remote")
    link = page.locator(".kb-runner .kb-r__articles a").first
    assert link.get_attribute("target") == "_blank"
    with page.context.expect_page() as new_tab:
        link.click()
    article = new_tab.value
    article.wait_for_load_state()
    assert "/red/" in article.url
    article.close()
    choose(page, 0)
    assert heading(page).startswith("Paso 3: ")  # the run goes on in its own tab
    page.goto(site.url("protocolos/vpn-no-conecta/"))
    expect(page.get_by_label("Avanzado")).to_be_checked()
    assert page.get_by_label("Canal").input_value() == "remote"


def test_csat_page_sends_one_answer_tied_to_the_run(page: Page, site: Site) -> None:
    page.goto(site.url(PAGE))
    choose(page, 1)
    choose(page, 0)  # router restarted: resolved
    link = page.locator("#kb-r-message").input_value().split("una sola pregunta: ")[1].split("\n")[0]
    run_id = queued(page, "protocol_run")[0]["session_id"]
    assert link == f"{site.base}/satisfaccion/?run={run_id}"
    page.goto(link)
    expect(page.get_by_role("heading", name="¿Cómo le atendimos?")).to_be_visible()
    page.get_by_text("Bien", exact=True).click()
    page.get_by_label("¿Quiere contarnos algo más? (opcional)").fill("Muy rápido, gracias")
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("¡Gracias! Hemos recibido su respuesta.")).to_be_focused()
    csat = queued(page, "csat")
    assert [(e["session_id"], e["rating"], e["comment"], e["page"]) for e in csat] == [
        (run_id, 4, "Muy rápido, gracias", "/satisfaccion/")]
    _valid_for_the_service(site, queued(page))
    page.reload()  # answered once: the form does not come back
    expect(page.locator("#kb-csat")).to_be_hidden()
    expect(page.get_by_text("¡Gracias! Hemos recibido su respuesta.")).to_be_visible()
    page.goto(site.url("satisfaccion/?run=nope"))
    expect(page.get_by_text("Este enlace no es válido.", exact=False)).to_be_visible()
    expect(page.locator("#kb-csat")).to_be_hidden()
    assert len(queued(page, "csat")) == 1


def test_self_service_guide_solved_and_still_not_working(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, "equipo-lento")
    first = step(proto, proto.start)
    page.goto(site.url("protocolos/equipo-lento/"))
    expect(page.get_by_label("Autoservicio")).to_be_checked()  # audience both: end users by default
    expect(page.locator(".kb-runner .kb-r__do")).to_have_count(0)  # no technician instructions
    expect(page.get_by_label("Notas (se quedan en este navegador; nunca se envían)")).to_be_hidden()
    expect(page.get_by_label("Canal")).to_be_hidden()
    assert first.say is not None
    expect(page.locator(".kb-runner .kb-r__say")).to_contain_text(plain(first.say.basic))
    choose(page, 0)
    startup = step(proto, first.options[0].next or "")
    choose(page, 0, startup.options[0].label)  # resolves: the guide asks whether it is solved
    expect(page.locator(".kb-runner .kb-r__ask")).to_have_text("¿Se ha solucionado?")
    expect(page.locator(".kb-runner .kb-r__cause")).to_have_text(plain(startup.options[0].explain))
    choose(page, 0, "Sí, esto lo solucionó")
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text("¡Nos alegra que se haya solucionado!")
    ev = _run_event(page)
    assert (ev["outcome"], ev["mode"], ev["resolved_step"], ev["customer_level"]) == (
        "resolved", "self-service", startup.id, "basic")
    assert "channel" not in ev and ev["articles_used"] == []

    page.get_by_role("button", name="Empezar la guía de nuevo").click()
    at(page, 40)
    choose(page, 0)
    at(page, 100)
    page.get_by_role("button", name="Sigue sin funcionar: contactar con soporte").click()
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text("Sigue sin funcionar")
    run_id = queued(page, "protocol_run")[1]["session_id"]
    assert page.locator("#kb-r-summary").input_value() == "\n".join([  # plain language: no ids, hashes, offsets
        f"Guía: {proto.title}",
        "Lo que he probado:",
        f"1. {first.title} — {first.options[0].label}",
        f"2. {startup.title}",
        "Resultado: Sigue sin funcionar",
        "Fecha: 23 de noviembre de 2026 a las 10:01",  # Chromium's ICU wording
    ])
    page.get_by_role("button", name="Copiar resumen").click()
    page.wait_for_function(f"localStorage.getItem('kb.run.{run_id}') === null")
    assert clipboard(page).startswith(f"Guía: {proto.title}")
    assert queued(page, "protocol_run")[1]["outcome"] == "unresolved"
    _valid_for_the_service(site, queued(page))


def _stored_run(run_id: str, pid: str, version: str, seen_ms: int, path: list[dict[str, Any]],
                current: str) -> dict[str, Any]:
    return {"v": 1, "id": run_id, "pid": pid, "version": version, "mode": "technician", "started": seen_ms - 60_000,
            "seen": seen_ms, "level": "basic", "channel": "phone", "ticket": "", "tech": "", "practice": False,
            "path": path, "current": current, "stepStart": seen_ms, "confirm": None, "used": [], "notes": "secreto",
            "end": None, "sent": False, "stored": True}


def test_runs_older_than_the_configured_age_are_cleared(page: Page, site: Site, catalog: Catalog) -> None:
    proto, version = protocol(catalog, PID)
    first = step(proto, proto.start)
    page.goto(site.url(PAGE))
    day = 86_400_000
    t0 = int(page.evaluate("Date.now()"))
    old = _stored_run("11111111-1111-4111-8111-111111111111", PID, version, t0 - 31 * day,
                      [{"step": proto.start, "answer": first.options[0].label, "seconds": 7}],
                      first.options[0].next or "")
    recent = _stored_run("22222222-2222-4222-8222-222222222222", "vpn-no-conecta", "x", t0 - 29 * day, [],
                         "internet-sin-vpn")
    page.evaluate("runs => runs.forEach(r => localStorage.setItem('kb.run.' + r.id, JSON.stringify(r)))",
                  [old, recent])
    page.reload()
    assert sorted(runs(page)) == ["kb.run.22222222-2222-4222-8222-222222222222"]
    assert page.locator(".kb-r__crumbs li").count() == 0  # the old run was not resumed
    ev = _run_event(page)  # an unfinished run that is cleared counts as abandoned, where it stopped
    assert (ev["session_id"], ev["outcome"], ev["ended_at"]) == (old["id"], "abandoned", "2026-10-23T09:00:00.000Z")
    assert ev["path"] == [*old["path"], {"step": first.options[0].next, "seconds": 0}]
    assert "secreto" not in json.dumps(queued(page))


def test_a_run_of_an_older_version_resumes_only_if_its_path_still_exists(page: Page, site: Site,
                                                                         catalog: Catalog) -> None:
    proto, version = protocol(catalog, PID)
    first = step(proto, proto.start)
    page.goto(site.url(PAGE))
    t0 = int(page.evaluate("Date.now()"))
    good = _stored_run("33333333-3333-4333-8333-333333333333", PID, "0ld", t0,
                       [{"step": proto.start, "answer": first.options[0].label, "seconds": 7}],
                       first.options[0].next or "")
    page.evaluate("r => { localStorage.setItem('kb.run.' + r.id, JSON.stringify(r));"
                  "sessionStorage.setItem('kb.runner.tab.' + r.pid, r.id) }", good)
    page.reload()
    nxt = first.options[0].next or ""
    assert heading(page) == f"Paso {number(proto, nxt)}: {step(proto, nxt).title}"
    assert runs(page)[f"kb.run.{good['id']}"]["version"] == version
    bad = dict(good, id="44444444-4444-4444-8444-444444444444", path=[
        {"step": proto.start, "answer": "Una respuesta que ya no existe", "seconds": 7}])
    page.evaluate("r => { localStorage.setItem('kb.run.' + r.id, JSON.stringify(r));"
                  "sessionStorage.setItem('kb.runner.tab.' + r.pid, r.id) }", bad)
    page.reload()
    assert heading(page) == f"Paso 1: {first.title}"
    expect(page.locator(".kb-r__sr[role=status]")).to_have_text(
        "El protocolo ha cambiado desde la última vez; se empieza de nuevo.")
    assert f"kb.run.{bad['id']}" not in runs(page)


def test_ui_follows_the_page_language_and_the_message_the_protocol_language(page: Page, site: Site,
                                                                           catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    first = step(proto, proto.start)

    def english(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace('<html lang="es"', '<html lang="en"', 1))

    page.route(f"**/{PAGE}", english)
    page.goto(site.url(PAGE))
    # the step itself is the server-rendered section, in the protocol's language (test_runner_one_renderer.py)
    assert heading(page) == f"Paso 1: {first.title}"
    expect(page.get_by_role("group", name="Customer level")).to_be_visible()
    confirm(page, "Abandon", "Yes, abandon")
    expect(page.locator(".kb-runner .kb-r__title")).to_have_text("Abandoned")
    assert page.locator("#kb-r-summary").input_value().startswith(f"Protocol: {proto.title}")
    assert page.locator("#kb-r-message").input_value().startswith("Hola:")  # the customer's language: es
