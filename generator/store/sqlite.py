"""SQLite store: WAL, one write path, BEGIN IMMEDIATE, schema migrations."""

from __future__ import annotations

import contextlib
import errno
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.store import COLUMNS, StorageFull, facts, received_now, row_of

MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    """
    CREATE TABLE events (
        id          TEXT PRIMARY KEY,
        type        TEXT NOT NULL,
        ts          TEXT NOT NULL,
        received_at TEXT NOT NULL,
        page        TEXT,
        article_id  TEXT,
        protocol_id TEXT,
        session_id  TEXT,
        practice    INTEGER NOT NULL DEFAULT 0,
        payload     TEXT NOT NULL
    );
    CREATE INDEX events_type_ts ON events (type, ts);
    CREATE INDEX events_article ON events (article_id) WHERE article_id IS NOT NULL;
    CREATE INDEX events_protocol ON events (protocol_id) WHERE protocol_id IS NOT NULL;
    """,
    lambda conn: _facts_migration(conn),
    facts.DROP_UNUSED_INDEXES,
)

# migration 2: the report's fact columns, runs and path entries (generator/store/facts.py)
FACTS_SCHEMA = f"""
    {' '.join(f'ALTER TABLE events ADD COLUMN {c} {t};' for c, t in zip(facts.FACT_COLUMNS, (
        'REAL', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'INTEGER', 'INTEGER', 'REAL', 'TEXT', 'TEXT', 'TEXT', 'REAL',
        'INTEGER'),
        strict=True))}
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, ts TEXT NOT NULL, at REAL, session_id TEXT, protocol_id TEXT,
        practice INTEGER NOT NULL, outcome TEXT, t0 REAL, t1 REAL, tc REAL, ticket TEXT, channel TEXT,
        technician TEXT, week TEXT, resolved_step TEXT, cause TEXT, last_step TEXT, used TEXT
    );
    CREATE TABLE run_steps (
        run TEXT NOT NULL, idx INTEGER NOT NULL, step TEXT, seconds REAL, answer TEXT, back INTEGER NOT NULL,
        PRIMARY KEY (run, idx)
    ) WITHOUT ROWID;
"""


def _facts_migration(conn: sqlite3.Connection) -> None:
    """Fact columns and tables, filled from the events already stored, then the indexes."""
    for statement in filter(str.strip, FACTS_SCHEMA.split(";")):
        conn.execute(statement)

    def batches() -> Iterator[list[tuple[Any, dict[str, Any]]]]:
        last = 0
        while True:
            rows = conn.execute("SELECT rowid, payload FROM events WHERE rowid > ? ORDER BY rowid LIMIT 10000",
                                (last,)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [(rowid, json.loads(payload)) for rowid, payload in rows]

    def write(updates: list[tuple[Any, ...]], runs: list[tuple[Any, ...]], steps: list[tuple[Any, ...]]) -> None:
        conn.executemany(f"UPDATE events SET {', '.join(f'{c} = ?' for c in facts.FACT_COLUMNS)} WHERE rowid = ?",
                         updates)
        conn.executemany(facts.insert_sql("runs", facts.RUN_COLUMNS), runs)
        conn.executemany(facts.insert_sql("run_steps", facts.STEP_COLUMNS), steps)

    facts.backfill(batches(), write)
    for statement in filter(str.strip, facts.INDEXES.split(";")):
        conn.execute(statement)


def _full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc) or (
        isinstance(exc.__context__, OSError) and exc.__context__.errno == errno.ENOSPC)


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


