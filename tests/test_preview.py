"""The live preview (`kb serve --watch`): incremental rebuilds on real MkDocs builds, the search
indexes kept whole, content errors, full rebuilds, and the watcher over real HTTP and in Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from generator.pipeline.validation import validate_tree
from generator.preview import Preview
from generator.search import open_server_index
from generator.search.documents import analyze, catalog_docs
from generator.search.scoring import LiveImpacts, compute_impacts
from generator.search.static import StaticIndex
from tests.sitebuild import REPO, TODAY, copy_tiny, env, page

ARTICLE = "kb/red/cable-suelto.md"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_TODAY", TODAY)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The tiny fixture with its own copy of the theme (the tests edit theme files)."""
    root = copy_tiny(tmp_path / "repo")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(f"custom_dir: {REPO / 'theme'}",
                                                           f"custom_dir: {tmp_path / 'theme'}"), encoding="utf-8")
    return root


@pytest.fixture
def preview(repo: Path) -> Preview:
    p = Preview(repo / "mkdocs.yml")
    assert p.build().kind == "full"
    return p


def _edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _static_ids(site: Path, query: str) -> list[str]:
    return [h.id for h in StaticIndex(site / "search").search(query).hits]


def _server_ids(site: Path, query: str) -> list[str]:
    index = open_server_index(site.parent / ".kb-data")  # the private data folder, next to the site
    try:
        return [h.id for h in index.search(query).hits]
    finally:
        index.close()


# --- incremental rebuilds ----------------------------------------------------------------------------
def test_body_edit_rebuilds_the_page_and_keeps_the_search_indexes_whole(repo: Path, preview: Preview) -> None:
    site = repo / "site"
    before = {p: p.stat().st_mtime_ns for p in (site / "etiquetas" / "index.html", site / "index.html",
                                                 site / "protocolos" / "index.html")}
    manifest = json.loads((site / "kb-manifest.json").read_text(encoding="utf-8"))
    outcome = preview.update([_edit(repo / ARTICLE, "hasta oír un clic", "hasta oír un clic de zarzaparrilla")])
    assert (outcome.kind, outcome.errors) == ("incremental", [])
    assert "zarzaparrilla" in page(site, "red/cable-suelto").get_text()
    for query, expected in (("zarzaparrilla", ["cable-suelto"]), ("dns", None)):
        static, server = _static_ids(site, query), _server_ids(site, query)
        assert static == server
        if expected is not None:
            assert static == expected
        else:
            assert "dns-mal-configurado" in static  # the other documents are still in both indexes
    after = json.loads((site / "kb-manifest.json").read_text(encoding="utf-8"))
    assert after["articles"]["cable-suelto"]["version"] != manifest["articles"]["cable-suelto"]["version"]
    # Pages the edit does not touch are not written again.
    assert {p: p.stat().st_mtime_ns for p in before} == before
    # A word taken out is gone from both indexes.
    preview.update([_edit(repo / ARTICLE, "hasta oír un clic de zarzaparrilla", "hasta oír un clic")])
    assert _static_ids(site, "zarzaparrilla") == [] and _server_ids(site, "zarzaparrilla") == []


def test_title_edit_updates_indexes_and_the_protocol_that_links_the_article(repo: Path, preview: Preview) -> None:
    site = repo / "site"
    outcome = preview.update([_edit(repo / ARTICLE, "title: El cable de red está suelto",
                                    "title: El cable de red se ha soltado")])
    assert outcome.kind == "incremental"
    assert page(site, "red/cable-suelto").find("h1").get_text(strip=True).startswith("El cable de red se ha soltado")
    assert "El cable de red se ha soltado" in page(site, "protocolos/sin-conexion").get_text()
    assert "El cable de red está suelto" in page(site, "audiencias").get_text()  # second pass, below
    version = preview.version
    first = preview.index_pages_due(stop=lambda: True)  # a newer edit is waiting: one page, then yield
    rest = preview.index_pages_due()
    assert (first.kind, first.pages, rest.pages, preview.version) == ("indexes", 1, 3, version + 2)
    assert preview.index_pages_due().kind == "none"  # area, tags, audiences and home are done
    for url in ("red", "etiquetas", "audiencias", "", "protocolos/sin-conexion"):
        assert "El cable de red se ha soltado" in page(site, url).get_text(), url
        assert "El cable de red está suelto" not in page(site, url).get_text(), url


def test_protocol_edit_updates_its_page_and_the_articles_that_show_it(repo: Path, preview: Preview) -> None:
    site = repo / "site"
    outcome = preview.update([_edit(repo / "protocols" / "sin-conexion.yml", "title: Sin conexión a Internet",
                                    "title: No hay Internet en el equipo")])
    assert outcome.kind == "incremental"
    assert "No hay Internet en el equipo" in page(site, "protocolos/sin-conexion").get_text()
    assert "No hay Internet en el equipo" in page(site, "red/cable-suelto").get_text()  # "used in"
    assert _static_ids(site, "equipo internet")[0] == "sin-conexion"


