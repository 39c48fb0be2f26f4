"""PostgreSQL store (psycopg 3): the same schema, ON CONFLICT DO NOTHING, a connection pool."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from generator.store import COLUMNS, StorageFull, facts, row_of

MIGRATIONS: tuple[str | Callable[[Any], None], ...] = (
    """
    CREATE TABLE events (
        id          TEXT PRIMARY KEY,
        type        TEXT NOT NULL,
        ts          TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        page        TEXT,
        article_id  TEXT,
        protocol_id TEXT,
        session_id  TEXT,
        practice    BOOLEAN NOT NULL DEFAULT FALSE,
        payload     JSONB NOT NULL
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
    ALTER TABLE events {', '.join(f'ADD COLUMN {c} {t}' for c, t in zip(facts.FACT_COLUMNS, (
        'DOUBLE PRECISION', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'SMALLINT', 'SMALLINT', 'DOUBLE PRECISION',
        'TEXT', 'TEXT', 'TEXT', 'DOUBLE PRECISION', 'SMALLINT'), strict=True))};
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, ts TIMESTAMPTZ NOT NULL, at DOUBLE PRECISION, session_id TEXT, protocol_id TEXT,
        practice BOOLEAN NOT NULL, outcome TEXT, t0 DOUBLE PRECISION, t1 DOUBLE PRECISION, tc DOUBLE PRECISION,
        ticket TEXT, channel TEXT, technician TEXT, week TEXT, resolved_step TEXT, cause TEXT, last_step TEXT,
        used JSONB
    );
    CREATE TABLE run_steps (
        run TEXT NOT NULL, idx INTEGER NOT NULL, step TEXT, seconds DOUBLE PRECISION, answer TEXT,
        back SMALLINT NOT NULL, PRIMARY KEY (run, idx)
    );
"""


def _facts_migration(conn: Any) -> None:
    """Fact columns and tables, filled from the events already stored, then the indexes."""
    conn.execute(FACTS_SCHEMA)

    def batches() -> Iterator[list[tuple[Any, dict[str, Any]]]]:
        last = ""
        while True:
            rows = conn.execute("SELECT id, payload FROM events WHERE id > %s ORDER BY id LIMIT 10000",
                                (last,)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [(key, dict(payload)) for key, payload in rows]

    def write(updates: list[tuple[Any, ...]], runs: list[tuple[Any, ...]], steps: list[tuple[Any, ...]]) -> None:
        with conn.cursor() as cur:
            cur.executemany(f"UPDATE events SET {', '.join(f'{c} = %s' for c in facts.FACT_COLUMNS)} "
                            "WHERE id = %s", updates)
        _write_runs(conn, runs, steps)

    facts.backfill(batches(), write)
    conn.execute(facts.INDEXES)


def _write_runs(conn: Any, runs: list[tuple[Any, ...]], steps: list[tuple[Any, ...]]) -> None:
    """The runs and path entries of a batch (an event stored before keeps its rows: same key)."""
    if runs:
        with conn.cursor() as cur:
            cur.executemany(facts.insert_sql("runs", facts.RUN_COLUMNS, "%s", last="%s::jsonb"), runs)
            cur.executemany(facts.insert_sql("run_steps", facts.STEP_COLUMNS, "%s"), steps)


class PostgresStore:
    writers = 4  # the event writer's threads (generator/service/writer.py)

    def __init__(self, url: str, *, max_size: int = 8) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self._psycopg = psycopg
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, open=True, timeout=30)
        self._migrate()

    def _migrate(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7171)")  # several workers may start at once
            conn.execute("CREATE TABLE IF NOT EXISTS kb_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT MAX(version) FROM kb_schema").fetchone()
            current = (row[0] if row else None) or 0
            for version, sql in enumerate(MIGRATIONS, start=1):
                if version > current:
                    sql(conn) if callable(sql) else conn.execute(sql)
                    conn.execute("INSERT INTO kb_schema (version) VALUES (%s)", (version,))

    def insert(self, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
        return self.insert_many([events])[0]

    def insert_many(self, groups: Sequence[Sequence[dict[str, Any]]]) -> list[tuple[int, int]]:
        try:
            with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                return [_insert(cur, events) for events in groups]
        except (self._psycopg.errors.DiskFull, self._psycopg.errors.OutOfMemory) as exc:
            raise StorageFull(str(exc).strip()) from exc

    def count(self, where_type: str | None = None) -> int:
        with self.pool.connection() as conn:
            if where_type:
                row = conn.execute("SELECT COUNT(*) FROM events WHERE type = %s", (where_type,)).fetchone()
            else:
                row = conn.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def iter_events(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        with self.pool.connection() as conn, conn.cursor(name="kb_export") as cur:
            cur.itersize = 10_000  # rows per round trip of the server-side cursor (the default is 100)
            cur.execute("SELECT payload FROM events" + (" ORDER BY ts, id" if ordered else ""))
            for (payload,) in cur:
                yield dict(payload)

    @contextmanager
    def reader(self) -> Iterator[PostgresReader]:
        with self.readers(1) as (db,):
            yield db

    @contextmanager
    def readers(self, n: int) -> Iterator[list[PostgresReader]]:
        """``n`` pooled connections, each in one ``REPEATABLE READ`` transaction for the whole report, all on
        one snapshot (the first exports it, ``pg_export_snapshot()``; the others ``SET TRANSACTION SNAPSHOT``),
        rolled back at the end: their temporary tables go with them. The report's sorts (percentiles, FCR
        windows, step statistics over every run) get 64 MB each in the server for these transactions only,
        instead of the default 4 MB that sends them to disk."""
        with contextlib.ExitStack() as stack:
            conns = [stack.enter_context(self.pool.connection()) for _ in range(max(n, 1))]
            try:
                snapshot = None
                for conn in conns:
                    snapshot = self._begin(conn, snapshot, export=n > 1)
                yield [PostgresReader(conn) for conn in conns]
            finally:
                for conn in conns:
                    conn.rollback()

    @staticmethod
    def _begin(conn: Any, snapshot: str | None, export: bool) -> str | None:
        """A ``REPEATABLE READ`` transaction on ``snapshot`` (None: its own, exported when ``export``);
        the snapshot it reads."""
        from psycopg import sql

        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if snapshot is not None:
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        elif export:
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot = str(row[0]) if row else None
        conn.execute("SET LOCAL work_mem = '64MB'")
        return snapshot

    def check(self) -> str:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT COUNT(*) - COUNT(DISTINCT id) FROM events").fetchone()
        return "ok" if row and row[0] == 0 else f"{row[0] if row else '?'} duplicate ids"

    def close(self) -> None:
        self.pool.close()


_PLACEHOLDERS = ", ".join(["%s"] * (len(COLUMNS) - 1) + ["%s::jsonb"])
_INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({_PLACEHOLDERS}) ON CONFLICT (id) DO NOTHING"


def _insert(cur: Any, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """One request's events inside the open transaction: (new, duplicates)."""
    rows = [row_of(e) for e in events]
    cur.executemany(_INSERT, rows)
    new = max(cur.rowcount, 0)
    _write_runs(cur.connection, *facts.side_rows(events))
    return new, len(rows) - new


def _pg_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresReader:
    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._cursors = 0

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        self._cursors += 1
        with self.conn.cursor(name=f"kb_report_{self._cursors}") as cur:  # server-side: streamed
            cur.itersize = 10_000
            cur.execute(_pg_sql(sql), tuple(params))
            yield from cur

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(_pg_sql(sql), tuple(params))
