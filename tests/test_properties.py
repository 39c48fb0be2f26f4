"""Property-based tests (hypothesis): any input to the YAML loader, the front-matter reader, the
article and protocol models and the event API gives a clean error or a valid result, never an
exception of another kind (a traceback, or a 5xx in the service).

Seeded (``derandomize=True``: the same cases on every run, no example database), 10,000 cases per
target, each case bounded by a deadline. The strategies mix valid documents with hostile pieces
(control characters, lone surrogates, YAML syntax, deep nesting, huge numbers) so the cases reach
past the first check.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.sources import read_article, read_protocol
from generator.content.yamlsafe import Located, load
from generator.diagnostics import ContentError
from generator.pipeline.validation import validate_texts
from generator.service.events import problem_json, validate_batch
from generator.service.security import BadBody, parse_json
from generator.store import row_of

CASES = 10_000
PROPERTY = settings(max_examples=CASES, derandomize=True, database=None, deadline=timedelta(seconds=5),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

YAML_PIECES = ["---", "...", ": ", "- ", "&a ", "*a", "<<: *a", "!!python/object ", "!tag ", "? ", "{", "}", "[",
               "]", ",", "|", ">-", "#", "'", '"', "\t", "\n", "\n", "\n", "  ", "    ", "id: x", "title: T", "yes",
               "no", "on", "0777", "1.10", "12:30", "~", "null", "2026-13-40", "%YAML 1.1", "%TAG", "steps:",
               "- id: a", "x" * 70]
# Characters that matter to a parser or a store. Cases are drawn as bytes and mapped through these
# tables: one draw per case keeps hypothesis' own bookkeeping (most of the time per case) small.
CHARS = [*"aZ09 -_:./#'\"{}[]\\\n\tñé€ä", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u00a0", "\u2028",
         "\u202e", "\ufeff", "\ud800", "\udfff", "\U0001f600", "\uffff"]
TABLE = YAML_PIECES + CHARS
YAMLISH = st.binary(max_size=32).map(lambda b: "".join(TABLE[x % len(TABLE)] for x in b))


def _valid_protocol() -> str:
    return ("id: p\ntitle: Sin red\nsummary: No navega.\naudience: technician\nowner: redes\nreviewed: 2026-10-01\n"
            "start: a\nsteps:\n  - id: a\n    title: Mirar\n    ask: ¿Va?\n    options:\n      - label: Sí\n"
            "        resolve: Hecho\n      - label: No\n        escalate: Nivel 2\n")


@PROPERTY
@given(YAMLISH)
def test_yaml_loader_gives_a_value_or_a_content_error(text: str) -> None:
    try:
        located = load(text, "protocols/p.yml")
    except ContentError as exc:
        assert exc.diagnostics and all(d.path == "protocols/p.yml" and d.line >= 1 for d in exc.diagnostics)
        return
    assert isinstance(located, Located)


@PROPERTY
@given(YAMLISH, YAMLISH, st.booleans())
def test_front_matter_reader_gives_a_source_or_a_content_error(front: str, body: str, closed: bool) -> None:
    text = "---\n" + front + ("\n---\n" if closed else "\n") + body
    try:
        source = read_article(text, "kb/red/x.md")
    except ContentError as exc:
        assert exc.diagnostics and all(d.line >= 1 and d.col >= 1 for d in exc.diagnostics)
        return
    assert source.body_line >= 2


@settings(PROPERTY, max_examples=CASES // 10)  # the whole validation: 10x slower per case
@given(st.binary(max_size=8))
def test_validation_of_a_mutated_protocol_never_raises(edits: bytes) -> None:
    lines = _valid_protocol().split("\n")
    for at, piece in zip(edits[::2], edits[1::2], strict=False):
        lines.insert(at % len(lines), TABLE[piece % len(TABLE)])
    text = "\n".join(lines)
    result = validate_texts({"protocols/p.yml": text})
    assert all(d.path == "protocols/p.yml" for d in result.diagnostics)
    with contextlib.suppress(ContentError):
        read_protocol(text, "protocols/p.yml")


# --- the event API ----------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
VALUES: list[Any] = [None, True, False, 0, -1, 3, 6, 86_401, 10**30, 1.5, -0.0, 1e308, "", " ", "x" * 300, "no navega",
                     "\x00", "a\x00b", "\x1b[31m", "\ud800", "\ufeff", "\u202e", "<script>x()</script>", "=1+1",
                     "2026-11-23T09:00:00Z", "2026-11-23T11:00:00+02:00", "2026-02-30T00:00:00Z",
                     "1999-01-01T00:00:00Z",
                     str(uuid.UUID(int=9)), "x", "p", "a", "/", "/red/x/", "resolved", "unclear", [], {}, [1, [2, [3]]],
                     {"step": "a", "seconds": 1}, [{"step": "a", "seconds": 1}], {"a\x00": 1}, [None] * 60]
KEYS = ["id", "type", "ts", "page", "client", "article_id", "protocol_id", "helpful", "rating", "reason", "comment",
        "query", "results", "clicked", "session_id", "protocol_version", "started_at", "ended_at", "contact_at",
        "outcome", "path", "cause", "channel", "ticket_ref", "technician", "articles_used", "practice", "notes",
        "hp", "x", "by_technician", "mode"]
KINDS = ["view", "feedback", "search", "protocol_run", "article_used", "csat"]


def _valid(kind: str) -> dict[str, Any]:
    base = {"id": str(uuid.UUID(int=1)), "ts": "2026-11-23T09:00:00Z", "page": "/red/x/"}
    extra: dict[str, Any] = {
        "view": {"article_id": "x"},
        "feedback": {"article_id": "x", "helpful": False, "rating": 2, "reason": "unclear", "comment": "no"},
        "search": {"query": "no navega", "results": 0},
        "protocol_run": {"session_id": str(uuid.UUID(int=2)), "protocol_id": "p", "protocol_version": "v",
                         "started_at": "2026-11-23T08:00:00Z", "ended_at": "2026-11-23T08:10:00Z",
                         "outcome": "resolved", "path": [{"step": "a", "answer": "Sí", "seconds": 3}]},
        "article_used": {"article_id": "x", "ticket_ref": "INC-1"},
        "csat": {"session_id": str(uuid.UUID(int=3)), "rating": 5},
    }[kind]
    return {"type": kind, **base, **extra}


def _event(code: bytes) -> Any:
    """A valid event of some type with fields replaced, added or removed as ``code`` says; or a bare value."""
    if not code:
        return {}
    if code[0] % 11 == 10:
        return VALUES[code[-1] % len(VALUES)]
    ev = _valid(KINDS[code[0] % len(KINDS)])
    for k, v in zip(code[1::2], code[2::2], strict=False):
        key = KEYS[k % len(KEYS)]
        if v % 7 == 6:
            ev.pop(key, None)
        else:
            ev[key] = VALUES[v % len(VALUES)]
    return ev


@PROPERTY
@given(st.lists(st.binary(max_size=9), max_size=3))
def test_event_batches_give_problems_or_storable_events(codes: list[bytes]) -> None:
    batch = [_event(c) for c in codes]
    payload: dict[str, Any] = {"events": batch}
    if len(codes) == 2:
        payload["hp"] = VALUES[len(codes[0]) % len(VALUES)]
    body = json.dumps(payload, ensure_ascii=bool(len(batch) % 2)).encode("utf-8", "surrogatepass")
    try:
        parsed = parse_json(body)
    except BadBody as exc:
        assert str(exc).startswith("expected")
        return
    result = validate_batch(parsed, None, now=NOW)
    assert not (result.problems and result.events)
    for problem in result.problems:
        assert problem.message.startswith("expected") or problem.message
        json.dumps(problem_json(problem)).encode("utf-8")  # the 400 answer can be written
    for ev in result.events:  # what a store will be given: UTF-8 text without NUL (PostgreSQL refuses NUL)
        row = row_of(ev, NOW)
        for cell in row:
            if isinstance(cell, str):
                cell.encode("utf-8")
                assert "\x00" not in cell and "\\u0000" not in cell


BODY_TOKENS = [b"[", b"{", b'"a":', b'"a"', b"1", b"-0.5e3", b"]", b"}", b",", b" ", b"\xef\xbb\xbf", b"\x00",
               b"9" * 30, b"NaN", b"Infinity", b'"\\ud800"', b'"\\u0000"', b"\xff", b"\xc3", b"true", b"null", b'"',
               b"\\", b'{"events": [', b'{"events": [], "events": 1}']


@PROPERTY
@given(st.binary(max_size=64), st.booleans())
def test_any_body_parses_or_is_a_bad_body(code: bytes, raw: bool) -> None:
    body = code if raw else b"".join(BODY_TOKENS[x % len(BODY_TOKENS)] for x in code)
    try:
        parse_json(body)
    except BadBody as exc:
        assert str(exc).startswith("expected")
