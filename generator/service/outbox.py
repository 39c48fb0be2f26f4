"""The outbound queue: ticket notes and follow-up e-mails that must reach another system.

One SQLite file in the service's private data folder (never in ``site/``), whatever the event
store is. Each item has a key (``note:<session_id>``, ``mail:<session_id>``): queueing the same
key again changes nothing, so a run's note is delivered once. A background thread sends what is
due; a retryable failure waits with exponential backoff (``base_delay`` doubled per failure, at
most ``max_delay``), a permanent one or an item older than ``retention`` (at most 7 days) is
given up. When an item is delivered or given up its payload, which may hold an e-mail address,
is erased; only the outcome and the counts stay.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.service.connectors import DeliveryError

MAX_RETENTION_S = 7 * 86_400
SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    next_at     REAL NOT NULL,
    finished_at REAL,
    last_error  TEXT,
    receipt     TEXT
)"""

Handler = Callable[[Mapping[str, Any], float], str]


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    channel: str
    session_id: str
    status: str  # pending | sending | delivered | failed
    attempts: int
    created_at: float
    next_at: float
    last_error: str | None
    receipt: str | None

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "channel": self.channel, "status": self.status,
                "attempts": self.attempts, "last_error": self.last_error, "receipt": self.receipt}


_ITEM_COLUMNS = "key, kind, channel, session_id, status, attempts, created_at, next_at, last_error, receipt"


class Outbox:
    def __init__(self, data_dir: Path, handlers: Mapping[str, Handler], *, base_delay: float = 30.0,
                 max_delay: float = 3600.0, retention: float = MAX_RETENTION_S,
                 on_final: Callable[[Item], None] | None = None) -> None:
        if not 0 < retention <= MAX_RETENTION_S:
            raise ValueError("outbound.retention_days: expected more than 0 and at most 7, "
                             f"found {retention / 86400:g}")
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "outbound.sqlite3"
        self.handlers = dict(handlers)
        self.base_delay, self.max_delay, self.retention = base_delay, max_delay, retention
        self.on_final = on_final
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        # No WAL, and deleted content overwritten: an erased address leaves no copy in the files.
        self._conn.execute("PRAGMA journal_mode=DELETE")
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute(SCHEMA)
        self._conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")  # after a crash
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _row(self, key: str) -> Item | None:
        row = self._conn.execute(f"SELECT {_ITEM_COLUMNS} FROM outbox WHERE key = ?", (key,)).fetchone()
        return Item(*row) if row else None

    def get(self, key: str) -> Item | None:
        with self._lock:
            return self._row(key)

    def items(self) -> list[Item]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_ITEM_COLUMNS} FROM outbox ORDER BY created_at").fetchall()
        return [Item(*r) for r in rows]

    def payload(self, key: str) -> dict[str, Any]:
        with self._lock:
            row = self._conn.execute("SELECT payload FROM outbox WHERE key = ?", (key,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def put(self, key: str, kind: str, channel: str, session_id: str, payload: Mapping[str, Any],
            now: float) -> tuple[Item, bool]:
        """Queue an item (once per key: an item given up may be queued again, corrected); returns it and
        whether it was queued now."""
        if kind not in self.handlers:
            raise ValueError(f"no handler for {kind!r}")
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO outbox (key, kind, channel, session_id, payload, created_at, next_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, "
                "payload = excluded.payload, status = 'pending', attempts = 0, created_at = excluded.created_at, "
                "next_at = excluded.next_at, finished_at = NULL, last_error = NULL, receipt = NULL "
                "WHERE outbox.status = 'failed'",
                (key, kind, channel, session_id, json.dumps(dict(payload), ensure_ascii=False), now, now))
            item = self._row(key)
        assert item is not None
        return item, cur.rowcount == 1

    def _claim(self, now: float, key: str | None) -> list[tuple[Item, dict[str, Any]]]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                where = "status = 'pending' AND next_at <= ?" + (" AND key = ?" if key else "")
                args: tuple[Any, ...] = (now, key) if key else (now,)
                rows = self._conn.execute(f"SELECT {_ITEM_COLUMNS}, payload FROM outbox WHERE {where} "
                                          "ORDER BY next_at LIMIT 50", args).fetchall()
                for r in rows:
                    self._conn.execute("UPDATE outbox SET status = 'sending' WHERE key = ?", (r[0],))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return [(Item(*r[:-1]), json.loads(r[-1])) for r in rows]

    def _finish(self, item: Item, status: str, now: float, error: str | None, receipt: str | None) -> Item:
        with self._lock:
            self._conn.execute("UPDATE outbox SET status = ?, attempts = attempts + 1, finished_at = ?, "
                               "last_error = ?, receipt = ?, payload = '{}' WHERE key = ?",
                               (status, now, error, receipt, item.key))
            done = self._row(item.key)
        assert done is not None
        if self.on_final is not None:
            self.on_final(done)
        return done

    def _retry(self, item: Item, now: float, error: str) -> Item:
        delay = min(self.max_delay, self.base_delay * 2 ** item.attempts)
        with self._lock:
            self._conn.execute("UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_at = ?, "
                               "last_error = ? WHERE key = ?", (now + delay, error, item.key))
            again = self._row(item.key)
        assert again is not None
        return again

    def process(self, now: float | None = None, key: str | None = None) -> list[Item]:
        """Attempt every due item (or only ``key``); returns them as they are after the attempt."""
        now = time.time() if now is None else now
        out = []
        for item, payload in self._claim(now, key):
            try:
                receipt = self.handlers[item.kind](payload, now)
            except DeliveryError as exc:
                too_old = now - item.created_at >= self.retention
                if exc.retryable and not too_old:
                    out.append(self._retry(item, now, exc.reason))
                else:
                    reason = exc.reason if not too_old else f"given up after {item.attempts + 1} attempts: {exc.reason}"
                    out.append(self._finish(item, "failed", now, reason, None))
                continue
            except Exception as exc:  # a bug in a handler must not lose the item: retry it
                out.append(self._retry(item, now, f"{exc.__class__.__name__}: {exc}"[:300]))
                continue
            out.append(self._finish(item, "delivered", now, None, receipt))
        return out

    def start(self, interval: float = 5.0) -> None:
        """Send due items every ``interval`` seconds in a background thread until :meth:`close`."""
        def loop() -> None:
            while not self._stop.wait(interval):
                self.process()

        self._thread = threading.Thread(target=loop, name="kb-outbox", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._conn.close()
