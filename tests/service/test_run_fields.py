"""The runner's newer `protocol_run` fields reach the store as sent: `contact_at` and steps left with "back"."""

from __future__ import annotations

import copy
from typing import Any

from tests.service.conftest import Server, request
from tests.service.test_api import base_events


def _run_with_back() -> dict[str, Any]:
    ev: dict[str, Any] = copy.deepcopy(base_events()["protocol_run"])
    ev["contact_at"] = "2026-11-23T09:45:00Z"
    ev["path"] = [{"step": "comprobar-dns", "seconds": 7, "back": True}, *ev["path"]]
    return ev


def test_contact_at_and_back_are_stored(server: Server) -> None:
    ev = _run_with_back()
    status, body, _ = request(server, "POST", "/api/events", {"events": [ev]})
    assert (status, body) == (200, {"stored": 1, "duplicates": 0})
    store = server.store()
    try:
        (stored,) = [e for e in store.iter_events() if e["id"] == ev["id"]]
    finally:
        store.close()
    assert stored["path"][0] == {"step": "comprobar-dns", "seconds": 7, "back": True}
    assert stored["contact_at"] == "2026-11-23T09:45:00Z"


def test_a_step_left_with_back_has_no_answer(shared_server: Server) -> None:
    ev = _run_with_back()
    ev["path"][0]["answer"] = "No"
    status, body, _ = request(shared_server, "POST", "/api/events", {"events": [ev]})
    assert status == 422 or status == 400, (status, body)
    assert "expected no answer on a step left with back" in str(body)
