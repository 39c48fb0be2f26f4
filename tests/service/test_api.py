"""POST /api/events over real HTTP, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import copy
import http.client
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.service.conftest import Server, new_id, now_ts, request


def base_events() -> dict[str, dict[str, Any]]:
    """One valid event of each type, against the tiny fixture's manifest."""
    ts = now_ts()
    sid = new_id()
    return {
        "view": {"id": new_id(), "type": "view", "ts": ts, "page": "/red/cable-suelto/", "article_id": "cable-suelto"},
        "feedback": {"id": new_id(), "type": "feedback", "ts": ts, "page": "/red/cable-suelto/",
                     "article_id": "cable-suelto", "helpful": False, "rating": 2, "reason": "unclear",
                     "comment": "No entendí el paso 2"},
        "search": {"id": new_id(), "type": "search", "ts": ts, "page": "/", "query": "no navega", "results": 0,
                   "clicked": None},
        "protocol_run": {"id": new_id(), "type": "protocol_run", "ts": ts, "page": "/protocolos/sin-conexion/",
                         "session_id": sid, "protocol_id": "sin-conexion", "protocol_version": "3f2a0c1d9e8b",
                         "started_at": "2026-11-23T10:00:00Z", "ended_at": "2026-11-23T10:04:00Z",
                         "outcome": "resolved", "path": [
                             {"step": "comprobar-cable", "answer": "No", "seconds": 42},
                             {"step": "comprobar-dns", "answer": "No", "seconds": 198}],
                         "resolved_step": "comprobar-dns", "cause": "DNS mal configurado", "channel": "phone",
                         "customer_level": "basic", "ticket_ref": "INC-1234", "technician": "ana",
                         "articles_used": ["dns-mal-configurado"], "practice": False},
        "article_used": {"id": new_id(), "type": "article_used", "ts": ts, "page": "/red/dns-mal-configurado/",
                         "article_id": "dns-mal-configurado", "ticket_ref": "INC-1234", "technician": "ana"},
        "csat": {"id": new_id(), "type": "csat", "ts": ts, "page": "/satisfaccion/", "session_id": sid,
                 "rating": 5, "comment": "Muy amable"},
    }


def test_every_event_type_is_stored_once(server: Server) -> None:
    events = list(base_events().values())
    status, body, headers = request(server, "POST", "/api/events", {"events": events})
    assert (status, body) == (200, {"stored": 6, "duplicates": 0})
    assert headers.get("set-cookie") is None
    status, body, _ = request(server, "POST", "/api/events", {"events": events})
    assert (status, body) == (200, {"stored": 0, "duplicates": 6})
    assert server.rows() == 6
    store = server.store()
    try:
        stored = {e["id"]: e for e in store.iter_events()}
    finally:
        store.close()
    assert stored == {e["id"]: {k: v for k, v in e.items() if v is not None} for e in events}


def _set(type_: str, key: str, value: Any) -> dict[str, Any]:
    ev = copy.deepcopy(base_events()[type_])
    ev[key] = value
    return ev


def _drop(type_: str, key: str) -> dict[str, Any]:
    ev = copy.deepcopy(base_events()[type_])
    del ev[key]
    return ev


def _path(**changes: Any) -> dict[str, Any]:
    ev = copy.deepcopy(base_events()["protocol_run"])
    ev["path"][0].update(changes)
    return ev


FUTURE = (datetime.now(UTC) + timedelta(days=3)).isoformat(timespec="seconds").replace("+00:00", "Z")
PAST = (datetime.now(UTC) - timedelta(days=200)).isoformat(timespec="seconds").replace("+00:00", "Z")

