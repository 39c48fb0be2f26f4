"""A hostile client against a real `kb serve` on SQLite and a real PostgreSQL (issue #13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.service.exchange import import_lines
from generator.service.store import open_store
from tests.service.conftest import Server, new_id, now_ts, request


def _search(query: str, **extra: Any) -> dict[str, Any]:
    return {"id": new_id(), "type": "search", "ts": now_ts(), "page": "/", "query": query, "results": 0, **extra}


# --- finding 3: NUL and other C0 controls, the same on both stores ----------------------------------------

@pytest.mark.parametrize(("text", "found"), [
    ("no\x00navega", "U+0000"), ("eco\x1b[31m", "U+001B"), ("bell\x07", "U+0007"), ("del\x7f", "U+007F")])
def test_control_characters_are_refused_on_both_stores(server: Server, text: str, found: str) -> None:
    status, body, _ = request(server, "POST", "/api/events", {"events": [_search(text)]})
    assert status == 400, body
    assert body["errors"][0]["field"] == "query"
    assert f"expected text without control characters, found the control character {found}" in \
        body["errors"][0]["reason"]
    assert server.rows() == 0
    status, body, _ = request(server, "POST", "/api/events", {"events": [_search("línea 1\nlínea\t2")]})
    assert status == 200 and server.rows() == 1  # tab and new line are text


def test_nested_nul_and_lone_surrogate_are_refused(server: Server) -> None:
    run = _search("ok")
    raw = ('{"events": [' + __import__("json").dumps(run)[:-1] + ', "clicked": "a\\ud800b"}]}').encode()
    status, body, _ = request(server, "POST", "/api/events", raw)
    assert status == 400 and "lone surrogate" in body["errors"][0]["reason"], body
    status, body, _ = request(server, "POST", "/api/events", b'{"events": [{"id\\u0000": 1}]}')
    assert status == 400, body
    assert server.rows() == 0


def test_import_refuses_control_characters_on_both_stores(db: tuple[str, Path]) -> None:
    store = open_store(*db)
    try:
        import json

        lines = [json.dumps(_search("bien")), json.dumps(_search("mal\x00"))]
        report = import_lines(store, lines, "events.jsonl")
        assert report.stored == 1 and len(report.problems) == 1
        assert report.problems[0].startswith("events.jsonl:2:1: query: expected text without control characters")
    finally:
        store.close()
