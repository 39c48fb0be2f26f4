"""Every metric against hand-computed values, read back from SQLite and from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator.model.manifest import Manifest
from generator.report.build import content_manifest
from generator.report.common import Filters, parse_ts, percentile, wilson_lower
from generator.report.metrics import report_from_events
from generator.store import open_store
from tests.report.fixture import events
from tests.service.conftest import fresh_database
from tests.sitebuild import TINY

TODAY = date(2026, 11, 23)
approx = pytest.approx


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    """The tiny fixture's content, as the report sees it."""
    return content_manifest(TINY, TODAY)


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgresql"])
def report(request: pytest.FixtureRequest, manifest: Manifest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The fixture's report, computed from events read back from each store."""
    if request.param == "memory":
        yield report_from_events(events(), manifest, Filters(), TODAY)
        return
    data = tmp_path_factory.mktemp("report") / "data"
    if request.param == "sqlite":
        url_cm: Any = None
        url = f"sqlite:///{data / 'events.sqlite3'}"
    else:
        url_cm = fresh_database(request.getfixturevalue("pg_server"))
        url = url_cm.__enter__()
    store = open_store(url, data)
    try:
        assert store.insert(events()) == (25, 0)
        yield report_from_events(store.iter_events(), manifest, Filters(), TODAY)
    finally:
        store.close()
        if url_cm is not None:
            url_cm.__exit__(None, None, None)


def test_wilson_and_percentile_by_hand() -> None:
    # p = 1/4, z = 1.96: (0.25 + 0.4802 - 1.96*sqrt((0.1875 + 0.2401)/4)) / 1.9604 = 0.04558
    assert wilson_lower(1, 4) == approx(0.04558, abs=1e-4)
    assert wilson_lower(3, 4) == approx(0.30063, abs=1e-4)
    assert wilson_lower(1, 1) == approx(0.20654, abs=1e-4)  # one vote is not 100 %
    assert wilson_lower(0, 0) is None
    assert percentile([120, 240, 360], 90) == 360  # nearest rank: ceil(0.9 * 3) = 3rd
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9


def test_overall(report: dict[str, Any]) -> None:
    o = report["overall"]
    # 5 runs (the practice run is out): R1 resolved, R2 escalated, R3 resolved, R4 abandoned, R6 resolved
    assert (o["runs"], o["resolved"], o["escalated"], o["abandoned"], o["unresolved"]) == (5, 3, 1, 1, 0)
    assert (o["resolution_rate"], o["escalation_rate"], o["abandonment_rate"]) == approx((0.6, 0.2, 0.2))
    # FCR: R3 and R6; R1 is resolved but INC-1 came back 2 days later (R2) -> 2/5
    assert o["fcr"] == approx(0.4)
    # resolved durations 240, 120, 360 s -> median 240, p90 (nearest rank) 360; response 09:58 -> 10:00
    assert (o["median_resolution_seconds"], o["p90_resolution_seconds"]) == (240, 360)
    assert o["median_response_seconds"] == 120
    assert (o["p90_response_seconds"], o["responses"]) == (120, 1)  # only R1 carries contact_at
    assert report["response_by_channel"] == [{"channel": "phone", "responses": 1, "median_response_seconds": 120,
                                              "p90_response_seconds": 120}]
    # CSAT answers of real runs: 5, 3, 4 -> two of three are 4-5; the practice run's 1 is out
    assert (o["csat"], o["csat_answers"]) == (approx(2 / 3), 3)
    # article ratings 5, 2, 4 -> 2/3, shown apart
    assert o["article_rating_csat"] == approx(2 / 3)
    # cases R1, R2 (INC-1 linked), R3 (INC-2 linked by a KCS link), R6 (articles used) of 5; R4 not
    assert o["link_rate"] == approx(0.8)
    # links in time: dns/INC-1 (new), dns/INC-2 (reuse), cable/S6 (new), dns/S6 (reuse) -> 2/4
    assert o["reuse_rate"] == approx(0.5)
    # votes not by technicians: yes, no, yes, no -> 0.5
    assert o["self_service_success"] == approx(0.5)
    # clients: C1 in W47 and W48 comes back; C2 and C3 do not -> 1/3
    assert o["retention"] == approx(1 / 3)
    assert (o["searches"], o["zero_result_searches"], o["events"]) == (4, 3, 25)


def test_articles(report: dict[str, Any]) -> None:
    arts = {a["id"]: a for a in report["articles"]}
    cable = arts["cable-suelto"]
    assert (cable["views"], cable["yes"], cable["no"]) == (2, 1, 3)
    assert cable["helpfulness"] == approx(0.25)
    assert cable["helpful_lower_bound"] == approx(0.04558, abs=1e-4)
    assert cable["unhelpful_lower_bound"] == approx(0.30063, abs=1e-4)
    assert (cable["ratings"], cable["csat"]) == (2, approx(0.5))
    assert cable["no_reasons"] == {"outdated": 1, "unclear": 2, "did_not_work": 0, "missing_info": 0, "other": 0}
    assert [c["comment"] for c in cable["comments"]] == ["<script>alert(1)</script> no entiendo"]
    # reuse = KCS links 0 + used in run R6 1 + linked by 1 protocol
    assert (cable["kcs_links"], cable["run_uses"], cable["referenced_by"], cable["reuse"]) == (0, 1, 1, 2)
    assert cable["self_service_success"] == approx(1 / 3)  # the technician's "no" is not self-service
    dns = arts["dns-mal-configurado"]
    assert (dns["views"], dns["yes"], dns["no"], dns["helpfulness"]) == (1, 1, 0, 1.0)
    assert dns["helpful_lower_bound"] == approx(0.20654, abs=1e-4)
    assert dns["unhelpful_lower_bound"] == approx(0.0, abs=1e-9)
    assert (dns["kcs_links"], dns["run_uses"], dns["referenced_by"], dns["reuse"]) == (2, 2, 1, 5)
    assert (dns["csat"], dns["self_service_success"]) == (1.0, 1.0)
    guide = arts["cambiar-contrasena"]
    assert (guide["views"], guide["yes"], guide["no"], guide["run_uses"], guide["reuse"]) == (0, 0, 0, 0, 0)
    assert guide["helpfulness"] is None and guide["self_service_success"] is None  # practice run ignored


def test_protocol(report: dict[str, Any]) -> None:
    (p,) = report["protocols"]
    assert p["id"] == "sin-conexion"
    assert (p["runs"], p["fcr"], p["views"], p["csat"]) == (5, approx(0.4), 1, approx(2 / 3))
    assert (p["median_resolution_seconds"], p["p90_resolution_seconds"]) == (240, 360)
    # cable: R1 40, R2 30, R3 120, R4 60, R6 50 s -> mean 60, sd sqrt(23000/5 - 3600) = 31.62; R3 resolved
    # there, R4 abandoned there; answers No x3, Sí x1. dns: 200, 300, 310 -> mean 270, R1 and R6 resolved
    # there. escalar: R2 ended (escalated) there. Nobody went back (no `back: true` in the paths).
    common = {"back_runs": 0, "back_rate": 0.0}
    assert p["funnel"] == [
        {"step": "comprobar-cable", "reached": 5, "ended_here": 2, "resolved_here": 1, "escalated_here": 0,
         "abandoned_here": 1, "top_answer": "No", "median_seconds": 50.0, "mean_seconds": 60.0,
         "total_seconds": 300.0, "sd_seconds": approx(1000 ** 0.5), **common},
        {"step": "comprobar-dns", "reached": 3, "ended_here": 2, "resolved_here": 2, "escalated_here": 0,
         "abandoned_here": 0, "top_answer": "No", "median_seconds": 300.0, "mean_seconds": 270.0,
         "total_seconds": 810.0, "sd_seconds": approx((226100 / 3 - 72900) ** 0.5), **common},
        {"step": "escalar", "reached": 1, "ended_here": 1, "resolved_here": 0, "escalated_here": 1,
         "abandoned_here": 0, "top_answer": None, "median_seconds": 0.0, "mean_seconds": 0.0,
         "total_seconds": 0.0, "sd_seconds": 0.0, **common},
    ]
    assert p["resolving_options"] == [
        {"step": "comprobar-dns", "answer": "No", "cause": "DNS mal configurado", "runs": 2},
        {"step": "comprobar-cable", "answer": "Sí", "cause": "Cable desconectado", "runs": 1},
    ]


def test_csat_groups(report: dict[str, Any]) -> None:
    by = report["csat_by"]
    assert by["protocol_id"] == [{"protocol_id": "sin-conexion", "answers": 3, "csat": approx(2 / 3), "mean": 4.0}]
    assert by["channel"] == [{"channel": "chat", "answers": 1, "csat": 0.0, "mean": 3.0},
                             {"channel": "phone", "answers": 2, "csat": 1.0, "mean": 4.5}]
    assert by["technician"] == [{"technician": "ana", "answers": 2, "csat": 1.0, "mean": 4.5},
                                {"technician": "ben", "answers": 1, "csat": 0.0, "mean": 3.0}]


def test_weekly_trends(report: dict[str, Any]) -> None:
    assert report["trends"] == [
        {"week": "2026-W47", "runs": 2, "fcr": 0.0, "escalation_rate": 0.5, "median_resolution_seconds": 240.0,
         "csat": 1.0, "self_service_success": 0.5},
        {"week": "2026-W48", "runs": 3, "fcr": approx(2 / 3), "escalation_rate": 0.0,
         "median_resolution_seconds": 240.0, "csat": 0.5, "self_service_success": 0.5},
    ]


def test_content_health(report: dict[str, Any]) -> None:
    h = report["health"]
    assert h["overdue"] == []
    assert h["never_viewed"] == [{"id": "cambiar-contrasena", "kind": "article", "title": "Cambiar la contraseña"}]
    assert [a["id"] for a in h["high_no_rate"]] == ["cable-suelto"]
    assert h["zero_result_searches"] == [{"query": "impresora atascada", "searches": 2},
                                         {"query": "vpn", "searches": 1}]
    assert h["stalled_protocols"] == []
    assert [(f["kind"], f["id"], f["score"]) for f in h["fix_next"]] == [
        ("article", "cable-suelto", 9.02), ("gap", "impresora atascada", 4.0), ("gap", "vpn", 2.0)]
    assert h["fix_next"][0]["why"] == "3 of 4 votes say it did not solve the problem; most common reason: unclear"


def test_overdue_reviews_by_owner(manifest: Manifest) -> None:
    later = date(2027, 4, 9)
    report = report_from_events(events(), manifest, Filters(), later)
    assert [(o["owner"], o["id"], o["days_overdue"]) for o in report["health"]["overdue"]] == [
        ("equipo-cuentas", "cambiar-contrasena", 26), ("equipo-redes", "cable-suelto", 10),
        ("equipo-redes", "dns-mal-configurado", 10), ("equipo-redes", "sin-conexion", 10)]


def test_filters(manifest: Manifest) -> None:
    chat = report_from_events(events(), manifest, Filters(channel="chat"), TODAY)["overall"]
    assert (chat["runs"], chat["resolved"], chat["abandoned"], chat["fcr"]) == (2, 1, 1, 0.5)
    since = report_from_events(events(), manifest, Filters(since=parse_ts("2026-11-23T00:00:00Z")), TODAY)
    assert (since["overall"]["runs"], since["overall"]["fcr"]) == (3, approx(2 / 3))
    ana = report_from_events(events(), manifest, Filters(technician="ana"), TODAY)
    assert ana["overall"]["runs"] == 3  # R1, R2, R6
    assert {a["id"]: a["kcs_links"] for a in ana["articles"]}["dns-mal-configurado"] == 1
    cuentas = report_from_events(events(), manifest, Filters(area="cuentas"), TODAY)
    assert [a["id"] for a in cuentas["articles"]] == ["cambiar-contrasena"]
    window = report_from_events(events(), manifest, Filters(fcr_window_days=1), TODAY)["overall"]
    assert window["fcr"] == approx(0.6)  # with a 1-day window R2 (2 days later) no longer breaks R1's FCR


def test_report_command_writes_html_csv_json(tmp_path: Path) -> None:
    import json

    from generator.cli import main

    src = tmp_path / "events.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in events()) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--root", str(TINY), "--events", str(src), "--out", str(out), "--today",
                 "2026-11-23"]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["overall"]["fcr"] == approx(0.4)
    assert (out / "report.html").is_file() and (out / "report.css").is_file()
    assert sorted(p.name for p in (out / "csv").iterdir()) == sorted(
        f"{n}.csv" for n in ["overall", "trends", "articles", "comments", "protocols", "funnel", "resolving_options",
                             "csat_by_protocol_id", "csat_by_channel", "csat_by_technician", "overdue",
                             "zero_result_searches", "low_click_searches", "fix_next"])
