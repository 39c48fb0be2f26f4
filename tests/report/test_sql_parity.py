"""The SQL report (computed in the database) equals the in-Python reference, on SQLite and on a real
PostgreSQL, over the hand-computed fixture and over seeded random event sets, with each filter."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.model.manifest import Manifest
from generator.report.build import content_manifest
from generator.report.common import Filters
from generator.report.metrics import report_from_events
from generator.report.sqlreport import report_from_store
from generator.store import Store, open_store
from tests.report.fixture import events as fixture_events
from tests.report.generated import generated_events
from tests.service.conftest import fresh_database
from tests.sitebuild import TINY

TODAY = date(2026, 11, 23)
SEEDS = (1, 2, 3, 4, 5)
FILTERS = {
    "all": Filters(),
    "period": Filters(since=datetime(2026, 11, 2, tzinfo=UTC), until=datetime(2026, 11, 23, 12, tzinfo=UTC)),
    "area": Filters(area="red"),
    "protocol": Filters(protocol="sin-conexion"),
    "channel": Filters(channel="phone"),
    "technician": Filters(technician="Ana"),
    "technician-alias": Filters(technician="Ben", aliases=(("ben ruiz", "ben"),)),
    "fcr-window": Filters(fcr_window_days=3),
}


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    """The tiny fixture's content, as the report sees it, with an English translation of a protocol
    and of an article (their runs, views and votes count with the original's)."""
    m = content_manifest(TINY, TODAY).model_dump(mode="json")
    m["protocols"]["sin-conexion-en"] = {**m["protocols"]["sin-conexion"], "title": "No Internet",
                                         "lang": "en", "translation_of": "sin-conexion"}
    m["articles"]["cable-suelto-en"] = {**m["articles"]["cable-suelto"], "title": "Loose cable", "lang": "en",
                                        "translation_of": "cable-suelto"}
    return Manifest.model_validate(m)


def _stores(request: pytest.FixtureRequest, tmp: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp / 'data' / 'events.sqlite3'}", tmp / "data")
        yield store
        store.close()
        return
    with fresh_database(request.getfixturevalue("pg_server")) as url:
        store = open_store(url, tmp / "data")
        yield store
        store.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which database the SQL runs on."""
    return str(request.param)


@pytest.fixture
def store(request: pytest.FixtureRequest, store_kind: str, tmp_path: Path) -> Iterator[Store]:
    """An empty store of the kind under test (a fresh PostgreSQL database each time)."""
    request.param = store_kind  # type: ignore[attr-defined]
    yield from _stores(request, tmp_path)


def assert_same(sql: Any, py: Any, where: str = "report") -> None:
    """Equal, floats to 1e-9 (SQL sums and medians may round in the last digit)."""
    if isinstance(py, dict):
        assert isinstance(sql, dict), where
        assert sorted(sql) == sorted(py), f"{where}: keys {sorted(set(sql) ^ set(py))}"
        for key in py:
            if key != "generated":
                assert_same(sql[key], py[key], f"{where}.{key}")
    elif isinstance(py, list):
        assert isinstance(sql, list) and len(sql) == len(py), f"{where}: {sql!r} != {py!r}"
        for i, (a, b) in enumerate(zip(sql, py, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(py, float) or isinstance(sql, float):
        assert py is not None and sql is not None and math.isclose(sql, py, rel_tol=1e-9, abs_tol=1e-6), \
            f"{where}: SQL {sql!r} != Python {py!r}"
    else:
        assert sql == py, f"{where}: SQL {sql!r} != Python {py!r}"


def test_fixture_equal(store: Store, manifest: Manifest) -> None:
    events = fixture_events()
    store.insert(events)
    for name, filters in FILTERS.items():
        assert_same(report_from_store(store, manifest, filters, TODAY),
                    report_from_events(events, manifest, filters, TODAY), name)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_equal(store: Store, manifest: Manifest, seed: int) -> None:
    events = generated_events(seed)
    assert store.insert(events)[0] == len(events)
    for name, filters in FILTERS.items():
        py = report_from_events(events, manifest, filters, TODAY)
        if name == "all":  # the generated set reaches every part of the report
            assert py["overall"]["runs"] > 50 and py["overall"]["csat_answers"] > 5
            assert [p["id"] for p in py["protocols"]] == ["sin-conexion"]  # its translation's runs inside
            assert "cable-suelto-en" not in {a["id"] for a in py["articles"]}
            assert {r["technician"] for r in py["csat_by"]["technician"]} <= {"ana", "ben", "ben ruiz", "carla", "—"}
            assert 0 < py["overall"]["fcr"] < py["overall"]["resolution_rate"]
            assert py["health"]["zero_result_searches"] and py["overall"]["retention"]
            low = {r["query"] for r in py["health"]["low_click_searches"]}
            assert low and "no navega" not in low  # "no navega" is clicked on about half its searches
        assert_same(report_from_store(store, manifest, filters, TODAY), py, f"seed {seed}, {name}")


def test_sql_week_number_matches_iso_weeks(store: Store) -> None:
    """Retention compares week numbers (no %V before SQLite 3.46): over eight years of days, two days
    get the same number exactly when Python's isocalendar puts them in the same ISO week."""
    from generator.report.common import week_of
    from generator.report.dialect import Dialect

    days = [date.fromordinal(date(2020, 12, 20).toordinal() + i) for i in range(8 * 366)]
    numbers: dict[int, set[str]] = {}
    values = ", ".join(f"('{day.isoformat()}')" for day in days)
    with store.reader() as db:
        d = Dialect(db.dialect)
        for day, number in db.rows(f"SELECT x.day, {d.week_number('x.day')} FROM (SELECT CAST(column1 AS TEXT) "
                                   f"AS day FROM (VALUES {values}) AS t) x"):
            numbers.setdefault(int(number), set()).add(week_of(date.fromisoformat(day)))
    assert sum(len(w) for w in numbers.values()) == len({week_of(day) for day in days})
    assert all(len(weeks) == 1 for weeks in numbers.values())  # one ISO week per number
    assert len(numbers) == len(set().union(*numbers.values()))  # and one number per ISO week


def test_percentiles_match_python(store: Store) -> None:
    """Median and nearest-rank p90 at the counts where rounding bites (0.9·n whole, even n, ties)."""
    import random

    from generator.report.common import median, percentile
    from generator.report.database import percentiles

    r = random.Random(7)
    with store.reader() as db:
        for n in (1, 2, 3, 9, 10, 11, 20, 30, 70, 100, 1000):
            values = [float(r.choice((r.randrange(0, 50), r.random() * 1000))) for _ in range(n)]
            rows = ", ".join(f"({v!r})" for v in values)
            source = f"SELECT 'g' AS g, 'k' AS k, CAST(column1 AS DOUBLE PRECISION) AS v FROM (VALUES {rows}) AS t"
            ((_, _, med, p90, count),) = list(percentiles(db, source))
            assert count == n
            assert (med, p90) == (median(values), percentile(values, 90)), n


def test_low_click_searches_in_the_database(store: Store, manifest: dict[str, Any]) -> None:
    """Searches that found something but were rarely followed by a click, counted by SQL (SQLite and
    PostgreSQL) exactly as by the reference: the query normalised, a click event counting as a search."""
    def search(i: int, query: str, results: int, clicked: str | None = None) -> dict[str, Any]:
        return {"id": f"00000000-0000-4000-8000-{i:012d}", "type": "search", "ts": "2026-11-20T08:00:00Z",
                "page": "/", "query": query, "results": results, "clicked": clicked}
    events = [search(i, q, 4) for i, q in enumerate(["hoja de calculo", "Hoja de  Calculo", "hoja de calculo ",
                                                    "hoja de calculo"])]  # 4 searches, never a click
    events += [search(10 + i, "impresora", 3) for i in range(4)] + [search(14, "impresora", 3, "cable-suelto")]
    events += [search(20 + i, "wifi lenta", 2) for i in range(3)] + [search(23, "wifi lenta", 2, "cable-suelto")]
    events += [search(30 + i, "router", 2) for i in range(2)]  # too few searches to tell
    events += [search(40 + i, "contrasena caducada", 0) for i in range(3)]  # found nothing: the other list
    assert store.insert(events)[0] == len(events)
    for report in (report_from_store(store, manifest, Filters(), TODAY),
                   report_from_events(events, manifest, Filters(), TODAY)):
        assert report["health"]["low_click_searches"] == [
            {"query": "impresora", "searches": 5, "clicks": 1},  # one click in five: low
            {"query": "hoja de calculo", "searches": 4, "clicks": 0}]  # wifi lenta: one in four, not low
        assert report["health"]["zero_result_searches"] == [{"query": "contrasena caducada", "searches": 3}]


def _old_store(kind: str, request: pytest.FixtureRequest, tmp: Path, events: list[dict[str, Any]]) -> Iterator[str]:
    """A store written by the schema before the fact columns (migration 1 only), holding ``events``; its URL."""
    from generator.store import postgres, row_of, sqlite

    rows = [(*row[:9], row[-1]) for row in map(row_of, events)]  # the columns an old insert wrote
    columns = "id, type, ts, received_at, page, article_id, protocol_id, session_id, practice, payload"
    if kind == "sqlite":
        import sqlite3

        (tmp / "data").mkdir()
        path = tmp / "data" / "events.sqlite3"
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            conn.executescript(str(sqlite.MIGRATIONS[0]))
            conn.execute("CREATE TABLE kb_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO kb_schema VALUES (1)")
            conn.executemany(f"INSERT INTO events ({columns}) VALUES ({', '.join('?' * 10)})", rows)
        yield f"sqlite:///{path}"
        return
    import psycopg

    with fresh_database(request.getfixturevalue("pg_server")) as url:
        with psycopg.connect(url) as conn, conn.transaction():
            conn.execute(str(postgres.MIGRATIONS[0]))
            conn.execute("CREATE TABLE kb_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO kb_schema VALUES (1)")
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO events ({columns}) VALUES ({', '.join(['%s'] * 9)}, %s::jsonb)", rows)
        yield url


def test_old_store_migrates_and_reports_the_same(request: pytest.FixtureRequest, store_kind: str, tmp_path: Path,
                                                 manifest: dict[str, Any]) -> None:
    """A store made before the fact columns opens (migration 2 fills them from the stored JSON), reports what the
    in-Python reference computes, and takes new events (a batch sent twice counts once)."""
    from generator.store import sqlite

    events = generated_events(2)
    for url in _old_store(store_kind, request, tmp_path, events):
        store = open_store(url, tmp_path / "data")
        try:
            with store.reader() as db:
                assert next(db.rows("SELECT max(version) FROM kb_schema"))[0] == len(sqlite.MIGRATIONS)
                assert next(db.rows("SELECT count(*) FROM runs"))[0] == sum(e["type"] == "protocol_run" for e in events)
            for name in ("all", "period", "technician", "area"):
                assert_same(report_from_store(store, manifest, FILTERS[name], TODAY),
                            report_from_events(events, manifest, FILTERS[name], TODAY), f"migrated, {name}")
            more = generated_events(4)
            assert store.insert(more) == (len(more), 0)
            assert store.insert(more) == (0, len(more))
            assert_same(report_from_store(store, manifest, Filters(), TODAY),
                        report_from_events(events + more, manifest, Filters(), TODAY), "migrated, then new events")
        finally:
            store.close()


def test_sqlite_report_reads_covering_indexes_not_the_events(tmp_path: Path, manifest: dict[str, Any]) -> None:
    """The report's queries on ``events`` read covering indexes of the fact columns (never the rows and their
    JSON, the cost that grew with every event), except the few failed deliveries and commented votes it lists."""
    import re

    from generator.store.sqlite import SqliteReader

    store = open_store(f"sqlite:///{tmp_path / 'data' / 'events.sqlite3'}", tmp_path / "data")
    store.insert(generated_events(1))
    seen: list[tuple[str, tuple[Any, ...]]] = []
    rows, run = SqliteReader.rows, SqliteReader.run

    def spy_rows(self: SqliteReader, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:
        seen.append((sql, tuple(params)))
        return rows(self, sql, params)

    def spy_run(self: SqliteReader, sql: str, params: Any = ()) -> None:
        seen.append((sql, tuple(params)))
        run(self, sql, params)

    mp = pytest.MonkeyPatch()
    mp.setattr(SqliteReader, "rows", spy_rows)
    mp.setattr(SqliteReader, "run", spy_run)
    try:
        for filters in (Filters(), FILTERS["period"], FILTERS["technician"]):
            report_from_store(store, manifest, filters, TODAY)
    finally:
        mp.undo()
    conn = store._conn()  # type: ignore[attr-defined]
    conn.execute("CREATE TEMP TABLE kb_runs AS SELECT *, '' AS case_key FROM runs WHERE 0")
    conn.execute("CREATE TEMP TABLE kb_links (a TEXT, c TEXT)")
    conn.execute("CREATE TEMP TABLE kb_steps (run TEXT, pid TEXT, outcome TEXT, idx INTEGER, step TEXT, "
                 "seconds REAL, answer TEXT, back INTEGER)")
    reads = 0
    for sql, params in seen:
        if sql.startswith("CREATE INDEX") or "type = 'delivery'" in sql or "comment IS NOT NULL" in sql:
            continue
        for *_, detail in conn.execute(f"EXPLAIN QUERY PLAN {sql.removeprefix('CREATE TEMP TABLE ')}"
                                       if not sql.startswith("CREATE TEMP") else
                                       f"EXPLAIN QUERY PLAN {sql.split(' AS ', 1)[1]}", params):
            if re.match(r"(SCAN|SEARCH) (events|e)\b", detail):
                reads += 1
                assert "COVERING INDEX" in detail, f"{detail}: {sql}"
    assert reads >= 10
    store.close()
