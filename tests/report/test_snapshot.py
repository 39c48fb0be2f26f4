"""The SQL report reads one snapshot of the store, on its two connections side by side
(generator/report/lanes.py), on SQLite and on a real PostgreSQL: events stored while it runs are
not in it, in none of its parts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from generator.model.manifest import Manifest
from generator.report import database as q
from generator.report.common import Filters
from generator.report.metrics import report_from_events
from generator.report.sqlreport import report_from_store
from generator.store import Store
from tests.report.generated import generated_events
from tests.report.test_sql_parity import TODAY, assert_same, manifest, store, store_kind  # noqa: F401  (fixtures)


def test_report_while_events_are_stored_is_the_report_of_its_snapshot(store: Store,  # noqa: F811
                                                                       manifest: Manifest) -> None:  # noqa: F811
    """A second event set is stored (committed) after both connections started and before any metric
    is computed: the report equals the in-Python report of the first set alone, whichever lane runs what."""
    first, second = generated_events(1), generated_events(3)
    assert store.insert(first) == (len(first), 0)
    make_runs = q.make_runs
    stored = threading.Event()
    once = threading.Lock()

    def make_runs_then_store(db: Any, s: q.Scope) -> None:  # each lane's first query
        make_runs(db, s)
        if once.acquire(blocking=False):
            assert store.insert(second) == (len(second), 0)
            stored.set()
        assert stored.wait(30)  # no lane goes on before the second set is committed

    mp = pytest.MonkeyPatch()
    mp.setattr(q, "make_runs", make_runs_then_store)
    try:
        report = report_from_store(store, manifest, Filters(), TODAY)
    finally:
        mp.undo()
    assert stored.is_set() and store.count() == len(first) + len(second)
    expected = report_from_events(first, manifest, Filters(), TODAY)
    assert report["overall"] != report_from_events(first + second, manifest, Filters(), TODAY)["overall"]
    assert_same(report, expected, "report taken while the second set was stored")
    assert_same(report_from_store(store, manifest, Filters(), TODAY),
                report_from_events(first + second, manifest, Filters(), TODAY), "the next report")


@pytest.fixture
def commit_between_starts(store: Store) -> Iterator[threading.Thread]:  # noqa: F811
    """Between the start of the first read connection and that of the second, another thread stores
    events (and is given a second to commit them): the thread."""
    begin = type(store)._begin  # type: ignore[attr-defined]
    calls: list[int] = []
    writer = threading.Thread(target=lambda: store.insert(generated_events(3)))

    def begin_late(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            writer.start()
            writer.join(1.0)
        return begin(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(type(store), "_begin", staticmethod(begin_late) if store.url.startswith("postgres") else begin_late)
    try:
        yield writer
    finally:
        mp.undo()
        writer.join(30)


def test_two_read_connections_share_one_snapshot(store: Store, commit_between_starts: threading.Thread) -> None:  # noqa: F811
    """SQLite holds the write lock while its read connections start (the writer waits); PostgreSQL's
    second connection imports the first one's snapshot (the writer commits, unseen by both)."""
    first = generated_events(1)
    store.insert(first)
    with store.readers(2) as readers:
        assert len(readers) == 2
        counts = [next(db.rows("SELECT count(*) FROM events"))[0] for db in readers]
        runs = [next(db.rows("SELECT count(*) FROM runs"))[0] for db in readers]
    commit_between_starts.join(30)
    assert counts == [len(first), len(first)]
    assert runs[0] == runs[1] == sum(e["type"] == "protocol_run" for e in first)
    assert store.count() == len(first) + len(generated_events(3))  # the writer committed, after the snapshot


def test_one_connection_runs_every_lane_in_turn(store: Store, manifest: Manifest) -> None:  # noqa: F811
    """With one read connection (SQLite without write access to the file cannot hold the others' start
    still), every lane's tasks run on it in turn, each temporary table built once: the same report."""
    from generator.report import sqlreport

    events = generated_events(2)
    store.insert(events)
    with store.readers(1) as readers:
        assert len(readers) == 1
    mp = pytest.MonkeyPatch()
    mp.setattr(sqlreport, "CONNECTIONS", 1)
    try:
        for filters in (Filters(), Filters(technician="Ana")):
            assert_same(report_from_store(store, manifest, filters, TODAY),
                        report_from_events(events, manifest, filters, TODAY), "one connection")
    finally:
        mp.undo()
