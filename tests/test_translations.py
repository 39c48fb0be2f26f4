"""Translations: the validation rules, the stale-translation check (real git), the language switch
on real builds, and the starter content's English versions.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, expect

from generator.content.history import normalized, open_history
from generator.pipeline.validation import validate_texts, validate_tree
from generator.render.i18n import strings
from tests.sitebuild import REPO, copy_tiny, kb, page

TODAY = date(2026, 11, 23)
SOURCE = "kb/red/cable-suelto.md"
EN = "kb/red/cable-suelto-en.md"
EN_TEXT = """---
id: cable-suelto-en
title: The network cable is loose
type: solution
audience: end-user
symptoms: [No Internet, The network icon shows a cross]
cause: The plug is not fully in.
owner: equipo-redes
reviewed: 2026-10-01
tags: [network]
lang: en
translation_of: cable-suelto
---
## Symptoms

There is no connection and the network icon shows a cross.

## Cause

The cable is not plugged in all the way.

## Solution

1. Unplug the cable.
2. Plug it back in until it clicks.

## Prevention

Do not pull the cable when you move the computer.
"""


def _messages(texts: dict[str, str]) -> list[str]:
    return [d.format() for d in validate_texts(texts, TODAY).diagnostics]


# --- validation rules ---------------------------------------------------------------------------------
def test_a_valid_translation_passes(tiny_texts: dict[str, str]) -> None:
    assert _messages({**tiny_texts, EN: EN_TEXT}) == []


def test_translation_of_a_translation_names_the_original(tiny_texts: dict[str, str]) -> None:
    second = EN_TEXT.replace("id: cable-suelto-en", "id: cable-suelto-pt").replace(
        "translation_of: cable-suelto", "translation_of: cable-suelto-en")
    out = _messages({**tiny_texts, EN: EN_TEXT, "kb/red/cable-suelto-pt.md": second})
    assert out == ["kb/red/cable-suelto-pt.md:12:17: translation_of: expected the id of an original, found "
                   "'cable-suelto-en', itself a translation of 'cable-suelto'; point at 'cable-suelto'"]


def test_translation_in_its_sources_language(tiny_texts: dict[str, str]) -> None:
    same = EN_TEXT.replace("lang: en", "lang: es").replace("## Symptoms", "## Síntomas").replace(
        "## Cause", "## Causa").replace("## Solution", "## Solución").replace("## Prevention", "## Prevención")
    out = _messages({**tiny_texts, EN: same})
    assert out == ["kb/red/cable-suelto-en.md:11:7: lang: expected a language other than its source's "
                   "(kb/red/cable-suelto.md is 'es'), found 'es'"]


def test_two_translations_into_one_language(tiny_texts: dict[str, str]) -> None:
    again = EN_TEXT.replace("id: cable-suelto-en", "id: cable-suelto-en2")
    out = _messages({**tiny_texts, EN: EN_TEXT, "kb/red/cable-suelto-en2.md": again})
    assert out == ["kb/red/cable-suelto-en2.md:12:17: translation_of: expected one 'en' translation of "
                   "'cable-suelto', found a second one (kb/red/cable-suelto-en.md is the first)"]


# --- the stale-translation check on a real git repository ---------------------------------------------
def _git(root: Path, *args: str, when: str = "2026-11-01T10:00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def _commit(root: Path, subject: str, when: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", subject, when=when)
    return _git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The tiny content with an English translation of cable-suelto, committed after its source."""
    root = copy_tiny(tmp_path / "repo")
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "Contenido inicial", "2026-10-01T09:00:00")
    (root / EN).write_text(EN_TEXT, encoding="utf-8")
    _commit(root, "English translation of cable-suelto", "2026-10-05T09:00:00")
    return root


def _stale(root: Path) -> list[str]:
    return [d.format() for d in validate_tree(root, TODAY, lint=False).diagnostics if "translation" in d.message]


def _edit_source(root: Path, old: str, new: str) -> None:
    path = root / SOURCE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_translation_newer_than_its_source_is_fine(repo: Path) -> None:
    assert _stale(repo) == []


def test_significant_change_of_the_source_warns_with_the_commits(repo: Path) -> None:
    translated = _git(repo, "log", "-1", "--format=%H", "--", EN)
    _edit_source(repo, "Evite tirar del cable", "Sujete el cable con una brida y evite tirar de él")
    changed = _commit(repo, "Prevención: brida", "2026-11-20T12:00:00")
    assert _stale(repo) == [
        f"{EN}:12:17: warning: translation_of: expected a translation updated since its source last changed "
        f"({SOURCE}: 2026-11-20 in {changed[:7]} \u201cPrevención: brida\u201d), found it last updated 2026-10-05 "
        f"in {translated[:7]} \u201cEnglish translation of cable-suelto\u201d; what changed: "
        f"git diff {translated[:7]} -- {SOURCE}"]
    # Updating the translation (in a later commit) settles it.
    (repo / EN).write_text(EN_TEXT.replace("Do not pull", "Tie the cable down and do not pull"), encoding="utf-8")
    _commit(repo, "Update the English translation", "2026-11-21T12:00:00")
    assert _stale(repo) == []


