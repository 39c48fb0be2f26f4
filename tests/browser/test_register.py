"""The site's register in the interface: with `register: {es: tú}` the widgets and the page templates
say tú; by default they say usted (the lint side: tests/lint/test_register.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site, _serve, new_context
from tests.lint.test_register import TU
from tests.sitebuild import copy_tiny, kb


@pytest.fixture(scope="module")
def tu_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = copy_tiny(tmp_path_factory.mktemp("register") / "repo")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("plugins:\n  - kb\n", TU), encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    yield from _serve(root / "site")


@pytest.mark.parametrize(("which", "question", "label"), [
    ("tu", "¿Te ha resuelto el problema?", "Describe tu problema"),
    ("usted", "¿Le ha resuelto el problema?", "Describa su problema")])
def test_widgets_and_templates_speak_the_sites_register(browser: Browser, tu_site: Site, tiny_site: Site,
                                                        which: str, question: str, label: str) -> None:
    site = tu_site if which == "tu" else tiny_site
    ctx = new_context(browser, site)
    page = ctx.new_page()
    try:
        page.goto(site.url("red/dns-mal-configurado/"))
        expect(page.locator(".kb-feedback__title")).to_have_text(question)
        page.goto(site.url(""))
        expect(page.locator("label[for=kb-home-q]")).to_have_text(label)
        expect(page.locator("header input[name=q]")).to_have_attribute("aria-label", label)
    finally:
        ctx.close()
