"""Fault test: concurrent clients, resent batches, the server SIGKILLed and restarted twice.

Every event a client saw acknowledged must be stored, exactly once.
"""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.service.conftest import Server, new_id, request

CLIENTS = 50
EVENTS = 10_000
BATCH = 10


def _events(n: int) -> list[dict[str, Any]]:
    ts = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return [{"id": new_id(), "type": "view", "ts": ts, "page": "/red/cable-suelto/", "article_id": "cable-suelto"}
            for _ in range(n)]


def test_no_acknowledged_event_lost_or_doubled_across_kills(site: Path, db: tuple[str, Path]) -> None:
    server = Server(site, db[0], db[1], ["--rate-limit", "0"]).start()
    acked: set[str] = set()
    lock = threading.Lock()
    restarting = threading.Event()
    resent = 0

    def send(batch: list[dict[str, Any]]) -> None:
        deadline = time.monotonic() + 120
        while True:
            assert time.monotonic() < deadline, "a batch was never acknowledged"
            try:
                status, body, _ = request(server, "POST", "/api/events", {"events": batch})
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)  # the server is down or died mid-answer: retry, as the browser queue does
                continue
            if status == 200:
                assert body["stored"] + body["duplicates"] == len(batch)
                with lock:
                    acked.update(e["id"] for e in batch)
                return
            assert status >= 500, (status, body)
            time.sleep(0.05)

    def client(k: int) -> None:
        nonlocal resent
        events = _events(EVENTS // CLIENTS)
        for i in range(0, len(events), BATCH):
            batch = events[i:i + BATCH]
            send(batch)
            if (i // BATCH + k) % 5 == 0:  # 20% of batches are sent again after their acknowledgement
                send(batch)
                with lock:
                    resent += 1

    def killer() -> None:
        for threshold in (EVENTS * 0.3, EVENTS * 0.65):
            while True:
                with lock:
                    if len(acked) >= threshold:
                        break
                time.sleep(0.01)
            server.kill()
            restarting.set()
            server.start()

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))
        kill_thread.join(60)
        assert restarting.is_set() and not kill_thread.is_alive()
        assert resent == EVENTS // BATCH // 5
        store = server.store()
        try:
            stored = [e["id"] for e in store.iter_events()]
            check = store.check()
        finally:
            store.close()
        assert len(acked) == EVENTS
        assert acked - set(stored) == set()  # 0 acknowledged events missing
        assert len(stored) == len(set(stored)) == EVENTS  # 0 duplicates
        assert check == "ok"
    finally:
        server.stop()
