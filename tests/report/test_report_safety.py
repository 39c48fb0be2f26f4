"""The report is inert with hostile text, its CSV is spreadsheet-safe, and /report is never public."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser

from generator.report.build import content_manifest
from generator.report.common import Filters
from generator.report.metrics import report_from_events
from generator.report.output import write_report
from tests.report.fixture import events
from tests.service.conftest import Server, new_id, request
from tests.service.test_api import XSS
from tests.sitebuild import TINY

TODAY = date(2026, 11, 23)
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background")


def hostile_events() -> list[dict[str, Any]]:
    out = events()
    for i, payload in enumerate(XSS):
        out.append({"id": new_id(), "type": "feedback", "ts": "2026-11-20T10:00:00Z", "page": "/red/cable-suelto/",
                    "article_id": "cable-suelto", "helpful": False, "reason": "other", "comment": payload})
        out.append({"id": new_id(), "type": "search", "ts": "2026-11-20T10:00:00Z", "page": "/",
                    "query": payload[:200], "results": 0})
        out.append({"id": new_id(), "type": "csat", "ts": "2026-11-20T10:00:00Z", "page": "/satisfaccion/",
                    "session_id": "10000000-0000-4000-8000-000000000001", "rating": 1 + i % 5, "comment": payload})
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the fixture plus 50 hostile comments and queries, written to a folder."""
    out = tmp_path_factory.mktemp("report")
    report = report_from_events(hostile_events(), content_manifest(TINY, TODAY), Filters(), TODAY)
    write_report(report, out, "es")
    return out


def test_fifty_payloads_are_shown_as_text_only(written: Path) -> None:
    assert len(XSS) >= 50
    html = BeautifulSoup((written / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert html.find_all(["script", "iframe", "style", "object", "embed", "base"]) == []
    on_attrs = [(el.name, a) for el in html.find_all(True) for a in el.attrs if a.lower().startswith("on")]
    assert on_attrs == []
    js_urls = [el.get(a) for el in html.find_all(True) for a in URL_ATTRS
               if str(el.get(a, "")).strip().lower().startswith("javascript:")]
    assert js_urls == []
    comments = {td.get_text() for td in html.select("td.comment")}
    for payload in XSS:
        shown = payload.replace("\r", "\n")  # HTML turns CR into LF when it is parsed
        assert shown in comments or shown[:200] in comments, payload  # shown, verbatim, as text


def test_csv_cells_cannot_run_as_formulas(written: Path) -> None:
    checked = 0
    for path in (written / "csv").glob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for cell in row:
                checked += 1
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
    assert checked > 500
    comments = (written / "csv" / "comments.csv").read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in comments and "'+SUM(1+1)" in comments and "'@SUM(1)" in comments


@pytest.fixture
def report_server(site: Path, tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"],
                 env={"KB_REPORT_TOKEN": "s3cret-token-0123456789"}).start()
    store = srv.store()
    try:
        store.insert(hostile_events())
    finally:
        store.close()
    yield srv
    srv.stop()


def test_report_needs_credentials(report_server: Server) -> None:
    status, body, headers = request(report_server, "GET", "/report/")
    assert (status, body) == (401, {"error": "credentials required"})
    assert headers["www-authenticate"] == 'Basic realm="kb report"'
    assert request(report_server, "GET", "/report/report.json")[0] == 401
    assert request(report_server, "GET", "/report/", headers={"Authorization": "Bearer wrong"})[0] == 401
    basic_bad = base64.b64encode(b"lead:wrong").decode()
    assert request(report_server, "GET", "/report/", headers={"Authorization": f"Basic {basic_bad}"})[0] == 401
    basic = base64.b64encode(b"lead:s3cret-token-0123456789").decode()
    status, body, headers = request(report_server, "GET", "/report/", headers={"Authorization": f"Basic {basic}"})
    assert status == 200 and "Informe de reutilización y resolución" in body
    assert headers["cache-control"] == "no-store"
    assert "default-src 'none'" in headers["content-security-policy"]
    status, data, _ = request(report_server, "GET", "/report/report.json",
                              headers={"Authorization": "Bearer s3cret-token-0123456789"})
    assert status == 200 and data["overall"]["runs"] == 5


def test_report_is_off_without_a_token(site: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, env={"KB_REPORT_TOKEN": ""}).start()
    try:
        status, body, _ = request(srv, "GET", "/report/", headers={"Authorization": "Bearer "})
        assert (status, body) == (403, {"error": "the report is off: set KB_REPORT_TOKEN to turn it on"})
    finally:
        srv.stop()


@pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 360)])
def test_report_screenshot(browser: Browser, report_server: Server, tmp_path: Path, name: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900},
                            extra_http_headers={"Authorization": "Bearer s3cret-token-0123456789"})
    try:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{report_server.base}/report/")
        assert page.locator("h1").inner_text() == "Informe de reutilización y resolución"
        assert page.locator("svg.chart__svg").count() >= 4
        css_ok = page.evaluate("getComputedStyle(document.querySelector('.card')).display")
        assert css_ok == "flex"  # the linked stylesheet loaded under the CSP
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot = tmp_path / f"report-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        assert dialogs == []  # no payload ran
    finally:
        page.close()


def test_report_periods(report_server: Server) -> None:
    auth = {"Authorization": "Bearer s3cret-token-0123456789"}
    status, data, _ = request(report_server, "GET", "/report/report.json?from=2026-11-16&to=2026-11-23", headers=auth)
    assert status == 200
    assert data["overall"]["runs"] == 2  # R1 (11-16) and R2 (11-18); R3 ends on 11-23, excluded
    assert data["previous"]["filters"]["since"].startswith("2026-11-09")
    assert data["previous"]["overall"]["runs"] == 0
    status, body, _ = request(report_server, "GET", "/report/?days=30", headers=auth)
    assert status == 200 and "Últimos 30 días" in body and "?days=7" in body
    status, body, _ = request(report_server, "GET", "/report/?days=5", headers=auth)
    assert (status, body) == (400, {"error": "days: expected one of 7, 30, 90, found '5'"})
    status, body, _ = request(report_server, "GET", "/report/?from=2026-11-23&to=2026-11-01", headers=auth)
    assert (status, body) == (400, {"error": "to: expected a date after from"})
