"""A small, hand-computed set of events over the tiny fixture (tests/fixtures/tiny).

Every expected value in test_metrics.py was worked out by hand from these events; the
reasoning is written next to each assertion.
"""

from __future__ import annotations

from typing import Any

C1, C2, C3 = (f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
S = {n: f"10000000-0000-4000-8000-00000000000{n}" for n in range(1, 7)}


def _id(n: int) -> str:
    return f"20000000-0000-4000-8000-{n:012d}"


def _run(n: int, session: int, start: str, end: str, outcome: str, path: list[tuple[str, str | None, int]],
         **extra: Any) -> dict[str, Any]:
    return {"id": _id(n), "type": "protocol_run", "ts": end, "page": "/protocolos/sin-conexion/",
            "session_id": S[session], "protocol_id": "sin-conexion", "protocol_version": "abc123",
            "started_at": start, "ended_at": end, "outcome": outcome,
            "path": [{"step": s, "answer": a, "seconds": sec} if a is not None else {"step": s, "seconds": sec}
                     for s, a, sec in path], **extra}


def events() -> list[dict[str, Any]]:
    ev: list[dict[str, Any]] = [
        # views: cable-suelto 2, dns-mal-configurado 1, protocol sin-conexion 1
        {"id": _id(1), "type": "view", "ts": "2026-11-16T09:00:00Z", "page": "/red/cable-suelto/",
         "article_id": "cable-suelto", "client": C1},
        {"id": _id(2), "type": "view", "ts": "2026-11-17T09:00:00Z", "page": "/red/cable-suelto/",
         "article_id": "cable-suelto", "client": C2},
        {"id": _id(3), "type": "view", "ts": "2026-11-23T10:00:00Z", "page": "/red/dns-mal-configurado/",
         "article_id": "dns-mal-configurado", "client": C1},
        {"id": _id(4), "type": "view", "ts": "2026-11-16T09:00:00Z", "page": "/protocolos/sin-conexion/",
         "protocol_id": "sin-conexion", "client": C3},
        # feedback
        {"id": _id(5), "type": "feedback", "ts": "2026-11-16T09:01:00Z", "page": "/red/cable-suelto/",
         "article_id": "cable-suelto", "helpful": True, "rating": 5, "client": C1},
        {"id": _id(6), "type": "feedback", "ts": "2026-11-17T09:01:00Z", "page": "/red/cable-suelto/",
         "article_id": "cable-suelto", "helpful": False, "reason": "unclear", "rating": 2,
         "comment": "<script>alert(1)</script> no entiendo", "client": C2},
        {"id": _id(7), "type": "feedback", "ts": "2026-11-23T11:00:00Z", "page": "/red/cable-suelto/",
         "article_id": "cable-suelto", "helpful": False, "reason": "unclear", "by_technician": True},
        {"id": _id(8), "type": "feedback", "ts": "2026-11-24T11:00:00Z", "page": "/red/dns-mal-configurado/",
         "article_id": "dns-mal-configurado", "helpful": True, "rating": 4},
        {"id": _id(9), "type": "feedback", "ts": "2026-11-25T11:00:00Z", "page": "/red/cable-suelto/",
         "article_id": "cable-suelto", "helpful": False, "reason": "outdated"},
        # KCS links
        {"id": _id(10), "type": "article_used", "ts": "2026-11-16T10:05:00Z", "page": "/red/dns-mal-configurado/",
         "article_id": "dns-mal-configurado", "ticket_ref": "INC-1", "technician": "ana"},
        {"id": _id(11), "type": "article_used", "ts": "2026-11-23T10:30:00Z", "page": "/red/dns-mal-configurado/",
         "article_id": "dns-mal-configurado", "ticket_ref": "INC-2", "technician": "ben"},
        # runs
        _run(12, 1, "2026-11-16T10:00:00Z", "2026-11-16T10:04:00Z", "resolved",
             [("comprobar-cable", "No", 40), ("comprobar-dns", "No", 200)], resolved_step="comprobar-dns",
             cause="DNS mal configurado", articles_used=["dns-mal-configurado"], ticket_ref="INC-1",
             technician="ana", channel="phone", contact_at="2026-11-16T09:58:00Z", practice=False),
        _run(13, 2, "2026-11-18T10:00:00Z", "2026-11-18T10:10:00Z", "escalated",
             [("comprobar-cable", "No", 30), ("comprobar-dns", "Sí", 300), ("escalar", None, 0)],
             escalated_to="Nivel 2 — Redes", ticket_ref="INC-1", technician="ana", channel="phone"),
        _run(14, 3, "2026-11-23T10:00:00Z", "2026-11-23T10:02:00Z", "resolved", [("comprobar-cable", "Sí", 120)],
             resolved_step="comprobar-cable", cause="Cable desconectado", ticket_ref="INC-2", technician="ben",
             channel="chat"),
        _run(15, 4, "2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z", "abandoned", [("comprobar-cable", None, 60)],
             technician="ben", channel="chat"),
        _run(16, 5, "2026-11-24T12:00:00Z", "2026-11-24T12:05:00Z", "resolved", [("comprobar-cable", "Sí", 300)],
             resolved_step="comprobar-cable", cause="Cable desconectado", articles_used=["cambiar-contrasena"],
             technician="ana", channel="phone", practice=True),
        _run(17, 6, "2026-11-25T10:00:00Z", "2026-11-25T10:06:00Z", "resolved",
             [("comprobar-cable", "No", 50), ("comprobar-dns", "No", 310)], resolved_step="comprobar-dns",
             cause="DNS mal configurado", articles_used=["dns-mal-configurado", "cable-suelto"], technician="ana",
             channel="phone"),
        # CSAT answers (the practice run's answer counts nowhere)
        {"id": _id(18), "type": "csat", "ts": "2026-11-16T12:00:00Z", "page": "/satisfaccion/", "session_id": S[1],
         "rating": 5},
        {"id": _id(19), "type": "csat", "ts": "2026-11-23T12:00:00Z", "page": "/satisfaccion/", "session_id": S[3],
         "rating": 3, "comment": "<img src=x onerror=alert(1)>"},
        {"id": _id(20), "type": "csat", "ts": "2026-11-24T13:00:00Z", "page": "/satisfaccion/", "session_id": S[5],
         "rating": 1},
        {"id": _id(21), "type": "csat", "ts": "2026-11-25T12:00:00Z", "page": "/satisfaccion/", "session_id": S[6],
         "rating": 4},
        # searches
        {"id": _id(22), "type": "search", "ts": "2026-11-20T08:00:00Z", "page": "/", "query": "no navega",
         "results": 3},
        {"id": _id(23), "type": "search", "ts": "2026-11-20T08:01:00Z", "page": "/", "query": "Impresora  Atascada",
         "results": 0},
        {"id": _id(24), "type": "search", "ts": "2026-11-21T08:01:00Z", "page": "/", "query": "impresora atascada",
         "results": 0},
        {"id": _id(25), "type": "search", "ts": "2026-11-22T08:01:00Z", "page": "/", "query": "vpn", "results": 0},
    ]
    return ev
