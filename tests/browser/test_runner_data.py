"""The runner's build side (generator/render/runner.py), its size, and its node unit tests.

No browser here: the data each protocol page carries, the links in it, the satisfaction page,
the 30 KB gzip budget of runner.js + runner.css, and `node --test tests/js/`.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from generator.layout import page_path, relative_url
from generator.pipeline.validation import validate_tree
from generator.render.runner import RunnerOptions, data_json, runner_data
from tests.browser.conftest import Site
from tests.sitebuild import REPO, TINY, copy_tiny, kb, page

ASSETS = REPO / "theme" / "assets" / "kb"
BUDGET = 30 * 1024


def test_runner_js_and_css_fit_in_30_kb_gzipped() -> None:
    sizes = {name: len(gzip.compress((ASSETS / name).read_bytes(), 9)) for name in ("runner.js", "runner.css")}
    extra = sorted(p.name for p in ASSETS.glob("runner-*"))  # any later runner-* asset counts too
    sizes.update({name: len(gzip.compress((ASSETS / name).read_bytes(), 9)) for name in extra})
    assert sum(sizes.values()) <= BUDGET, sizes


def test_node_unit_tests_pass() -> None:
    node = shutil.which("node")
    assert node, "Node.js is missing: run scripts/test-deps"
    result = subprocess.run([node, "--test", "tests/js/"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


@pytest.mark.parametrize(("src", "directory", "expected"), [
    ("red/dns.md", True, "red/dns/"), ("red/index.md", True, "red/"), ("index.md", True, ""),
    ("red/dns.md", False, "red/dns.html"), ("satisfaccion/index.md", False, "satisfaccion/index.html"),
])
def test_page_url(src: str, directory: bool, expected: str) -> None:
    assert page_path(src, directory_urls=directory) == expected


@pytest.mark.parametrize(("to", "directory", "expected"), [
    ("red/cable-suelto.md", True, "../../red/cable-suelto/"),
    ("satisfaccion/index.md", True, "../../satisfaccion/"),
    ("protocolos/otro.md", True, "../otro/"),
    ("red/cable-suelto.md", False, "../red/cable-suelto.html"),
    ("satisfaccion/index.md", False, "../satisfaccion/index.html"),
])
def test_relative_url_from_a_protocol_page(to: str, directory: bool, expected: str) -> None:
    assert relative_url("protocolos/sin-conexion.md", to, directory_urls=directory) == expected


def test_runner_data_of_the_tiny_protocol() -> None:
    catalog = validate_tree(TINY, date(2026, 11, 23)).catalog
    entry = catalog.protocol_by_id["sin-conexion"]
    data = runner_data(entry, catalog, "protocolos/sin-conexion.md", RunnerOptions(max_age_days=7))
    assert {k: data[k] for k in ("id", "version", "title", "audience", "lang", "start", "channels", "csat_url",
                                 "max_age_days")} == {
        "id": "sin-conexion", "version": entry.version, "title": "Sin conexión a Internet", "audience": "both",
        "lang": "es", "start": "comprobar-cable", "channels": ["phone", "chat", "remote"],
        "csat_url": "../../satisfaccion/", "max_age_days": 7}
    first = data["steps"][0]
    # the step's content is rendered once, on the page (theme/fragments/step.md): none of it is data here
    assert "say" not in first and "do" not in first
    assert first["articles"] == [{"id": "cable-suelto", "title": "El cable de red está suelto",
                                  "audience": "end-user", "url": "../../red/cable-suelto/"}]
    assert first["options"] == [
        {"label": "Sí", "resolve": "Cable desconectado", "explain": "El cable de red no estaba bien conectado.",
         "prevent": "Asegúrese de que el cable hace clic al conectarlo."},
        {"label": "No", "next": "comprobar-dns"}]
    last = data["steps"][-1]
    assert (last["escalate"], last["options"], last.get("say"), last.get("do")) == ("Nivel 2 — Redes", [], None, None)
    # the enumerations and their labels come with the data (declared once in generator/model/fields.py)
    assert data["levels"] == ["basic", "advanced"]
    assert data["labels"] == {"phone": "Teléfono", "chat": "Chat", "remote": "Control remoto", "email": "Correo",
                              "basic": "Básico", "advanced": "Avanzado"}


def test_plain_text_of_markdown_explanations() -> None:
    catalog = validate_tree(TINY, date(2026, 11, 23)).catalog
    entry = catalog.protocol_by_id["sin-conexion"]
    option = entry.model.steps[0].options[0]
    changed = option.model_copy(update={"explain": "El **cable** no\nestaba `bien`.\n\nSegundo *párrafo*."})
    step = entry.model.steps[0].model_copy(update={"options": [changed, *entry.model.steps[0].options[1:]]})
    proto = entry.model.model_copy(update={"steps": [step, *entry.model.steps[1:]]})
    data = runner_data(type(entry)(proto, entry.path, entry.version), catalog, "protocolos/sin-conexion.md",
                       RunnerOptions())
    assert data["steps"][0]["options"][0]["explain"] == "El cable no estaba bien.\n\nSegundo párrafo."


def test_data_json_is_compact_unicode() -> None:
    assert data_json({"a": "ñ <b>"}) == '{"a":"ñ <b>"}'


def _protocol_data(html: BeautifulSoup) -> dict[str, Any]:
    holders = html.select("#kb-protocol-data")
    assert len(holders) == 1
    assert holders[0].has_attr("hidden")
    data: dict[str, Any] = json.loads(str(holders[0]["data-protocol"]))
    return data


def test_every_built_protocol_page_carries_data_whose_links_exist(site: Site) -> None:
    manifest = json.loads((site.root / "kb-manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["protocols"]) >= 8
    for pid, info in manifest["protocols"].items():
        folder = site.root / info["url"].strip("/")
        data = _protocol_data(page(site.root, info["url"].strip("/")))
        assert (data["id"], data["version"]) == (pid, info["version"])
        assert [s["id"] for s in data["steps"]] == info["steps"]
        for s in data["steps"]:
            for a in s["articles"]:
                assert (folder / a["url"] / "index.html").resolve().is_file(), (pid, a)
                assert a["id"] in manifest["articles"]
        assert (folder / data["csat_url"] / "index.html").resolve().is_file()
    csat = page(site.root, "satisfaccion")
    assert csat.select_one("form#kb-csat[hidden]") is not None
    assert len(csat.select("form#kb-csat input[type=radio][name=rating]")) == 5
    assert csat.select_one("noscript") is not None
    index = site.root / "search" / "search_index.json"  # Material's search, when the site uses it
    assert not index.is_file() or "satisfaccion/" not in index.read_text(encoding="utf-8")


def test_no_directory_urls_and_max_age_option(tmp_path: Path) -> None:
    """With use_directory_urls off, links are .html files; runner_max_age_days reaches the page."""
    root = copy_tiny(tmp_path / "repo")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("plugins:\n  - kb\n", (
        "use_directory_urls: false\nplugins:\n  - kb:\n      runner_max_age_days: 7\n")), encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    site = root / "site"
    data = _protocol_data(page(site, "protocolos/sin-conexion.html"))
    assert data["max_age_days"] == 7
    assert data["csat_url"] == "../satisfaccion/index.html"
    urls = [a["url"] for s in data["steps"] for a in s["articles"]]
    assert urls == ["../red/cable-suelto.html", "../red/dns-mal-configurado.html"]
    assert all((site / "protocolos" / u).resolve().is_file() for u in [*urls, data["csat_url"]])