def test_review_bookkeeping_and_whitespace_are_not_significant(repo: Path) -> None:
    _edit_source(repo, "reviewed: 2026-10-01", "reviewed: 2026-11-20\nreview_every_days: 90")
    _edit_source(repo, "No hay conexión y el icono", "No hay conexión  y el\nicono")
    _commit(repo, "Revisado", "2026-11-20T12:00:00")
    assert _stale(repo) == []
    assert normalized("reviewed: 2026-01-01\nhola   mundo\n") == normalized("hola mundo")


def test_a_commit_marked_minor_is_not_significant(repo: Path) -> None:
    _edit_source(repo, "hasta oír un clic", "hasta oír un «clic»")
    _commit(repo, "Tipografía [minor]", "2026-11-20T12:00:00")
    assert _stale(repo) == []
    _edit_source(repo, "Desconecte el cable.", "Apague el equipo y desconecte el cable.")
    _commit(repo, "Apagar antes", "2026-11-21T12:00:00")
    assert len(_stale(repo)) == 1


def test_uncommitted_edit_of_the_source_warns_until_the_translation_is_edited(repo: Path) -> None:
    _edit_source(repo, "Desconecte el cable.", "Apague el equipo y desconecte el cable.")
    out = _stale(repo)
    assert len(out) == 1 and f"({SOURCE}: uncommitted changes)" in out[0], out
    (repo / EN).write_text(EN_TEXT.replace("Unplug the cable.", "Turn the computer off and unplug the cable."),
                           encoding="utf-8")
    assert _stale(repo) == []


def test_a_translation_merged_from_a_branch_counts_by_history_not_by_date(repo: Path) -> None:
    """The source changed on main *after* the translation's commit date, but the translation's branch
    was started from that change: the translation already contains it."""
    _edit_source(repo, "Desconecte el cable.", "Apague el equipo y desconecte el cable.")
    _commit(repo, "Apagar antes", "2026-11-21T12:00:00")
    (repo / EN).write_text(EN_TEXT.replace("Unplug the cable.", "Turn the computer off and unplug the cable."),
                           encoding="utf-8")
    _commit(repo, "Translate the change", "2026-11-10T12:00:00")  # a clock behind: the date is older
    assert _stale(repo) == []


def test_without_git_the_check_is_skipped(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "plain")
    (root / EN).write_text(EN_TEXT, encoding="utf-8")
    assert open_history(root) is None
    result = validate_tree(root, TODAY, lint=False)
    assert result.ok and _stale(root) == []


def test_kb_validate_prints_the_warning_and_strict_fails(repo: Path) -> None:
    _edit_source(repo, "Evite tirar del cable", "Sujete el cable con una brida")
    _commit(repo, "Prevención: brida", "2026-11-20T12:00:00")
    plain = kb("validate", "--root", str(repo))
    assert plain.returncode == 0 and f"{EN}:12:17: warning: translation_of: expected a translation" in plain.stdout
    strict = kb("validate", "--strict", "--root", str(repo))
    assert strict.returncode == 1 and f"{EN}:12:17: translation_of: expected a translation" in strict.stdout