# (name, event, field, reason): each event alone in a batch must get 400 with this field and reason.
MALFORMED: list[tuple[str, Any, str, str]] = [
    ("id missing", _drop("view", "id"), "id", "expected this field, found it missing"),
    ("id not uuid", _set("view", "id", "abc"), "id", "expected a UUID, found 'abc'"),
    ("id number", _set("view", "id", 123), "id", "expected a text, found 123"),
    ("type missing", _drop("view", "type"), "type", "expected this field, found it missing"),
    ("type unknown", _set("view", "type", "click"), "type", "expected one of view, feedback, search"),
    ("ts missing", _drop("view", "ts"), "ts", "expected this field, found it missing"),
    ("ts words", _set("view", "ts", "yesterday"), "ts", "expected an ISO 8601 time with a zone"),
    ("ts no zone", _set("view", "ts", "2026-11-23T10:00:00"), "ts", "expected an ISO 8601 time with a zone"),
    ("ts future", _set("view", "ts", FUTURE), "ts", "expected a time within 90 days before and 24 hours after"),
    ("ts too old", _set("view", "ts", PAST), "ts", "expected a time within 90 days before and 24 hours after"),
    ("page missing", _drop("view", "page"), "page", "expected this field, found it missing"),
    ("page absolute url", _set("view", "page", "http://evil.example/"), "page", "expected a path starting with /"),
    ("page too long", _set("view", "page", "/" + "a" * 3000), "page", "expected at most 2048 characters"),
    ("page number", _set("view", "page", 42), "page", "expected a text, found 42"),
    ("unknown field", _set("view", "foo", 1), "foo", "expected a known field, found an unknown one"),
    ("notes sent", _set("protocol_run", "notes", "cliente enfadado"), "event", "expected no notes"),
    ("view unknown article", _set("view", "article_id", "no-existe"), "article_id",
     "expected an article of this site, found 'no-existe'"),
    ("feedback article missing", _drop("feedback", "article_id"), "article_id", "expected this field"),
    ("feedback article bad id", _set("feedback", "article_id", "Nope!"), "article_id",
     "expected an id of lower-case letters"),
    ("feedback article unknown", _set("feedback", "article_id", "no-existe"), "article_id",
     "expected an article of this site"),
    ("feedback helpful text", _set("feedback", "helpful", "yes"), "helpful", "expected true or false, found 'yes'"),
    ("feedback helpful 1", _set("feedback", "helpful", 1), "helpful", "expected true or false, found 1"),
    ("feedback rating 0", _set("feedback", "rating", 0), "rating", "expected a number of at least 1, found 0"),
    ("feedback rating 6", _set("feedback", "rating", 6), "rating", "expected a number of at most 5, found 6"),
    ("feedback rating text", _set("feedback", "rating", "5"), "rating", "expected a whole number, found '5'"),
    ("feedback rating float", _set("feedback", "rating", 4.5), "rating", "expected a whole number, found 4.5"),
    ("feedback reason", _set("feedback", "reason", "angry"), "reason", "expected one of 'outdated'"),
    ("feedback comment long", _set("feedback", "comment", "x" * 1001), "comment",
     "expected at most 1000 characters, found 1001"),
    ("feedback comment number", _set("feedback", "comment", 5), "comment", "expected a text, found 5"),
    ("feedback empty", {k: v for k, v in base_events()["feedback"].items()
                        if k not in ("helpful", "rating", "comment")}, "event",
     "expected helpful, rating or comment, found none"),
    ("search query empty", _set("search", "query", ""), "query", "expected a non-empty text"),
    ("search query long", _set("search", "query", "q" * 201), "query", "expected at most 200 characters"),
    ("search results negative", _set("search", "results", -1), "results", "expected a number of at least 0"),
    ("search results text", _set("search", "results", "3"), "results", "expected a whole number, found '3'"),
    ("search results missing", _drop("search", "results"), "results", "expected this field"),
    ("run session not uuid", _set("protocol_run", "session_id", "s1"), "session_id", "expected a UUID"),
    ("run protocol unknown", _set("protocol_run", "protocol_id", "no-existe"), "protocol_id",
     "expected a protocol of this site"),
    ("run outcome", _set("protocol_run", "outcome", "done"), "outcome", "expected one of 'resolved'"),
    ("run path not list", _set("protocol_run", "path", "a,b"), "path", "expected a list, found 'a,b'"),
    ("run path unknown step", _path(step="paso-fantasma"), "path[0].step",
     "expected a step of sin-conexion, found 'paso-fantasma'"),
    ("run path seconds negative", _path(seconds=-5), "path[0].seconds", "expected a number of at least 0"),
    ("run path seconds huge", _path(seconds=100_000), "path[0].seconds", "expected a number of at most 86400"),
    ("run path extra", _path(mood="bad"), "path[0].mood", "expected a known field"),
    ("run ended before start", _set("protocol_run", "ended_at", "2026-11-23T09:00:00Z"), "event",
     "expected ended_at not before started_at"),
    ("run channel", _set("protocol_run", "channel", "fax"), "channel", "expected one of 'phone'"),
    ("run level", _set("protocol_run", "customer_level", "expert"), "customer_level", "expected one of 'basic'"),
    ("run ticket long", _set("protocol_run", "ticket_ref", "T" * 65), "ticket_ref", "expected at most 64"),
    ("run article unknown", _set("protocol_run", "articles_used", ["no-existe"]), "articles_used[0]",
     "expected an article of this site"),
    ("run practice text", _set("protocol_run", "practice", "no"), "practice", "expected true or false"),
    ("run resolved step unknown", _set("protocol_run", "resolved_step", "nada"), "resolved_step",
     "expected a step of sin-conexion"),
    ("run started bad", _set("protocol_run", "started_at", "hoy"), "started_at", "expected an ISO 8601 time"),
    ("used article missing", _drop("article_used", "article_id"), "article_id", "expected this field"),
    ("csat rating 9", _set("csat", "rating", 9), "rating", "expected a number of at most 5, found 9"),
    ("csat session missing", _drop("csat", "session_id"), "session_id", "expected this field"),
    ("event is text", "hello", "event", "expected an object, found 'hello'"),
    ("event is null", None, "event", "expected an object, found null"),
]


