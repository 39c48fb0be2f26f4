"""Event storage: one interface, SQLite (default) or PostgreSQL.

Every write goes through :meth:`Store.insert`, which stores each event id once
(``ON CONFLICT DO NOTHING``) and reports how many were new. Columns the report
filters and counts on are kept apart (with a protocol run's times, steps and path
entries in ``runs`` and ``run_steps``, written in the same transaction: facts.py);
the whole event is kept as JSON in ``payload``.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from generator.store.facts import FACT_COLUMNS, facts_of

# the event's own columns, the report's fact columns (generator/store/facts.py), the JSON last
COLUMNS = ("id", "type", "ts", "received_at", "page", "article_id", "protocol_id", "session_id", "practice",
           *FACT_COLUMNS, "payload")


class Reader(Protocol):
    """One read session of the report: queries on one connection, in one transaction (one snapshot
    of the store), temporary tables allowed (they vanish with the session). SQL is written with ``?``
    placeholders for both databases."""

    dialect: str  # "sqlite" | "postgresql"

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, streamed."""

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        """A statement without rows (a temporary table, an index on it)."""


class StorageFull(Exception):
    """The disk (or the database's space) is full: nothing of this write was stored; retry later."""


class StoreUnavailable(Exception):
    """The store cannot be opened (disk full, no permission, database down): a clear start-up error."""


class Store(Protocol):
    url: str
    writers: int  # transactions worth running at once (the event writer's threads): SQLite 1

    def insert(self, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Store events; returns (new, duplicates). Atomic: all or nothing."""

    def insert_many(self, groups: Sequence[Sequence[dict[str, Any]]]) -> list[tuple[int, int]]:
        """Several requests' events in one transaction (group commit: generator/service/writer.py);
        (new, duplicates) of each group. Atomic: all groups or none."""

    def count(self, where_type: str | None = None) -> int: ...

    def iter_events(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        """Every stored event as it was received; oldest first when ``ordered`` (exports), in storage
        order otherwise (the report, whose metrics do not depend on order, skips the sort)."""

    def reader(self) -> AbstractContextManager[Reader]:
        """A read session for the report's aggregate queries: one snapshot of the store throughout."""

    def readers(self, n: int) -> AbstractContextManager[Sequence[Reader]]:
        """Up to ``n`` read sessions (at least one) on one snapshot of the store, to query side by side
        (a thread each: SQLite and the PostgreSQL server work outside the GIL)."""

    def check(self) -> str:
        """An integrity check; 'ok' when the store is sound."""

    def close(self) -> None: ...


def received_now(at: datetime | None = None) -> str:
    """``received_at`` of a write (now by default), in UTC, to the millisecond."""
    return (at or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def row_of(event: dict[str, Any], received: str | datetime | None = None) -> tuple[Any, ...]:
    """The ``events`` row of an event; ``received``: :func:`received_now` of its transaction."""
    if not isinstance(received, str):
        received = received_now(received)
    return (
        event["id"], event["type"], event["ts"], received, event.get("page"), event.get("article_id"),
        event.get("protocol_id"), event.get("session_id"), bool(event.get("practice", False)), *facts_of(event),
        json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
    )


def open_store(url: str | None, data_dir: Path) -> Store:
    """``sqlite:///path``, ``postgresql://…`` or None (SQLite in the data directory).

    Raises ValueError for a malformed URL and :class:`StoreUnavailable` when the store cannot be opened."""
    try:
        return _open(url, data_dir)
    except ValueError:
        raise
    except Exception as exc:
        where = url.split("@")[-1] if url else str(data_dir)  # never the password of a database URL
        reason = "the disk is full" if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "full" in str(
            exc) else f"{exc.__class__.__name__}: {str(exc).strip()[:200]}"
        raise StoreUnavailable(f"cannot open the event store ({where}): {reason}") from None


def _open(url: str | None, data_dir: Path) -> Store:
    if url and url.startswith(("postgresql://", "postgres://")):
        from generator.store.postgres import PostgresStore

        return PostgresStore(url)
    from generator.store.sqlite import SqliteStore

    if url:
        if not url.startswith("sqlite:///"):
            raise ValueError(f"--db: expected sqlite:///path or postgresql://…, found {url!r}")
        path, _, query = url.removeprefix("sqlite:///").partition("?")
        sync = query.removeprefix("synchronous=").upper() if query else "NORMAL"
        if sync not in ("NORMAL", "FULL"):
            raise ValueError(f"--db: expected sqlite:///path or sqlite:///path?synchronous=full, found {url!r}")
        return SqliteStore(Path(path), data_dir, synchronous=sync)
    return SqliteStore(data_dir / "events.sqlite3", data_dir)