class SqliteStore:
    writers = 1  # the event writer's threads (generator/service/writer.py)

    def __init__(self, path: Path, data_dir: Path, synchronous: str = "NORMAL") -> None:
        data = data_dir.resolve()
        target = path if path.is_absolute() else data / path
        target = target.resolve()
        if not target.is_relative_to(data):
            raise ValueError(f"the database {target} must be inside the data directory {data}")
        data.mkdir(parents=True, exist_ok=True)
        self.path = target
        self.url = f"sqlite:///{target}"
        # NORMAL: a committed transaction survives a crash of the process (WAL); FULL also a power loss
        # (an fsync per commit; group commit shares it between the requests of one transaction).
        self.synchronous = "FULL" if synchronous == "FULL" else "NORMAL"
        self._local = threading.local()
        self._write_lock = threading.Lock()  # one writer per process; BEGIN IMMEDIATE across processes
        self._migrate()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            # The WAL is copied back into the database (a checkpoint, with its fsyncs, run by the commit that
            # crosses the mark) every 10,000 pages (40 MB) instead of 1,000: the event writer waits for
            # one checkpoint where it waited for ten, and a page written again meanwhile is copied once.
            conn.execute("PRAGMA wal_autocheckpoint=10000")
            # 32 MB of page cache (not 2): the index pages random event ids land on stay in memory
            conn.execute("PRAGMA cache_size=-32768")
            self._local.conn = conn
        return conn

    def _migrate(self) -> None:
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS kb_schema (version INTEGER NOT NULL)")
                row = conn.execute("SELECT MAX(version) FROM kb_schema").fetchone()
                current = row[0] or 0
                for version, sql in enumerate(MIGRATIONS, start=1):
                    if version <= current:
                        continue
                    if callable(sql):
                        sql(conn)
                    else:
                        for statement in filter(str.strip, sql.split(";")):
                            conn.execute(statement)
                    conn.execute("INSERT INTO kb_schema (version) VALUES (?)", (version,))
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def insert(self, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
        return self.insert_many([events])[0]

    def insert_many(self, groups: Sequence[Sequence[dict[str, Any]]]) -> list[tuple[int, int]]:
        conn = self._conn()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    received = received_now()  # one instant for the transaction
                    counts = [_insert(conn, events, received) for events in groups]
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)  # a failing ROLLBACK (disk full) must not hide the real error
                    raise
            except sqlite3.Error as exc:
                if _full(exc):
                    raise StorageFull(str(exc)) from exc
                raise
        return counts

    def count(self, where_type: str | None = None) -> int:
        conn = self._conn()
        if where_type:
            row = conn.execute("SELECT COUNT(*) FROM events WHERE type = ?", (where_type,)).fetchone()
        else:
            row = conn.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0])

    def iter_events(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        order = " ORDER BY ts, id" if ordered else ""
        cur = self._conn().execute("SELECT payload FROM events" + order)
        for (payload,) in cur:
            yield json.loads(payload)

    @contextmanager
    def reader(self) -> Iterator[SqliteReader]:
        with self.readers(1) as (db,):
            yield db

    @contextmanager
    def readers(self, n: int) -> Iterator[list[SqliteReader]]:
        """Up to ``n`` read-only connections (the file opened ``mode=ro``), each in one read transaction
        for the whole report, all on the same snapshot: a write lock is held (``BEGIN IMMEDIATE`` on a
        connection of its own, a few milliseconds) while they start, so no commit falls between their
        snapshots (WAL gives each read transaction the last commit at its first read). Without write
        access to the file, one connection. Temporary tables live in SQLite's temp store and vanish
        with the connections."""
        conns: list[sqlite3.Connection] = []
        try:
            with self._no_commits(n > 1) as held:
                for _ in range(n if held else 1):
                    conns.append(self._read_connection(cache_mb=32 // (n if held else 1)))
                    self._begin(conns[-1])
            yield [SqliteReader(conn) for conn in conns]
        finally:
            for conn in conns:
                conn.close()

    def _begin(self, conn: sqlite3.Connection) -> None:
        """A read transaction, its snapshot taken now (at its first read)."""
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM kb_schema")

    def _read_connection(self, cache_mb: int) -> sqlite3.Connection:
        conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30,
                               check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")
        # the page cache, which also bounds each sort in memory: 32 MB shared by the report's connections,
        # whatever the event count
        conn.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
        return conn

    @contextmanager
    def _no_commits(self, wanted: bool) -> Iterator[bool]:
        """While inside: no other connection commits (True), or nothing held (False: not wanted, or the
        file cannot be written by this process)."""
        if not wanted:
            yield False
            return
        lock = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            try:
                lock.execute("PRAGMA busy_timeout=30000")
                lock.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # a read-only file or folder: one connection, one snapshot
                yield False
                return
            try:
                yield True
            finally:
                lock.execute("ROLLBACK")
        finally:
            lock.close()

    def check(self) -> str:
        return str(self._conn().execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


_INSERT = (f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
           "ON CONFLICT (id) DO NOTHING")
_INSERT_RUN = facts.insert_sql("runs", facts.RUN_COLUMNS)
_INSERT_STEP = facts.insert_sql("run_steps", facts.STEP_COLUMNS)


def _insert(conn: sqlite3.Connection, events: Sequence[dict[str, Any]], received: str) -> tuple[int, int]:
    """One request's events inside the open transaction: (new, duplicates)."""
    rows = [row_of(e, received) for e in events]
    before = conn.total_changes
    conn.executemany(_INSERT, rows)
    new = conn.total_changes - before
    runs, steps = facts.side_rows(events)  # an event stored before keeps its rows: same key
    if runs:
        conn.executemany(_INSERT_RUN, runs)
        conn.executemany(_INSERT_STEP, steps)
    return new, len(rows) - new


class SqliteReader:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        yield from self.conn.execute(sql, tuple(params))

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, tuple(params))