@pytest.mark.parametrize(("name", "event", "field", "reason"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_event_rejected_with_reason(shared_server: Server, name: str, event: Any, field: str,
                                              reason: str) -> None:
    server = shared_server
    status, body, _ = request(server, "POST", "/api/events", {"events": [event]})
    assert status == 400, body
    assert body["error"] == "invalid events"
    found = [(e["index"], e["field"], e["reason"]) for e in body["errors"]]
    assert any(idx == 0 and f == field and r.startswith(reason) for idx, f, r in found), found
    assert server.rows() == 0


def test_malformed_corpus_is_large_enough() -> None:
    assert len(MALFORMED) >= 50


def test_one_bad_event_rejects_the_batch_and_names_it(server: Server) -> None:
    good = list(base_events().values())
    bad = _set("feedback", "rating", 7)
    status, body, _ = request(server, "POST", "/api/events", {"events": [*good, bad]})
    assert status == 400
    assert body["errors"] == [{"index": 6, "id": bad["id"], "field": "rating",
                               "reason": "expected a number of at most 5, found 7"}]
    assert server.rows() == 0


BATCH_ERRORS: list[tuple[str, bytes, int, str]] = [
    ("invalid json", b'{"events": [', 400, "expected a JSON body, found invalid JSON"),
    ("not utf-8", b'\xff\xfe{}', 400, "expected UTF-8 JSON without a byte order mark, found one"),
    # issue #13, finding 7: each of these was a 500 or accepted
    ("utf-8 bom", b'\xef\xbb\xbf{"events": []}', 400, "expected UTF-8 JSON without a byte order mark"),
    ("utf-16", '{"events": []}'.encode("utf-16-le"), 400, "expected UTF-8 JSON, found the byte 0x00"),
    ("latin-1", b'{"events": ["\xe9"]}', 400, "expected UTF-8 JSON, found the byte 0xe9"),
    ("30000 nested lists", b"[" * 30_000, 400, "expected JSON nested at most 16 levels deep"),
    ("6000 nested objects", b'{"a":' * 6_000 + b"1" + b"}" * 6_000, 400, "expected JSON nested at most 16"),
    ("5000-digit number", b'{"events": [' + b"9" * 5_000 + b"]}", 400,
     "expected a number of at most 20 characters, found 5000"),
    ("duplicate keys", b'{"events": [], "events": [1]}', 400, "expected each key once in an object, found 'events'"),
    ("nested duplicate keys", b'{"events": [{"id": "a", "id": "b"}]}', 400, "expected each key once"),
    ("NaN", b'{"events": [NaN]}', 400, "expected a JSON number, found NaN"),
    ("json array", b"[]", 400, "invalid events"),
    ("empty events", b'{"events": []}', 400, "invalid events"),
    ("events not list", b'{"events": {}}', 400, "invalid events"),
    ("extra top key", b'{"events": [], "x": 1}', 400, "invalid events"),
    ("hp not text", b'{"events": [], "hp": 5}', 400, "invalid events"),
]


@pytest.mark.parametrize(("name", "body", "status", "reason"), BATCH_ERRORS, ids=[b[0] for b in BATCH_ERRORS])
def test_malformed_batches(shared_server: Server, name: str, body: bytes, status: int, reason: str) -> None:
    server = shared_server
    got, payload, _ = request(server, "POST", "/api/events", body)
    assert got == status
    assert payload["error"].startswith(reason)
    assert server.rows() == 0


def test_too_many_events_in_one_batch(server: Server) -> None:
    events = [base_events()["view"] | {"id": new_id()} for _ in range(101)]
    status, body, _ = request(server, "POST", "/api/events", {"events": events})
    assert status == 400
    assert body["errors"][0]["reason"] == "expected at most 100 events, found 101"
    assert server.rows() == 0


def test_wrong_method_and_content_type(server: Server) -> None:
    assert request(server, "GET", "/api/events")[0] == 405
    status, body, _ = request(server, "POST", "/api/events", b"events=1",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, body["error"]) == (415, "expected Content-Type application/json, found "
                                             "'application/x-www-form-urlencoded'")
    # navigator.sendBeacon sends text/plain: accepted
    status, _, _ = request(server, "POST", "/api/events", json.dumps({"events": [base_events()["view"]]}).encode(),
                           {"Content-Type": "text/plain;charset=UTF-8"})
    assert status == 200
    assert server.rows() == 1


def test_body_over_64kb_is_refused_unread(server: Server) -> None:
    event = base_events()["feedback"]
    big = {"events": [event], "hp": "", "pad": "x" * (70 * 1024)}
    status, body, _ = request(server, "POST", "/api/events", big)
    assert (status, body["error"]) == (413, "expected a body of at most 65536 bytes")
    # streamed without Content-Length: refused as soon as the limit is passed
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/api/events")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"x" * 16384
    try:
        for _ in range(5):
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close the connection early: that is fine
    resp = conn.getresponse()
    assert resp.status == 413
    conn.close()
    assert server.rows() == 0


def test_foreign_origin_is_refused(server: Server) -> None:
    events = {"events": [base_events()["feedback"]]}
    for origin in ("https://evil.example", "null", f"http://127.0.0.1:{server.port + 1}"):
        status, body, _ = request(server, "POST", "/api/events", events, {"Origin": origin})
        assert (status, body) == (403, {"error": "origin not allowed"})
    status, _, _ = request(server, "POST", "/api/events", events, {"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    assert server.rows() == 0
    status, _, _ = request(server, "POST", "/api/events", events, {"Origin": server.base})
    assert status == 200
    assert server.rows() == 1


def test_configured_origin_is_allowed(make_server: Any) -> None:
    srv = make_server("--rate-limit", "0", "--allow-origin", "https://ayuda.example.org")
    events = {"events": [base_events()["view"]]}
    assert request(srv, "POST", "/api/events", events, {"Origin": "https://ayuda.example.org"})[0] == 200
    assert request(srv, "POST", "/api/events", events | {"events": [base_events()["view"]]},
                   {"Origin": "https://otro.example.org"})[0] == 403
    assert srv.rows() == 1


def test_honeypot_answers_normally_and_stores_nothing(server: Server) -> None:
    status, body, _ = request(server, "POST", "/api/events",
                              {"events": [base_events()["feedback"]], "hp": "http://spam.example"})
    assert (status, body) == (200, {"stored": 1, "duplicates": 0})
    assert server.rows() == 0


def test_rate_limit_per_client(make_server: Any) -> None:
    srv = make_server("--rate-limit", "5")
    statuses = [request(srv, "POST", "/api/events", {"events": [base_events()["view"]]})[0] for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert srv.rows() == 5


XSS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "javascript:alert(1)", "\"><script>alert(1)</script>", "'><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>", "<body onload=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
    "<style>body{display:none}</style>", "<math><mi xlink:href=\"javascript:alert(1)\">",
    "<details open ontoggle=alert(1)>", "<input autofocus onfocus=alert(1)>", "<video><source onerror=alert(1)>",
    "<object data=javascript:alert(1)>", "<embed src=javascript:alert(1)>", "<marquee onstart=alert(1)>",
    "{{7*7}}", "${7*7}", "<%= 7*7 %>", "=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3", "@SUM(1)",
    "\t=1+1", "\r=1+1", "'; DROP TABLE events; --", "\" OR 1=1 --", "<scr<script>ipt>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "%3Cscript%3Ealert(1)%3C/script%3E", "<svg><script>alert(1)</script>",
    "<img src=\"x\" onerror=\"&#97;lert(1)\">", "<form action=javascript:alert(1)><button>x</button></form>",
    "<link rel=stylesheet href=//evil.example/x.css>", "<meta http-equiv=refresh content=0;url=//evil.example>",
    "<base href=//evil.example/>", "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<xss id=x tabindex=1 onfocusin=alert(1)>",
    "\u202e<script>alert(1)</script>", "<ScRiPt>alert(1)</sCrIpT>", "<img/src/onerror=alert(1)>",
    "<svg/onload=alert`1`>", "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<table background=javascript:alert(1)>", "<isindex type=image src=1 onerror=alert(1)>",
    "<select autofocus onfocus=alert(1)>", "<textarea autofocus onfocus=alert(1)>",
]


def test_xss_payloads_are_stored_verbatim(server: Server) -> None:
    assert len(XSS) >= 50
    events = []
    for i, payload in enumerate(XSS):
        ev = base_events()["feedback"] | {"id": new_id(), "comment": payload}
        if i % 2:
            ev = base_events()["search"] | {"id": new_id(), "query": payload[:200]}
        events.append(ev)
    for start in range(0, len(events), 25):
        status, body, _ = request(server, "POST", "/api/events", {"events": events[start:start + 25]})
        assert status == 200, body
    store = server.store()
    try:
        stored = {e["id"]: e.get("comment", e.get("query")) for e in store.iter_events()}
    finally:
        store.close()
    assert stored == {e["id"]: e.get("comment", e.get("query")) for e in events}