def test_content_error_keeps_the_site_then_the_fix_applies_every_edit(repo: Path, preview: Preview) -> None:
    site = repo / "site"
    good = (site / "red" / "cable-suelto" / "index.html").read_bytes()
    outcome = preview.update([_edit(repo / ARTICLE, "type: solution", "type: solucion")])
    assert outcome.kind == "error"
    assert outcome.errors == ["kb/red/cable-suelto.md:4:7: type: expected one of 'solution' or 'guide', "
                              "found 'solucion'"]
    assert preview.errors == outcome.errors
    assert (site / "red" / "cable-suelto" / "index.html").read_bytes() == good
    version = preview.version
    _edit(repo / "kb" / "red" / "dns-mal-configurado.md", "## Causa", "Nota del segundo cambio.\n\n## Causa")
    preview.update([repo / "kb" / "red" / "dns-mal-configurado.md"])
    assert preview.errors and preview.version == version + 1  # still broken: nothing applied
    outcome = preview.update([_edit(repo / ARTICLE, "type: solucion", "type: solution")])
    assert (outcome.kind, preview.errors) == ("incremental", [])
    assert "Nota del segundo cambio" in page(site, "red/dns-mal-configurado").get_text()


def test_added_and_removed_files_run_a_full_build(repo: Path, preview: Preview) -> None:
    site = repo / "site"
    new = repo / "kb" / "red" / "cable-nuevo.md"
    new.write_text((repo / ARTICLE).read_text(encoding="utf-8").replace("id: cable-suelto", "id: cable-nuevo"),
                   encoding="utf-8")
    assert preview.update([new]).kind == "full"
    assert (site / "red" / "cable-nuevo" / "index.html").is_file()
    assert _server_ids(site, "cable")[:2] != []
    assert "cable-nuevo" in _static_ids(site, "cable")
    new.unlink()
    assert preview.update([new]).kind == "full"
    assert not (site / "red" / "cable-nuevo").exists()
    assert "cable-nuevo" not in _static_ids(site, "cable") + _server_ids(site, "cable")
    # and an incremental edit works on the rebuilt state
    outcome = preview.update([_edit(repo / ARTICLE, "hasta oír un clic", "hasta oír un chasquido")])
    assert outcome.kind == "incremental" and "chasquido" in page(site, "red/cable-suelto").get_text()


def test_theme_assets_are_copied_and_templates_rebuild_everything(repo: Path, preview: Preview) -> None:
    site = repo / "site"
    theme = repo.parent / "theme"
    css = theme / "assets" / "kb" / "kb.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.kb-test-marker { color: red; }\n", encoding="utf-8")
    assert preview.update([css]).kind == "assets"
    assert ".kb-test-marker" in (site / "assets" / "kb" / "kb.css").read_text(encoding="utf-8")
    _edit(theme / "fragments" / "article.md", "{% include \"languages.md\" %}",
          "<p class=\"kb-test-fragment\">fragmento</p>\n\n{% include \"languages.md\" %}")
    assert preview.update([theme / "fragments" / "article.md"]).kind == "full"
    assert page(site, "red/cable-suelto").select_one(".kb-test-fragment") is not None
    _edit(repo / "mkdocs.yml", "site_name: Soporte mínimo", "site_name: Soporte renombrado")
    assert preview.update([repo / "mkdocs.yml"]).kind == "full"
    assert "Soporte renombrado" in page(site, "").get_text()


def test_editor_temp_files_are_ignored(repo: Path, preview: Preview) -> None:
    for name in (".cable-suelto.md.swp", "cable-suelto.md~", "4913", ".#cable-suelto.md", ".goutputstream-X"):
        (repo / "kb" / "red" / name).write_text("x", encoding="utf-8")
        assert preview.update([repo / "kb" / "red" / name]).kind == "none", name
    assert preview.update([repo / "kb" / "red", repo / "kb"]).kind == "none"  # folders' own events
    assert preview.version == 0


def test_live_impacts_start_equal_to_the_full_builds() -> None:
    catalog = validate_tree(REPO, None, lint=False).catalog
    docs = [analyze(d) for d in catalog_docs(catalog)]
    live = LiveImpacts(docs)
    assert live.impacts == compute_impacts(docs)
    touched = live.replace(3, docs[3], docs[3])  # the same document again: nothing moves
    assert touched and live.impacts == compute_impacts(docs)


def test_only_watch_builds_carry_the_preview_script(repo: Path, preview: Preview, tmp_path: Path) -> None:
    assert page(repo / "site", "red/cable-suelto").select_one('script[src$="assets/kb/preview.js"]') is not None
    other = copy_tiny(tmp_path / "plain")
    subprocess.run([sys.executable, "-m", "generator.cli", "build", "--root", str(other)], env=env(), check=True,
                   capture_output=True)
    assert page(other / "site", "red/cable-suelto").select_one('script[src$="assets/kb/preview.js"]') is None


