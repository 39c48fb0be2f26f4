"""Protocols that learn from their runs: the issue's worked example, from generated runs.

Checks A (resolves 10 % of the runs that reach it, 60 s), B (50 %, 120 s) and C (30 %, 30 s), in
the order A, B, C: 60 + 0.9·120 + 0.9·0.5·30 = 181.5 s. C, B, A: 30 + 0.7·120 + 0.7·0.5·60 = 135 s,
46.5 s less. With C `after: [A]`: A, C, B, 60 + 0.9·30 + 0.9·0.7·120 = 162.6 s.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.model.manifest import Manifest
from generator.report.common import Filters
from generator.report.metrics import report_from_events
from generator.report.sqlreport import report_from_store
from generator.report.steporder import best_order, chains, expected_seconds
from generator.store import open_store

TODAY = date(2026, 11, 23)
RATES = {"a": (0.10, 60), "b": (0.50, 120), "c": (0.30, 30)}


def manifest(after_c: list[str] | None = None) -> Manifest:
    """One protocol: a -> b -> c -> escalar, each check resolving on "Sí"."""
    graph = {"a": {"next": ["b"], "resolves": True, "after": []}, "b": {"next": ["c"], "resolves": True, "after": []},
             "c": {"next": ["escalar"], "resolves": True, "after": after_c or []},
             "escalar": {"next": [], "resolves": False, "after": []}}
    titles = {"a": "Comprobar A", "b": "Comprobar B", "c": "Comprobar C", "escalar": "Escalar"}
    return Manifest.model_validate({"articles": {}, "protocols": {"p": {
        "title": "P", "url": "/p/", "steps": list(titles), "step_titles": titles, "graph": graph, "version": "v",
        "audience": "technician", "lang": "es", "owner": "equipo", "reviewed": "2026-11-01",
        "review_every_days": 180}}})


def runs(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` runs through a, b, c with the example's rates; seconds vary ±50 % around the example's."""
    r = random.Random(seed)
    out = []
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for i in range(n):
        path, outcome, resolved = [], "escalated", None
        for step in ("a", "b", "c"):
            rate, secs = RATES[step]
            yes = r.random() < rate
            path.append({"step": step, "answer": "Sí" if yes else "No", "seconds": round(secs * r.uniform(0.5, 1.5))})
            if yes:
                outcome, resolved = "resolved", step
                break
        else:
            path.append({"step": "escalar", "seconds": 0})
        t0 = start + timedelta(minutes=10 * i)
        t1 = t0 + timedelta(seconds=sum(p["seconds"] for p in path))
        ev = {"id": str(uuid.UUID(int=i + 1, version=4)), "type": "protocol_run", "ts": t1.isoformat(),
              "page": "/p/", "session_id": str(uuid.UUID(int=10**6 + i, version=4)), "protocol_id": "p",
              "protocol_version": "v", "started_at": t0.isoformat(), "ended_at": t1.isoformat(), "outcome": outcome,
              "path": path}
        if resolved:
            ev["resolved_step"] = resolved
        out.append(ev)
    return out


def test_the_worked_example_by_formula() -> None:
    p = {s: rate for s, (rate, _) in RATES.items()}
    t = {s: float(secs) for s, (_, secs) in RATES.items()}
    assert expected_seconds(["a", "b", "c"], p, t) == pytest.approx(181.5)
    assert best_order(["a", "b", "c"], p, t, {}) == ["c", "b", "a"]
    assert expected_seconds(["c", "b", "a"], p, t) == pytest.approx(135)
    assert best_order(["a", "b", "c"], p, t, {"c": ["a"]}) == ["a", "c", "b"]
    assert expected_seconds(["a", "c", "b"], p, t) == pytest.approx(162.6)
    assert chains(manifest().protocols["p"].graph, ["a", "b", "c", "escalar"]) == [["a", "b", "c"]]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """2,000 generated runs in a SQLite store."""
    base = tmp_path_factory.mktemp("order") / "data"
    store = open_store(f"sqlite:///{base / 'events.sqlite3'}", base)
    store.insert(runs(2000))
    yield store
    store.close()


def test_recommends_c_b_a_with_the_saving_inside_its_interval(stored: Any) -> None:
    report = report_from_store(stored, manifest(), Filters(), TODAY)
    (rec,) = report["protocols"][0]["recommendations"]
    assert rec["chain"] == ["a", "b", "c"] and rec["recommended"] == ["c", "b", "a"]
    low, high = rec["saving_interval"]
    assert low < 46.5 < high and high - low < 40
    assert low < rec["saving_seconds"] < high
    # the Python reference says the same
    assert report_from_events(runs(2000), manifest(), Filters(), TODAY)["protocols"][0]["recommendations"] == \
        report["protocols"][0]["recommendations"]


def test_after_keeps_a_before_c(stored: Any) -> None:
    report = report_from_store(stored, manifest(after_c=["a"]), Filters(), TODAY)
    (rec,) = report["protocols"][0]["recommendations"]
    assert rec["recommended"] == ["a", "c", "b"]
    assert rec["expected_seconds_recommended"] == pytest.approx(162.6, rel=0.1)


def test_below_the_minimum_no_recommendation(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'events.sqlite3'}", tmp_path)
    store.insert(runs(60))  # ~60 reach a, ~54 b, ~27 c: c under 30
    try:
        (rec,) = report_from_store(store, manifest(), Filters(), TODAY)["protocols"][0]["recommendations"]
        assert rec["reason"] == "too_few_runs" and rec["fewest_runs"] < 30 and "recommended" not in rec
        (rec,) = report_from_store(store, manifest(), Filters(min_step_runs=20), TODAY)["protocols"][0][
            "recommendations"]
        assert rec["recommended"] == ["c", "b", "a"]
    finally:
        store.close()


ORDER_YML = """\
id: p
title: Tres comprobaciones
summary: Un protocolo de prueba con tres comprobaciones seguidas.
audience: technician
owner: equipo-pruebas
reviewed: 2026-10-01
start: a
steps:
{steps}
  - id: escalar
    title: Escalar
    escalate: Nivel 2
"""
STEP_YML = """\
  - id: {id}
    title: Comprobar {up}
    ask: ¿Se resolvió?
    options:
      - label: Sí
        resolve: Causa {up}
      - label: "No"
        next: {next}
"""


@pytest.mark.slow  # a content repo and `kb report` in-process
def test_kb_report_protocol_prints_what_to_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main
    from tests.sitebuild import copy_tiny

    root = copy_tiny(tmp_path / "repo")
    steps = "".join(STEP_YML.format(id=s, up=s.upper(), next=n) for s, n in (("a", "b"), ("b", "c"), ("c", "escalar")))
    (root / "protocols" / "p.yml").write_text(ORDER_YML.format(steps=steps), encoding="utf-8")
    store = open_store(None, root / ".kb-data")
    store.insert(runs(2000))
    store.close()
    code = main(["report", "--root", str(root), "--protocol", "p", "--out", str(tmp_path / "out"),
                 "--today", "2026-11-23", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Comprobar A: Reached 2000, Resolved here " in out
    assert "What to change in this protocol:" in out
    assert "Check in this order: Comprobar C → Comprobar B → Comprobar A." in out
