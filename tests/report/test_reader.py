"""The report as a support lead reads it, in Spanish and in English, after a year of runs on the
starter content: words instead of codes, steps by title, one row per technician, translations
counted with their original, protocols without runs on one line, chart labels that do not
overlap (measured in Chromium)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from bs4 import BeautifulSoup

from generator.model.manifest import Manifest
from generator.report.build import content_manifest
from generator.report.common import Filters
from generator.report.output import write_report
from generator.report.sqlreport import report_from_store
from generator.store import open_store

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
ORIGINAL, TRANSLATION = "sin-conexion-internet", "sin-conexion-internet-en"
CODES = ("missing_info", "did_not_work", "outdated", "unclear", "phone", "chat", "remote", "email", "article",
         "protocol", "gap", "resolved", "escalated", "abandoned", "unresolved", "fcr_window_days", "protocol_id",
         "channel", "technician")


def _id(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def year_of_events(manifest: Manifest) -> list[dict[str, Any]]:
    """Runs every week of a year on one protocol and its English translation (technician "Ana" and "ana"),
    "no" votes with a reason, searches that find nothing, CSAT answers."""
    steps = manifest.protocols[ORIGINAL].steps
    start = datetime(2025, 11, 24, 9, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    for i in range(52 * 3):
        t = start + timedelta(days=i * 7 / 3)
        iso = t.isoformat().replace("+00:00", "Z")
        end = (t + timedelta(minutes=6)).isoformat().replace("+00:00", "Z")
        session = _id(10_000 + i)
        out.append({"id": _id(i + 1), "type": "protocol_run", "ts": end, "page": "/p/", "session_id": session,
                    "protocol_id": TRANSLATION if i % 3 == 0 else ORIGINAL, "protocol_version": "v1",
                    "started_at": iso, "ended_at": end, "outcome": ("resolved", "escalated", "abandoned")[i % 3],
                    "path": [{"step": s, "answer": "No", "seconds": 30 + i % 50} for s in steps[: 1 + i % 4]],
                    "channel": ("phone", "chat", "remote")[i % 3], "technician": ("Ana", "ana", " ANA ")[i % 3],
                    "contact_at": (t - timedelta(minutes=3)).isoformat().replace("+00:00", "Z")})
        out.append({"id": _id(5000 + i), "type": "csat", "ts": end, "page": "/s/", "session_id": session,
                    "rating": 1 + i % 5})
    article = next(iter(sorted(manifest.articles)))
    for i in range(6):
        out.append({"id": _id(8000 + i), "type": "feedback", "ts": "2026-11-02T10:00:00Z", "page": "/a/",
                    "article_id": article, "helpful": i == 0, "reason": None if i == 0 else "missing_info"})
        out.append({"id": _id(9000 + i), "type": "search", "ts": "2026-11-02T10:00:00Z", "page": "/",
                    "query": "impresora 3d", "results": 0})
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Path]]:
    """(manifest, lang -> report folder) of the year of events, computed by SQL on SQLite."""
    manifest = content_manifest(REPO, TODAY)
    base = tmp_path_factory.mktemp("reader")
    store = open_store(f"sqlite:///{base / 'data' / 'events.sqlite3'}", base / "data")
    store.insert(year_of_events(manifest))
    report = report_from_store(store, manifest, Filters(), TODAY)
    store.close()
    folders = {}
    for lang in ("es", "en"):
        folders[lang] = base / lang
        write_report(report, folders[lang], lang)
    return manifest.model_dump(mode="json"), folders


def _soup(folder: Path) -> BeautifulSoup:
    return BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")


def _table(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    for table in soup.find_all("table"):
        if table.caption and table.caption.get_text(strip=True) == caption:
            rows = table.tbody.find_all("tr")
            return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in rows]
    raise AssertionError(f"no table {caption!r}")


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.slow  # builds the starter content's manifest
def test_words_not_codes(reports: tuple[dict[str, Any], dict[str, Path]], lang: str) -> None:
    manifest, folders = reports
    soup = _soup(folders[lang])
    text = soup.get_text(" ")
    cells = [el.get_text(" ", strip=True) for el in soup.select("tbody td, tbody th, svg text, li, span")]
    for code in CODES:
        assert code not in cells, f"a raw code as a cell: {code}"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)[:5]
    steps = {s for p in manifest["protocols"].values() for s in p["steps"]}
    assert not steps & set(cells), sorted(steps & set(cells))[:5]
    hyphenated = [s for s in steps if "-" in s and re.search(rf"(?<![\w/-]){re.escape(s)}(?![\w-])", text)]
    assert hyphenated == []
    shown = manifest["protocols"][ORIGINAL if lang == "es" else TRANSLATION]  # steps in the report's language
    assert shown["step_titles"][shown["steps"][0]] in cells
    fix = _table(soup, {"es": "Qué arreglar primero", "en": "Fix next"}[lang])
    reason = {"es": "Falta información", "en": "Missing information"}[lang]
    assert any(reason in row[-1] for row in fix), fix
    kinds = {row[1] for row in fix}
    assert kinds <= {"Artículo", "Protocolo", "Hueco de contenido", "Article", "Protocol", "Content gap"}, kinds


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.slow  # builds the starter content's manifest
def test_one_row_per_technician_and_protocol(reports: tuple[dict[str, Any], dict[str, Path]], lang: str) -> None:
    manifest, folders = reports
    soup = _soup(folders[lang])
    techs = _table(soup, {"es": "CSAT por técnico", "en": "CSAT by technician"}[lang])
    assert [row[0] for row in techs] == ["ana"]
    assert re.fullmatch(r"\d+ % \(\d+ (de|of) 156\)", techs[0][1]), techs[0]
    protocols = _table(soup, {"es": "Protocolos", "en": "Protocols"}[lang])
    title = manifest["protocols"][ORIGINAL if lang == "es" else TRANSLATION]["title"]
    assert [row[0] for row in protocols] == [title]  # one row: the translation's runs inside
    assert protocols[0][1] == "156"
    assert protocols[0][2] == {"es": "33 % (52 de 156)", "en": "33 % (52 of 156)"}[lang]
    idle = soup.select_one("p.idle")
    assert idle is not None
    originals = [p for p, info in manifest["protocols"].items() if not info.get("translation_of")]
    assert idle.get_text().startswith(f"{len(originals) - 1} ")
    assert manifest["protocols"][TRANSLATION if lang == "es" else ORIGINAL]["title"] not in idle.get_text()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_chart_labels_do_not_overlap(reports: tuple[dict[str, Any], dict[str, Path]], browser: Browser,
                                     lang: str) -> None:
    _, folders = reports
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.goto((folders[lang] / "report.html").as_uri())
        boxes = page.evaluate("""() => [...document.querySelectorAll('svg.chart__svg')].map(svg =>
            [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
                const b = t.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom, t.textContent]; }))""")
    finally:
        page.close()
    assert len(boxes) >= 4  # runs, FCR, CSAT by week and one funnel
    assert max(len(chart) for chart in boxes) >= 10
    for chart in boxes:
        for i, a in enumerate(chart):
            for b in chart[i + 1:]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, f"{a[4]!r} overlaps {b[4]!r}"


@pytest.mark.slow
def test_one_screen_summary_with_deltas_targets_and_sparklines(tmp_path: Path) -> None:
    from generator.report.build import compute_report
    from generator.report.config import ReportConfig
    from generator.report.output import render_html

    manifest = content_manifest(REPO, TODAY)
    store = open_store(f"sqlite:///{tmp_path / 'events.sqlite3'}", tmp_path)
    store.insert(year_of_events(manifest))
    try:
        report = compute_report(manifest=manifest, today=TODAY, config=ReportConfig(), store=store,
                                filters=Filters(since=datetime(2026, 8, 1, tzinfo=UTC),
                                                until=datetime(2026, 11, 1, tzinfo=UTC)))
    finally:
        store.close()
    assert report["previous"]["filters"]["since"].startswith("2026-05-01")  # 92 days before 2026-08-01
    assert report["targets"]["fcr"] == 0.66
    soup = BeautifulSoup(render_html(report, "es"), "html.parser")
    cards = {c.select_one(".card__label").get_text(): c for c in soup.select(".cards .card")}
    fcr = cards["Resolución en el primer contacto (FCR)"]
    assert fcr.select_one(".card__target").get_text().startswith("meta ≥ 66 %")
    assert fcr.select_one(".card__delta").get_text() in {"= 0"} or fcr.select_one(".card__delta").get_text()[0] in "▲▼"
    assert "card--missed" in fcr["class"] or "card--met" in fcr["class"]
    assert fcr.select_one("svg.spark polyline")["points"].count(",") >= 10  # one point per week
    assert "frente al periodo anterior" in soup.get_text()


@pytest.mark.parametrize("size", [(1366, 768), (360, 740)])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_report_has_no_serious_axe_violations(reports: tuple[dict[str, Any], dict[str, Path]], browser: Browser,
                                              lang: str, size: tuple[int, int]) -> None:
    from tests.browser.test_runner_a11y import serious

    _, folders = reports
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto((folders[lang] / "report.html").as_uri())
        found = serious(page)
    finally:
        page.close()
    assert found == []