# --- kb serve --watch over real HTTP, and in Chromium -------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 30) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read().decode()
            return r.status, json.loads(body) if r.headers.get_content_type() == "application/json" else body
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


@pytest.fixture
def served(repo: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = tmp_path / "watch.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--watch", "--root", str(repo),
                                 "--port", str(port), "--data-dir", str(tmp_path / "data")],
                                env=env(), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/api/preview", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        time.sleep(0.3)  # the watcher's threads start right before the server
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        assert "Traceback" not in log.read_text(), log.read_text()


def test_watch_over_http_edit_error_and_fix(repo: Path, served: str, tmp_path: Path) -> None:
    status, state = _get(f"{served}/api/preview")
    assert status == 200 and state["errors"] == [] and state["building"] is False
    v0 = state["version"]
    _edit(repo / ARTICLE, "hasta oír un clic", "hasta oír un clic de madreselva")
    status, state = _get(f"{served}/api/preview?since={v0}")
    assert (status, state["version"], state["errors"]) == (200, v0 + 1, [])
    _, body = _get(f"{served}/red/cable-suelto/")
    assert "madreselva" in body
    _, found = _get(f"{served}/api/search?q=madreselva")
    assert [h["id"] for h in found["results"]] == ["cable-suelto"]
    log = (tmp_path / "watch.log").read_text()
    assert "preview: incremental rebuild" in log and "full rebuild" not in log, log  # the folder's event too
    _edit(repo / ARTICLE, "type: solution", "type: <b>solucion</b>")
    status, state = _get(f"{served}/api/preview?since={v0 + 1}")
    assert state["errors"] == ["kb/red/cable-suelto.md:4:7: type: expected one of 'solution' or 'guide', found "
                               "'<b>solucion</b>'"]
    assert "madreselva" in _get(f"{served}/red/cable-suelto/")[1]  # the last good site is still served
    assert _get(f"{served}/api/preview?since=abc")[0] == 400


def test_watch_reloads_the_open_page_and_shows_errors_as_text(repo: Path, served: str, browser: Browser) -> None:
    ctx = browser.new_context()
    try:
        tab = ctx.new_page()
        tab.goto(f"{served}/red/cable-suelto/")
        expect(tab.locator("h1")).to_contain_text("El cable de red está suelto")
        tab.wait_for_timeout(300)  # preview.js has asked for the version and waits
        _edit(repo / ARTICLE, "title: El cable de red está suelto", "title: El cable de red se soltó")
        expect(tab.locator("h1")).to_contain_text("El cable de red se soltó", timeout=15_000)
        tab.wait_for_timeout(300)
        _edit(repo / ARTICLE, "type: solution", "type: <img src=x onerror=alert(1)>")
        banner = tab.locator(".kb-preview-errors")
        expect(banner).to_be_visible(timeout=15_000)
        expect(banner.locator("pre")).to_contain_text("kb/red/cable-suelto.md:4:7: type: expected one of")
        assert banner.locator("img").count() == 0  # the message is text, not HTML
        _edit(repo / ARTICLE, "type: <img src=x onerror=alert(1)>", "type: solution")
        expect(banner).to_be_hidden(timeout=15_000)
        expect(tab.locator("h1")).to_contain_text("El cable de red se soltó")
    finally:
        ctx.close()


def test_watch_refuses_several_workers_and_no_build(repo: Path) -> None:
    for extra in (["--workers", "2"], ["--no-build"]):
        result = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--watch", "--root", str(repo),
                                 *extra], env={**os.environ, "KB_TODAY": TODAY}, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 2, result.stderr
        assert "--watch: expected one worker and a build" in result.stderr


def test_watch_never_puts_preview_code_in_the_deployable_site(repo: Path, tmp_path: Path) -> None:
    """`site/` is what teams deploy: the preview builds into the data folder, so no exit path (SIGINT
    here, SIGTERM in the `served` fixture) can leave pages that load preview.js and poll /api/preview."""
    import signal

    built = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--root", str(repo)], env=env(),
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    before = (repo / "site" / "index.html").read_text(encoding="utf-8")
    port, log = _free_port(), tmp_path / "sigint.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--watch", "--root", str(repo),
                                 "--port", str(port), "--data-dir", str(tmp_path / "data")],
                                env=env(), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert status == 200 and "assets/kb/preview.js" in body  # the preview's pages do poll
        _edit(repo / ARTICLE, "type: solution", "type: solucion")  # one problem
        deadline = time.monotonic() + 30
        while "preview: the site was not updated" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
    text = log.read_text()
    assert "(1 problem)" in text and "1 problems" not in text, text
    assert (repo / "site" / "index.html").read_text(encoding="utf-8") == before
    assert not [p for p in (repo / "site").rglob("*.html") if "preview.js" in p.read_text(encoding="utf-8")]
    assert (tmp_path / "data" / "preview" / "site" / "assets" / "kb" / "preview.js").is_file()
