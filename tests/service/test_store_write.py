"""What every insert pays on SQLite and PostgreSQL (issue #18, the batched event path): no index that no query
reads, and on SQLite a WAL checkpoint every 40 MB rather than every 4 MB."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from generator.store import facts, open_store
from generator.store.sqlite import MIGRATIONS
from tests.report.generated import generated_events


def _sqlite_indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_sqlite_store_keeps_no_index_nothing_reads(tmp_path: Path) -> None:
    """A new store and a store made before migration 3 (with the indexes of migrations 1 and 2) end with the
    report's covering indexes and without the three that no query reads."""
    old = tmp_path / "old" / "events.sqlite3"
    old.parent.mkdir()
    with sqlite3.connect(old) as conn:  # a store at migration 2, as written before this change
        conn.execute("CREATE TABLE kb_schema (version INTEGER NOT NULL)")
        conn.executescript(str(MIGRATIONS[0]))
        MIGRATIONS[1](conn)  # type: ignore[operator]
        conn.execute("INSERT INTO kb_schema VALUES (1), (2)")
    assert set(facts.UNUSED_INDEXES) <= _sqlite_indexes(old)
    for path in (old, tmp_path / "new" / "events.sqlite3"):
        store = open_store(f"sqlite:///{path}", path.parent)
        try:
            events = generated_events(1)[:50]
            assert store.insert(events) == (len(events), 0)
            assert store.insert(events) == (0, len(events))
        finally:
            store.close()
        indexes = _sqlite_indexes(path)
        assert not indexes & set(facts.UNUSED_INDEXES), path
        assert {"events_views", "events_feedback", "events_links", "events_client", "events_type_ts"} <= indexes


def test_sqlite_writer_checkpoints_every_40_mb(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'events.sqlite3'}", tmp_path)
    try:
        conn = store._conn()  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 10_000
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_postgresql_store_keeps_no_index_nothing_reads(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    store = open_store(pg_url, tmp_path)
    try:
        events = generated_events(1)[:50]
        assert store.insert(events) == (len(events), 0)
    finally:
        store.close()
    with psycopg.connect(pg_url) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
        version = conn.execute("SELECT max(version) FROM kb_schema").fetchone()
    assert not names & set(facts.UNUSED_INDEXES)
    assert "events_views" in names and version == (3,)
