"""The runner on a live call, at 1366x768: the question and its answers on the first screen, the table of
contents and the numbers following the runner, a second action for what throws work away, a visible copy
confirmation, the ticket system's deep link and going back recorded in the path.

Screenshots land in ``docs/img/runner/`` (used by docs/runner.md) when ``KB_SCREENSHOTS`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.model.catalog import Catalog
from tests.browser.conftest import Site, _serve, new_context, watched
from tests.browser.runner_page import (
    at,
    choose,
    heading,
    number,
    open_context,
    options,
    protocol,
    queued,
    step,
)
from tests.browser.test_runner import PAGE, PID, _run_event, _valid_for_the_service
from tests.sitebuild import REPO, copy_tiny, kb

DESKTOP = {"width": 1366, "height": 768}
SHOTS = REPO / "docs" / "img" / "runner"
LONG_DO = "\n".join(f"      {i}. Línea {i} de las instrucciones: compruebe el paso número {i}." for i in range(1, 41))


def _shot(page: Page, name: str) -> None:
    if os.environ.get("KB_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def desk(browser: Browser, site: Site) -> Iterator[Page]:
    ctx = new_context(browser, site, viewport=DESKTOP)
    page = watched(ctx.new_page())
    yield page
    assert page.kb_errors == []  # type: ignore[attr-defined]
    ctx.close()


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The tiny fixture whose first step has a 40-line `do:`."""
    root = copy_tiny(tmp_path_factory.mktemp("long-do") / "repo")
    proto = root / "protocols" / "sin-conexion.yml"
    text = proto.read_text(encoding="utf-8")
    old = "    do: |\n      Pida al cliente que mire **la luz** del puerto de red.\n"
    assert old in text
    proto.write_text(text.replace(old, "    do: |\n" + LONG_DO + "\n"), encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    yield from _serve(root / "site")


def _on_first_screen(page: Page) -> None:
    """The question and every answer lie inside the viewport, without scrolling the page."""
    height = DESKTOP["height"]
    boxes = [page.locator(".kb-runner .kb-r__ask").bounding_box()] + [b.bounding_box() for b in options(page).all()]
    assert len(boxes) >= 2
    for box in boxes:
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (heading(page), box)


def test_context_folds_and_answers_are_on_the_first_screen(desk: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    desk.goto(site.url(PAGE))
    assert desk.evaluate("window.scrollY") == 0
    expect(desk.locator("article .kb-meta").first).to_be_hidden()  # metadata, languages, prerequisites folded
    expect(desk.locator("article > .admonition.info")).to_be_hidden()
    expect(desk.get_by_label("Ticket (opcional)")).to_be_hidden()
    expect(desk.locator(".kb-r__ctx > summary")).to_have_text(
        f"Datos del caso Teléfono · sin ticket · Antes de empezar ({len(proto.prerequisites)})")
    _on_first_screen(desk)
    _shot(desk, "live-step-1")
    for answer in (0, 0, 1):  # alcance -> comprobar-ip -> probar-dns -> vaciar-cache-dns, after each answer
        choose(desk, answer)
        _on_first_screen(desk)
    open_context(desk)  # one click unfolds it all
    expect(desk.get_by_label("Ticket (opcional)")).to_be_visible()
    expect(desk.locator(".kb-r__ctx .admonition")).to_contain_text(proto.prerequisites[0])


def test_a_40_line_do_scrolls_inside_its_own_box(browser: Browser, long_site: Site) -> None:
    ctx = new_context(browser, long_site, viewport=DESKTOP)
    page = watched(ctx.new_page())
    page.goto(long_site.url("protocolos/sin-conexion/"))
    page.get_by_label("Técnico", exact=True).check()
    box = page.locator(".kb-runner .kb-r__do .kb-r__scroll")
    expect(box).to_contain_text("Línea 40 de las instrucciones")
    assert box.evaluate("b => b.scrollHeight > b.clientHeight + 100")  # long: it scrolls, the page does not grow
    _on_first_screen(page)
    _shot(page, "live-long-do")
    box.focus()  # reachable by keyboard, and scrollable
    page.keyboard.press("End")
    expect(box.get_by_text("Línea 40 de las instrucciones")).to_be_in_viewport()
    choose(page, 1, "No")
    _on_first_screen(page)
    assert page.kb_errors == []  # type: ignore[attr-defined]
    ctx.close()


def _toc_current(page: Page) -> list[str]:
    return page.locator(".md-nav--secondary a[aria-current=step]").all_inner_texts()


def test_toc_marks_the_current_step_with_the_runners_number(desk: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    desk.goto(site.url(PAGE))
    first = step(proto, proto.start)
    assert heading(desk) == f"Paso 1: {first.title}"
    assert [t.strip() for t in _toc_current(desk)] == [f"1. {first.title}"]
    choose(desk, 0)  # to comprobar-ip, the list's third step
    ip = step(proto, "comprobar-ip")
    n = number(proto, ip.id)
    assert n == 3 and heading(desk) == f"Paso {n}: {ip.title}"
    assert [t.strip() for t in _toc_current(desk)] == [f"{n}. {ip.title}"]
    desk.get_by_role("button", name="Ver todos los pasos").click()
    expect(desk.locator(f"h3#{ip.id}")).to_contain_text(f"{n}. {ip.title}")  # the list says the same
    desk.get_by_role("button", name="Ocultar la lista de pasos").click()
    desk.mouse.wheel(0, 600)  # Material's scroll spy may mark another entry: it must not look current
    desk.wait_for_timeout(300)
    colours = desk.evaluate("""() => [...document.querySelectorAll('.md-nav--secondary a.md-nav__link')]
        .map(a => [a.getAttribute('aria-current') === 'step', getComputedStyle(a).color,
                   getComputedStyle(a).fontWeight])""")
    current = [c[1:] for c in colours if c[0]]
    others = {tuple(c[1:]) for c in colours if not c[0]}
    assert len(current) == 1 and tuple(current[0]) not in others and len(others) == 1


def test_restart_and_abandon_need_a_second_action(desk: Page, site: Site, catalog: Catalog) -> None:
    protocol(catalog, PID)  # the starter protocol is there
    desk.goto(site.url(PAGE))
    choose(desk, 0)
    before = heading(desk)
    desk.get_by_role("button", name="Empezar de nuevo", exact=True).click()
    assert heading(desk) == before  # nothing lost yet
    expect(desk.get_by_role("group", name="Empezar de nuevo")).to_contain_text(
        "¿Empezar de nuevo? Se perderán el camino y las notas de esta ejecución.")
    expect(desk.get_by_role("button", name="Cancelar")).to_be_focused()
    desk.get_by_role("button", name="Cancelar").click()
    assert heading(desk) == before
    expect(desk.locator(".kb-r__crumbs li")).to_have_count(1)
    desk.get_by_role("button", name="Abandonar", exact=True).click()
    assert queued(desk, "protocol_run") == []  # not ended by one click
    desk.keyboard.press("Escape")
    expect(desk.get_by_role("button", name="Sí, abandonar")).to_have_count(0)
    # styled apart from the outcomes: another group, another look
    unresolved = desk.get_by_role("button", name="No resuelto", exact=True)
    abandon = desk.get_by_role("button", name="Abandonar", exact=True)
    assert unresolved.evaluate("b => b.parentElement.className") != abandon.evaluate("b => b.parentElement.className")
    look = ("b => [getComputedStyle(b).color, getComputedStyle(b).borderTopColor, "
            "getComputedStyle(b).textDecorationLine]")
    assert unresolved.evaluate(look) != abandon.evaluate(look)
    _shot(desk, "live-tools")
    abandon.click()
    desk.get_by_role("button", name="Sí, abandonar").click()
    assert _run_event(desk)["outcome"] == "abandoned"


def test_copy_shows_a_visible_confirmation(desk: Page, site: Site) -> None:
    desk.goto(site.url(PAGE))
    choose(desk, 1)
    choose(desk, 0)  # router restarted: resolved
    for name in ("Copiar mensaje", "Copiar resumen"):
        button = desk.get_by_role("button", name=name)
        button.click()
        expect(desk.get_by_text("Copiado ✓")).to_be_visible()
        expect(desk.locator(".kb-r__copy--done")).to_have_count(1)
        desk.clock.run_for(5000)  # back to its label after a while
        expect(desk.get_by_role("button", name=name)).to_be_visible()
    _shot(desk, "live-end")


def test_deep_link_prefills_the_run_and_sets_contact_at(desk: Page, site: Site, catalog: Catalog) -> None:
    protocol(catalog, PID)  # the starter protocol is there
    desk.goto(site.url(PAGE + "?ticket=INC-1&level=advanced&channel=chat&contact=2026-11-23T08:45:00Z"))
    expect(desk.locator(".kb-r__notice")).to_be_hidden()
    expect(desk.get_by_role("radio", name="Avanzado")).to_be_checked()
    expect(desk.locator(".kb-r__ctx > summary")).to_contain_text("Chat · INC-1 · Contacto del cliente 09:45")
    open_context(desk)
    assert desk.get_by_label("Ticket (opcional)").input_value() == "INC-1"
    assert desk.get_by_label("Canal").input_value() == "chat"
    contact = desk.get_by_label("Contacto del cliente (hora)")
    assert contact.input_value() == "2026-11-23T09:45"  # Madrid time, editable
    contact.fill("2026-11-23T09:40")
    desk.reload()  # a reload keeps the run, and does not apply the link again over the edit
    open_context(desk)
    assert desk.get_by_label("Contacto del cliente (hora)").input_value() == "2026-11-23T09:40"
    choose(desk, 1)
    choose(desk, 0)  # resolved
    ev = _run_event(desk)
    assert (ev["ticket_ref"], ev["customer_level"], ev["channel"], ev["contact_at"]) == (
        "INC-1", "advanced", "chat", "2026-11-23T08:40:00.000Z")
    assert "Contacto del cliente: 2026-11-23 09:40:00 (UTC+01:00)" in desk.locator("#kb-r-summary").input_value()
    _valid_for_the_service(site, queued(desk))


def test_bad_deep_link_parameters_are_ignored_with_a_notice(desk: Page, site: Site) -> None:
    desk.goto(site.url(PAGE + "?ticket=INC-2&level=experto&channel=fax&contact=ayer"))
    notice = desk.locator(".kb-r__notice")
    expect(notice).to_be_visible()
    for bad in ("«level=experto»", "«channel=fax»", "«contact=ayer»"):
        expect(notice).to_contain_text(bad)
    expect(notice).not_to_contain_text("ticket=")
    expect(desk.get_by_role("radio", name="Básico")).to_be_checked()
    expect(desk.locator(".kb-r__ctx > summary")).to_contain_text("Teléfono · INC-2")
    desk.goto(site.url(PAGE + "?ticket=%3Cimg%20src%3Dx%3E"))
    expect(desk.locator(".kb-r__notice")).to_contain_text("«ticket=<img src=x>»")  # as text
    assert desk.locator(".kb-runner img").count() == 0


def test_going_back_stays_in_the_path(desk: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    desk.goto(site.url(PAGE))
    choose(desk, 1)  # to revisar-router
    at(desk, 7)
    desk.get_by_role("button", name="Atrás").click()
    choose(desk, 0)  # comprobar-ip this time
    desk.get_by_role("button", name="No resuelto").click()
    path = _run_event(desk)["path"]
    assert path[0] == {"step": "revisar-router", "seconds": 7, "back": True}
    assert [p["step"] for p in path[1:]] == ["alcance", "comprobar-ip"]
    assert f"{step(proto, 'revisar-router').title} — volvió atrás (7 s)" in desk.locator("#kb-r-summary").input_value()
    _valid_for_the_service(site, queued(desk))