# --- the language switch on a real build ---------------------------------------------------------------
PROTO_EN = "protocols/sin-conexion-en.yml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_tiny(tmp_path_factory.mktemp("translated") / "repo")
    (root / EN).write_text(EN_TEXT, encoding="utf-8")
    proto = (root / "protocols" / "sin-conexion.yml").read_text(encoding="utf-8")
    proto = proto.replace("id: sin-conexion\n", "id: sin-conexion-en\nlang: en\ntranslation_of: sin-conexion\n")
    proto = proto.replace("title: Sin conexión a Internet", "title: No Internet connection")
    proto = proto.replace("articles: [cable-suelto]", "articles: [cable-suelto-en]")
    (root / PROTO_EN).write_text(proto, encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    return root / "site"


def _switch(soup: BeautifulSoup) -> list[tuple[str, str, str | None]]:
    nav = soup.select_one("nav.kb-lang")
    assert nav is not None
    return [(el.get_text(), str(el.get("lang")), el.get("href") if el.name == "a" else None)
            for el in nav.select("strong, a")]


def test_article_pages_link_each_other_and_say_their_language(built: Path) -> None:
    es, en = page(built, "red/cable-suelto"), page(built, "red/cable-suelto-en")
    assert _switch(es) == [("Español", "es", None), ("English", "en", "../cable-suelto-en/")]
    assert _switch(en) == [("Español", "es", "../cable-suelto/"), ("English", "en", None)]
    assert es.html is not None and en.html is not None
    assert (es.html.get("lang"), en.html.get("lang")) == ("es", "en")
    for soup in (es, en):  # Material would fetch a sitemap.xml next to each (site-wide languages)
        assert not soup.select('link[rel="alternate"][hreflang]')
    assert en.select_one("nav.kb-lang")["aria-label"] == "Language"  # type: ignore[index]
    assert [h.get_text(strip=True).rstrip("¶") for h in en.select("article h2")][:4] == [
        "Symptoms", "Cause", "Solution", "Prevention"]


def test_protocol_pages_switch_and_the_translation_links_english_articles(built: Path) -> None:
    es, en = page(built, "protocolos/sin-conexion"), page(built, "protocolos/sin-conexion-en")
    assert _switch(es) == [("Español", "es", None), ("English", "en", "../sin-conexion-en/")]
    assert _switch(en) == [("Español", "es", "../sin-conexion/"), ("English", "en", None)]
    assert en.html is not None and en.html.get("lang") == "en"
    assert "../../red/cable-suelto-en/" in {a.get("href") for a in en.select("article a")}


def test_indexes_list_originals_with_their_other_languages(built: Path) -> None:
    area = page(built, "red")
    hrefs = [a.get("href") for a in area.select("article li a")]
    assert "cable-suelto-en/" in hrefs and hrefs.count("cable-suelto-en/") == 1
    item = next(li for li in area.select("article li") if li.select_one('a[href="cable-suelto/"]'))
    assert [(a.get_text(), a.get("hreflang")) for a in item.select("a[hreflang]")] == [("English", "en")]
    protocols = page(built, "protocolos")
    titles = [a.get_text() for a in protocols.select("article li > a:not([hreflang])")]
    assert titles == ["Sin conexión a Internet"]  # the translation is reached from its source's line
    untranslated = page(built, "red/dns-mal-configurado")
    assert untranslated.select_one("nav.kb-lang") is None


# --- the starter content ------------------------------------------------------------------------------
def test_starter_content_has_english_versions_of_8_protocols_and_8_articles() -> None:
    result = validate_tree(REPO, TODAY)
    catalog = result.catalog
    assert result.ok, [d.format() for d in result.diagnostics]
    en_protocols = [p for p in catalog.protocols if p.model.lang == "en" and p.model.translation_of]
    en_articles = [a for a in catalog.articles if a.meta.lang == "en" and a.meta.translation_of]
    assert len(en_protocols) >= 8 and len(en_articles) >= 8
    assert {p.model.translation_of for p in en_protocols} == {p.id for p in catalog.protocols if p.model.lang == "es"}
    for p in en_protocols:  # same steps, so reports compare runs across languages
        source = catalog.protocol_by_id[str(p.model.translation_of)].model
        assert [s.id for s in p.model.steps] == [s.id for s in source.steps], p.id
    for a in en_articles:
        assert catalog.article_by_id[str(a.meta.translation_of)].meta.lang == "es"
    # Not one warning on the translations: readability, jargon, blame lint included.
    translated = {p.path for p in en_protocols} | {a.path for a in en_articles}
    assert [d.format() for d in result.diagnostics if d.path in translated] == []


def test_runner_and_feedback_speak_the_pages_language(built: Path, browser: Browser) -> None:
    """In a real Chromium: the English protocol's runner and the English article's widget are in English,
    the Spanish pages in Spanish (both follow the page's <html lang>)."""
    from tests.browser.conftest import _serve

    serving = _serve(built)
    site = next(serving)
    ctx = browser.new_context(locale="es-ES")
    try:
        tab = ctx.new_page()
        failed: list[str] = []
        tab.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status == 404 else None)
        tab.goto(site.url("protocolos/sin-conexion-en/"))
        expect(tab.locator(".kb-runner .kb-r__title")).to_have_text("Step 1: Comprobar la conexión física")
        tab.goto(site.url("protocolos/sin-conexion/"))
        expect(tab.locator(".kb-runner .kb-r__title")).to_have_text("Paso 1: Comprobar la conexión física")
        tab.goto(site.url("red/cable-suelto-en/"))
        expect(tab.locator(".kb-feedback__title")).to_have_text("Did this solve your problem?")
        english = strings("en")  # the header's search box too
        expect(tab.locator("[data-kb-search] input[name=q]")).to_have_attribute("placeholder",
                                                                                english["search_placeholder"])
        tab.goto(site.url("red/cable-suelto/"))
        expect(tab.locator(".kb-feedback__title")).to_have_text("¿Le ha resuelto el problema?")
        expect(tab.locator("[data-kb-search] input[name=q]")).to_have_attribute("placeholder",
                                                                                strings("es")["search_placeholder"])
        tab.get_by_role("link", name="English").click()
        expect(tab).to_have_url(site.url("red/cable-suelto-en/"))
        assert failed == []  # e.g. no sitemap.xml fetched for <link rel="alternate">
    finally:
        ctx.close()
        serving.close()
