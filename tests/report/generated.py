"""Seeded random event sets over the tiny fixture, for comparing the SQL report with the Python one.

They aim at the corners the formulas have: repeat tickets near the FCR window's edge (exactly
7 days apart, the same second), times with a zone other than Z (weeks use the local date),
unknown articles and protocols, practice runs and their CSAT, duplicated `articles_used`,
queries that differ only in case and spacing, anonymous clients across weeks.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

ARTICLES = ("cable-suelto", "cable-suelto-en", "dns-mal-configurado", "cambiar-contrasena", "no-existe")
PROTOCOLS = ("sin-conexion", "sin-conexion", "sin-conexion-en", "otro-protocolo")
TECHNICIANS = ("ana", "Ana", " ANA ", "ben", "Ben  Ruiz", "ben ruiz", "carla")
STEPS = ("comprobar-cable", "comprobar-dns", "escalar", "paso-viejo")
ANSWERS = ("Sí", "No", None)
START = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
ZONES = (UTC, UTC, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)))
QUERIES = ("no navega", "No  Navega", "impresora atascada", "Impresora atascada ", "vpn", "ÁRBOL", "árbol")


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.sessions: list[str] = []
        self.tickets = [f"INC-{i}" for i in range(6)]
        self.clients = [str(uuid.UUID(int=self.r.getrandbits(128))) for _ in range(8)]
        self.n = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def ts(self, t: datetime) -> str:
        local = t.astimezone(self.r.choice(ZONES))
        text = local.isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")

    def when(self) -> datetime:
        return START + timedelta(seconds=self.r.randrange(0, 42 * 86400))

    def base(self, kind: str) -> dict[str, Any]:
        ev: dict[str, Any] = {"id": self.uid(), "type": kind, "ts": self.ts(self.when()), "page": "/x/"}
        if self.r.random() < 0.6:
            ev["client"] = self.r.choice(self.clients)
        return ev

    def run(self) -> dict[str, Any]:
        r = self.r
        ev = self.base("protocol_run")
        start = self.when()
        if self.sessions and r.random() < 0.15:  # a repeat contact on a ticket, maybe at the window's edge
            start = START + timedelta(days=r.choice((0, 7, 7, 3)), seconds=r.choice((0, 0, 1, -1)))
        path = [{"step": r.choice(STEPS), "seconds": r.randrange(0, 400), **(
            {"answer": a} if (a := r.choice(ANSWERS)) is not None else {})} for _ in range(r.randrange(0, 5))]
        for entry in path:
            if r.random() < 0.15:
                entry["back"] = True  # the technician went back from this step
        end = start + timedelta(seconds=sum(p["seconds"] for p in path) + r.randrange(0, 90))
        outcome = r.choice(("resolved", "resolved", "escalated", "abandoned", "unresolved"))
        session = self.uid()
        self.sessions.append(session)
        ev.update({"session_id": session, "protocol_id": r.choice(PROTOCOLS), "protocol_version": "v1",
                   "started_at": self.ts(start), "ended_at": self.ts(end), "outcome": outcome, "path": path,
                   "ts": self.ts(end)})
        optional: dict[str, Any] = {
            "ticket_ref": r.choice(self.tickets), "channel": r.choice(("phone", "chat", "remote", "email")),
            "technician": r.choice(TECHNICIANS), "cause": r.choice(("DNS", "Cable")),
            "resolved_step": r.choice(STEPS), "practice": r.random() < 0.3,
            "articles_used": [r.choice(ARTICLES) for _ in range(r.randrange(0, 3))],
            "contact_at": self.ts(start - timedelta(seconds=r.randrange(0, 3000))),
        }
        for key, value in optional.items():
            if r.random() < 0.6:
                ev[key] = value
        return ev

    def other(self) -> dict[str, Any]:
        r = self.r
        kind = r.choice(("view", "view", "feedback", "feedback", "search", "article_used", "csat", "delivery"))
        ev = self.base(kind)
        if kind == "view":
            if r.random() < 0.7:
                ev["article_id"] = r.choice(ARTICLES)
            else:
                ev["protocol_id"] = r.choice(PROTOCOLS)
        elif kind == "feedback":
            ev["article_id"] = r.choice(ARTICLES)
            ev["helpful"] = r.choice((True, False, None))
            if r.random() < 0.5:
                ev["rating"] = r.randrange(1, 6)
            if ev["helpful"] is False and r.random() < 0.7:
                ev["reason"] = r.choice(("outdated", "unclear", "did_not_work", "missing_info", "other"))
            if r.random() < 0.3:
                ev["comment"] = r.choice(("no entiendo", "<b>mal</b>", "ok"))
            if r.random() < 0.3:
                ev["by_technician"] = True
        elif kind == "search":
            ev.update(query=r.choice(QUERIES), results=r.choice((0, 0, 1, 5)))
            if ev["results"] and str(ev["query"]).startswith("No"):  # "no navega" is clicked, often enough
                ev["clicked"] = "cable-suelto"
        elif kind == "article_used":
            ev["article_id"] = r.choice(ARTICLES)
            if r.random() < 0.5:
                ev["ticket_ref"] = r.choice(self.tickets)
            elif r.random() < 0.5 and self.sessions:
                ev["session_id"] = r.choice(self.sessions)
            if r.random() < 0.7:
                ev["technician"] = r.choice(("ana", "ANA", "ben"))
        elif kind == "delivery":  # a ticket note or follow-up e-mail sent by the service
            ev.update(session_id=self.sessions[-1] if self.sessions else self.uid(), kind=r.choice(("note", "mail")),
                      channel=r.choice(("rt", "smtp")), attempts=r.randrange(1, 4),
                      outcome=r.choice(("delivered", "delivered", "failed")))
            if ev["outcome"] == "failed":
                ev["error"] = "timeout"
        else:
            ev["session_id"] = r.choice(self.sessions) if self.sessions and r.random() < 0.8 else self.uid()
            ev["rating"] = r.randrange(1, 6)
        return ev

    def events(self, n: int) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            out.append(self.run() if self.r.random() < 0.35 else self.other())
        # one CSAT answer per session at most (a session is one run)
        seen: set[str] = set()
        unique = []
        for ev in out:
            if ev["type"] == "csat":
                if ev["session_id"] in seen:
                    continue
                seen.add(ev["session_id"])
            unique.append(ev)
        return unique


def generated_events(seed: int, n: int = 400) -> list[dict[str, Any]]:
    return Gen(seed).events(n)
