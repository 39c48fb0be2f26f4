"""Report benchmark (not a timed test): `kb report` over 1,000,000 stored events, SQLite and PostgreSQL.

1. A seeded synthetic generator makes a year of activity against the repository's starter content
   (``kb/`` and ``protocols/``; ids, URLs, versions and steps from
   ``generator.report.build.content_manifest``, the decision graph of each protocol from its model):
   views, searches (some with no result), feedback (yes/no with reasons, ratings, comments),
   protocol runs (valid walks through each protocol's steps, answers and seconds, realistic outcomes,
   ticket refs that sometimes come back within 7 days, channels, technicians, practice runs),
   ``article_used`` links sent with the runs (and some from article pages), CSAT answers tied to
   earlier runs' session ids; anonymous ``client`` ids with returning visitors. Weekday/weekend,
   holiday and business-hour rhythms; steady adoption growth over the year.
2. The events are loaded with the stores' own ``insert()`` in batches into SQLite (a data folder
   under ``--out``) and into a fresh database of a throwaway PostgreSQL cluster started here
   (Debian's packages, ``initdb``/``pg_ctl`` as in tests/service/conftest.py). Loading is timed apart.
3. ``kb report --db URL --data-dir DIR --root . --out DIR --today 2026-11-23`` runs as a child
   process per backend, ``--repeat`` times (backends alternate); wall time around the child and its
   peak RSS (``ru_maxrss`` from ``os.wait4``) are measured.
4. Results go to ``<out>/report/results.json`` and ``<out>/report.md`` (a ``## Report`` section).
   When the target (<= 30 s, <= 1 GB) is missed, or with ``--profile``, one cProfile run per backend
   is made and its hotspots are listed.

    python bench/report.py --events 1000000 --out bench/out
    python bench/report.py --events 1000000 --out bench/out --code HEAD   # measure a committed revision
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from bisect import bisect
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from itertools import accumulate, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.model.manifest import Manifest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TODAY = "2026-11-23"
RSS_TARGET_MB = 300
WALL_TARGET_S = 60.0
ENGINES = ("sql", "python")  # kb report --engine: SQL in the store, or the in-Python reference
CLK_TCK = os.sysconf("SC_CLK_TCK")
CODE = {"source": "working tree"}

# --------------------------------------------------------------------------- synthetic events

MIX = (("view", 0.55), ("search", 0.15), ("feedback", 0.10), ("protocol_run", 0.12), ("article_used", 0.05),
       ("csat", 0.03))
TECHNICIANS = ("ana.garcia", "luis.martin", "marta.lopez", "jorge.sanchez", "carmen.ruiz", "pablo.diaz",
               "lucia.moreno", "david.munoz", "sara.alonso", "javier.gomez", "elena.navarro", "raul.torres",
               "irene.dominguez", "sergio.vazquez", "nuria.ramos", "alberto.gil", "paula.serrano",
               "diego.blanco", "laura.molina", "hugo.castro", "clara.ortega", "ivan.rubio", "rosa.marin",
               "oscar.sanz")
# (query, typical results); results 0 = a gap in the content
QUERIES = (("no navega", 6), ("sin internet", 5), ("wifi no conecta", 4), ("contraseña caducada", 3),
           ("cuenta bloqueada", 2), ("código mfa", 3), ("no llega el código", 2), ("impresora no imprime", 5),
           ("cola de impresión", 2), ("impresora predeterminada", 1), ("vpn no conecta", 4),
           ("vpn certificado", 2), ("correo móvil", 3), ("outlook móvil", 2), ("ordenador lento", 4),
           ("disco lleno", 2), ("actualizaciones", 3), ("no me oyen", 3), ("cámara no funciona", 3),
           ("micrófono", 4), ("videoconsulta", 3), ("telemedicina acceso", 2), ("dns", 3), ("router", 2),
           ("teams cámara", 2), ("wifi invitados", 1), ("reiniciar router", 2), ("toner", 1),
           ("permisos cámara navegador", 2), ("reloj del móvil", 1))
GAPS = ("impresora 3d", "escáner no funciona", "teams grabación", "firma digital", "certificado fnmt",
        "onedrive no sincroniza", "pantalla azul", "bluetooth auriculares", "excel se cierra", "monitor externo",
        "proyector aula", "zoom pantalla compartida", "cambiar idioma teclado", "wifi eduroam", "usb no reconoce")
COMMENTS_NO = ("No me funcionó el paso del router; tuve que llamar.", "Las capturas no coinciden con mi versión.",
               "No explica qué hacer si no tengo permisos de administrador.", "Demasiado técnico para mí.",
               "El enlace del final no funciona.", "En mi móvil el menú es distinto.",
               "Faltan los pasos para macOS.", "He seguido todo y sigue igual <b>sin conexión</b>.")
COMMENTS_YES = ("Muy claro, gracias.", "Resuelto en dos minutos.", "Me ha ahorrado una llamada.",
                "Perfecto, funcionó a la primera.", "Útil, aunque el paso 3 podría ser más corto.")
CSAT_COMMENTS = ("Muy amable y rápido.", "Tardaron en atenderme.", "Me lo resolvieron a la primera.",
                 "Tuve que llamar dos veces.", "Todo bien, gracias.", "No se ha solucionado.")
REASONS = (("outdated", 20), ("unclear", 30), ("did_not_work", 30), ("missing_info", 15), ("other", 5))
CHANNELS = {"phone": 45, "chat": 30, "remote": 15, "email": 10}
OUTCOMES = ("resolved", "escalated", "abandoned", "unresolved")
# UTC hours (Spain is UTC+1/+2): the working day, a lunch dip, a little evening traffic
HOURS = (0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 2.0, 4.5, 7.0, 7.5, 7.5, 6.5, 5.0, 5.5, 6.5, 6.5, 5.5, 4.0, 2.8, 2.2, 1.8,
         1.2, 0.7, 0.4)
HOURS_WEEKEND = (0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 0.8, 1.5, 2.5, 3.5, 4.0, 4.0, 3.5, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0,
                 3.0, 2.5, 2.0, 1.5, 0.8)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (rank ** s) for rank in range(1, n + 1)]


@dataclass
class Walk:
    steps: list[tuple[str, str | None]]  # (step id, answer label or None at an ending)
    ending: str  # resolved | escalated
    text: str  # the cause or the escalation target
    weight: float
    resolved_step: str


@dataclass
class Proto:
    pid: str
    url: str
    version: str
    audience: str
    channels: list[str]
    step_articles: dict[str, list[str]]
    walks: dict[str, list[Walk]]  # ending -> walks
    cum: dict[str, list[float]]  # ending -> cumulative weights
    outcome_cum: list[float] = field(default_factory=list)


def protocol_walks(model: Any, known_steps: set[str]) -> list[Walk]:
    """Every simple path from the start step to an ending, weighted as a random walk (earlier options likelier)."""
    steps = {s.id: s for s in model.steps}
    out: list[Walk] = []

    def visit(sid: str, acc: list[tuple[str, str | None]], weight: float) -> None:
        step = steps[sid]
        if step.resolve or step.escalate or not step.options:
            ending = "resolved" if step.resolve or not step.escalate else "escalated"
            out.append(Walk([*acc, (sid, None)], ending, step.resolve or step.escalate or "", weight, sid))
            return
        opt_w = [0.6 ** i for i in range(len(step.options))]
        total = sum(opt_w)
        for opt, w in zip(step.options, opt_w, strict=True):
            p = weight * w / total
            if opt.next:
                if opt.next == sid or any(opt.next == a for a, _ in acc):
                    continue
                visit(opt.next, [*acc, (sid, opt.label)], p)
            else:
                ending = "escalated" if opt.escalate else "resolved"
                out.append(Walk([*acc, (sid, opt.label)], ending, opt.resolve or opt.escalate or "", p, sid))

    visit(model.start, [], 1.0)
    for w in out:
        missing = [s for s, _ in w.steps if s not in known_steps]
        if missing:
            raise SystemExit(f"protocol {model.id}: steps {missing} are not in the manifest")
    return out


class Synth:
    """A deterministic year of events over the repository's content."""

    def __init__(self, root: Path, total: int, seed: int, today: date) -> None:
        from generator.pipeline.validation import validate_tree
        from generator.report.build import content_manifest

        self.rng = random.Random(seed)
        rng = self.rng
        self.total = total
        self.manifest = content_manifest(root, today)
        catalog = validate_tree(root, today).catalog
        arts = sorted(self.manifest.articles.items())
        if not arts or not self.manifest.protocols:
            raise SystemExit("the manifest lists no articles or no protocols")
        self.article_url = {aid: a.url for aid, a in arts}
        order = [aid for aid, _ in arts]
        rng.shuffle(order)
        self.articles = order
        self.article_cum = list(accumulate(zipf_weights(len(order), 0.9)))
        # how helpful each article is: a few poor ones make the "fix next" list meaningful
        self.helpful_p = {aid: rng.choice((0.92, 0.85, 0.8, 0.75, 0.7, 0.6, 0.45, 0.3)) for aid in order}
        self.protos: list[Proto] = []
        for pid, info in sorted(self.manifest.protocols.items()):
            model = catalog.protocol_by_id[pid].model
            walks = protocol_walks(model, set(info.steps))
            by_end: dict[str, list[Walk]] = {"resolved": [], "escalated": []}
            for w in walks:
                by_end[w.ending].append(w)
            by_end["any"] = walks
            self.protos.append(Proto(
                pid, info.url, info.version, str(model.audience),
                [c for c in model.channels] or list(CHANNELS),
                {s.id: [a for a in s.articles if a in self.article_url] for s in model.steps},
                by_end, {k: list(accumulate(w.weight for w in v)) for k, v in by_end.items()}))
        rng.shuffle(self.protos)
        self.proto_cum = list(accumulate(zipf_weights(len(self.protos), 0.8)))
        for i, p in enumerate(self.protos):
            weights = [63, 19, 10, 8]
            if i == 2:  # one protocol where people get stuck
                weights = [50, 14, 28, 8]
            if not p.walks["escalated"]:
                weights[0] += weights[1]
                weights[1] = 0
            p.outcome_cum = list(accumulate(weights))
        self.self_outcome_cum = list(accumulate([55, 10, 25, 10]))
        self.tech_cum = list(accumulate(zipf_weights(len(TECHNICIANS), 0.5)))
        self.tech_client = {t: self.uuid() for t in TECHNICIANS}
        self.kinds = [k for k, _ in MIX]
        self.kind_cum = list(accumulate(w for _, w in MIX))
        self.query_cum = list(accumulate(zipf_weights(len(QUERIES), 0.9)))
        self.gap_cum = list(accumulate(zipf_weights(len(GAPS), 1.1)))
        # visitors: a core of regulars plus a stream of new browsers, recent ones likelier to return
        self.regulars = [self.uuid() for _ in range(3000)]
        self.recent: list[str] = []
        self.recent_pos = 0
        self.recent_cap = 40000
        self.tickets: deque[tuple[datetime, str, str]] = deque()  # (time, ticket, last outcome), last 14 days
        self.ticket_seq = 100000
        self.pending_csat: list[tuple[datetime, str, str, bool]] = []  # (end, session, outcome, has client)
        self.link_queue: deque[dict[str, Any]] = deque()
        self.generated: Counter[str] = Counter()
        self.fallbacks = 0

    # ---- helpers
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pick(self, items: Any, cum: list[float]) -> Any:
        return items[bisect(cum, self.rng.random() * cum[-1])]

    def article(self) -> str:
        return str(self.pick(self.articles, self.article_cum))

    def client(self) -> str | None:
        r = self.rng.random()
        if r < 0.04:
            return None  # localStorage blocked
        if r < 0.40 or not self.recent:
            new = self.uuid()
            if len(self.recent) < self.recent_cap:
                self.recent.append(new)
            else:
                self.recent[self.recent_pos] = new
                self.recent_pos = (self.recent_pos + 1) % self.recent_cap
            return new
        if r < 0.55:
            return str(self.rng.choice(self.regulars))
        n = len(self.recent)
        back = int(n * self.rng.random() ** 3)  # recency-biased: most come back soon
        return self.recent[(self.recent_pos - 1 - back) % n if n == self.recent_cap else n - 1 - back]

    def technician(self) -> str:
        return str(self.pick(TECHNICIANS, self.tech_cum))

    def base(self, kind: str, t: datetime, page: str, client: str | None) -> dict[str, Any]:
        ev: dict[str, Any] = {"id": self.uuid(), "type": kind, "ts": iso(t), "page": page}
        if client:
            ev["client"] = client
        return ev

    # ---- the calendar
    def day_counts(self, start: date, days: int) -> list[int]:
        rng = random.Random(self.rng.random())
        weights = []
        for i in range(days):
            d = start + timedelta(days=i)
            w = (0.7 + 0.5 * i / days) * (1.0 if d.weekday() < 5 else 0.35 if d.weekday() == 5 else 0.25)
            if d.month == 8:
                w *= 0.55
            if (d.month == 12 and d.day >= 22) or (d.month == 1 and d.day <= 6):
                w *= 0.5
            if (d.month, d.day) in ((1, 1), (5, 1), (10, 12), (12, 25), (12, 8), (11, 1)):
                w *= 0.3
            weights.append(w * rng.uniform(0.9, 1.1))
        total_w = sum(weights)
        raw = [self.total * w / total_w for w in weights]
        counts = [int(x) for x in raw]
        for i in sorted(range(days), key=lambda i: counts[i] - raw[i])[: self.total - sum(counts)]:
            counts[i] += 1
        return counts

    def events(self, start: date, days: int = 365) -> Any:
        """Yield every event, day by day, in time order within a day."""
        hour_cum = list(accumulate(HOURS))
        hour_cum_we = list(accumulate(HOURS_WEEKEND))
        for i, n in enumerate(self.day_counts(start, days)):
            d = start + timedelta(days=i)
            midnight = datetime(d.year, d.month, d.day, tzinfo=UTC)
            cum = hour_cum if d.weekday() < 5 else hour_cum_we
            times = sorted(midnight + timedelta(hours=bisect(cum, self.rng.random() * cum[-1]),
                                                seconds=self.rng.random() * 3600) for _ in range(n))
            day: list[dict[str, Any]] = []
            for t in times:
                kind = self.kinds[bisect(self.kind_cum, self.rng.random() * self.kind_cum[-1])]
                ev = getattr(self, f"make_{kind}")(t)
                day.append(ev)
            day.sort(key=lambda e: e["ts"])
            for ev in day:
                self.generated[ev["type"]] += 1
            yield from day

    # ---- one event of each kind
    def make_view(self, t: datetime) -> dict[str, Any]:
        r = self.rng.random()
        if r < 0.05:
            return self.base("view", t, "/", self.client())
        if r < 0.80:
            aid = self.article()
            ev = self.base("view", t, self.article_url[aid], self.client())
            ev["article_id"] = aid
            return ev
        p = self.pick(self.protos, self.proto_cum)
        ev = self.base("view", t, p.url, self.client())
        ev["protocol_id"] = p.pid
        return ev

    def make_search(self, t: datetime) -> dict[str, Any]:
        rng = self.rng
        ev = self.base("search", t, rng.choice(("/", "/", "/", "/buscar/")), self.client())
        if rng.random() < 0.12:
            query, results = str(self.pick(GAPS, self.gap_cum)), 0
        else:
            query, typical = self.pick(QUERIES, self.query_cum)
            results = max(1, int(typical * rng.uniform(0.5, 3)))
        if rng.random() < 0.1:  # how people type: capitals, double spaces
            query = query.capitalize() if rng.random() < 0.5 else query.replace(" ", "  ", 1)
        ev.update(query=query, results=results, source="static" if rng.random() < 0.9 else "server")
        if results and rng.random() < 0.55:
            ev["clicked"] = self.article_url[self.article()]
        return ev

    def make_feedback(self, t: datetime) -> dict[str, Any]:
        rng = self.rng
        aid = self.article()
        by_tech = rng.random() < 0.12
        ev = self.base("feedback", t, self.article_url[aid],
                       self.tech_client[self.technician()] if by_tech else self.client())
        ev["article_id"] = aid
        helpful = None
        if rng.random() < 0.92:
            helpful = rng.random() < self.helpful_p[aid]
            ev["helpful"] = helpful
            if helpful is False and rng.random() < 0.75:
                ev["reason"] = self.pick([r for r, _ in REASONS], list(accumulate(w for _, w in REASONS)))
        if rng.random() < 0.35 or (helpful is None and rng.random() < 0.6):
            good = helpful if helpful is not None else rng.random() < 0.7
            ev["rating"] = self.pick((5, 4, 3, 2, 1), list(accumulate((55, 30, 10, 3, 2) if good else
                                                                        (2, 8, 25, 35, 30))))
        if rng.random() < 0.07 or ("helpful" not in ev and "rating" not in ev):
            ev["comment"] = rng.choice(COMMENTS_NO if helpful is False else COMMENTS_YES)
        if by_tech:
            ev["by_technician"] = True
        return ev

    def ticket(self, t: datetime) -> str:
        while self.tickets and self.tickets[0][0] < t - timedelta(days=14):
            self.tickets.popleft()
        r = self.rng.random()
        if self.tickets and r < 0.10:  # the customer comes back about the same problem
            week = [x for x in islice(reversed(self.tickets), 400) if x[0] >= t - timedelta(days=7)]
            open_ = [x for x in week if x[2] != "resolved"]
            pool = open_ if open_ and self.rng.random() < 0.7 else week or list(islice(reversed(self.tickets), 400))
            return pool[self.rng.randrange(len(pool))][1]
        if self.tickets and r < 0.12:  # ... or after more than a week
            old = [x for x in islice(self.tickets, 400) if x[0] < t - timedelta(days=7)]
            if old:
                return old[self.rng.randrange(len(old))][1]
        self.ticket_seq += 1
        return f"INC-{self.ticket_seq}"

    def make_protocol_run(self, t: datetime) -> dict[str, Any]:
        rng = self.rng
        p: Proto = self.pick(self.protos, self.proto_cum)
        if p.audience == "technician":
            mode = "technician"
        elif p.audience == "end-user":
            mode = "self-service"
        else:
            mode = "technician" if rng.random() < 0.85 else "self-service"
        tech = mode == "technician"
        practice = tech and rng.random() < 0.035
        outcome = OUTCOMES[bisect(p.outcome_cum if tech else self.self_outcome_cum,
                                  rng.random() * (p.outcome_cum if tech else self.self_outcome_cum)[-1])]
        if outcome in ("resolved", "escalated") and p.walks[outcome]:
            walk: Walk = self.pick(p.walks[outcome], p.cum[outcome])
            steps = list(walk.steps)
        else:
            walk = self.pick(p.walks["any"], p.cum["any"])
            k = rng.randint(1, max(1, len(walk.steps) - 1)) if len(walk.steps) > 1 else 1
            steps = list(walk.steps[:k])
            last_step, last_answer = steps[-1]
            steps[-1] = (last_step, None if outcome == "abandoned" else last_answer)
            if outcome == "resolved":  # no walk of that kind: keep it, but it stays unresolved
                outcome = "unresolved"
        path = []
        for sid, answer in steps:
            secs = int(min(1800, max(3, rng.lognormvariate(math.log(55), 0.8)))) if answer else rng.randint(0, 25)
            entry: dict[str, Any] = {"step": sid, "seconds": secs}
            if answer:
                entry["answer"] = answer
            path.append(entry)
        started = t - timedelta(seconds=sum(e["seconds"] for e in path) + rng.randint(5, 90))
        session = self.uuid()
        technician = self.technician() if tech else None
        ev = self.base("protocol_run", t, p.url, self.tech_client[technician] if technician else self.client())
        ev.update(session_id=session, protocol_id=p.pid, protocol_version=p.version, started_at=iso(started),
                  ended_at=iso(t), outcome=outcome, path=path,
                  customer_level="basic" if rng.random() < 0.7 else "advanced", mode=mode)
        if outcome == "resolved":
            ev.update(resolved_step=walk.resolved_step, cause=walk.text)
        elif outcome == "escalated":
            ev["escalated_to"] = walk.text
        used: list[str] = []
        if tech:
            allowed = [c for c in p.channels if c in CHANNELS] or list(CHANNELS)
            channel = self.pick(allowed, list(accumulate(CHANNELS[c] for c in allowed)))
            ev.update(channel=channel, technician=technician)
            if rng.random() < 0.7:
                wait = rng.uniform(1800, 72000) if channel == "email" else rng.lognormvariate(math.log(90), 1.0)
                ev["contact_at"] = iso(started - timedelta(seconds=min(wait, 86400)))
            if not practice and rng.random() < 0.88:
                ticket = self.ticket(t)
                ev["ticket_ref"] = ticket
                self.tickets.append((t, ticket, outcome))
            if not practice:
                seen = dict.fromkeys(a for sid, _ in steps for a in p.step_articles.get(sid, []))
                used = [a for a in seen if rng.random() < 0.45]
                if rng.random() < 0.05:
                    extra = self.article()
                    if extra not in used:
                        used.append(extra)
        if used:
            ev["articles_used"] = used
        if practice:
            ev["practice"] = True
        elif tech:
            self.pending_csat.append((t, session, outcome, True))
            for aid in used:  # the runner sends one article_used per linked article with the run
                link: dict[str, Any] = {"id": self.uuid(), "type": "article_used", "ts": ev["ts"], "page": p.url,
                                        "client": ev["client"], "article_id": aid, "technician": technician,
                                        "session_id": session}
                if ev.get("ticket_ref"):
                    link["ticket_ref"] = ev["ticket_ref"]
                self.link_queue.append(link)
        return ev

    def make_article_used(self, t: datetime) -> dict[str, Any]:
        if self.link_queue:
            return self.link_queue.popleft()
        # linked from the article page in technician mode: a ticket, no run
        technician = self.technician()
        aid = self.article()
        ev = self.base("article_used", t, self.article_url[aid], self.tech_client[technician])
        ev.update(article_id=aid, technician=technician, ticket_ref=self.ticket(t))
        return ev

    def make_csat(self, t: datetime) -> dict[str, Any]:
        rng = self.rng
        pool = self.pending_csat
        cut = 0
        while cut < len(pool) and pool[cut][0] < t - timedelta(days=3):
            cut += 1
        if cut:
            del pool[:cut]
        if not pool:
            self.fallbacks += 1
            return self.make_view(t)
        i = len(pool) - 1 - int(len(pool) * rng.random() ** 2) if len(pool) > 1 else 0
        _, session, outcome, _ = pool.pop(i)
        weights = {"resolved": (50, 30, 10, 6, 4), "escalated": (15, 30, 30, 15, 10),
                   "abandoned": (5, 10, 25, 30, 30), "unresolved": (5, 10, 20, 30, 35)}[outcome]
        ev = self.base("csat", t, "/satisfaccion/", self.client())
        ev.update(session_id=session, rating=self.pick((5, 4, 3, 2, 1), list(accumulate(weights))))
        if rng.random() < 0.12:
            ev["comment"] = rng.choice(CSAT_COMMENTS)
        return ev


def check_sample(events: list[dict[str, Any]], known: Manifest) -> None:
    """The events must pass the service's own event contract (types, lengths, known ids)."""
    from generator.service.events import _ADAPTER, _known

    for ev in events:
        _ADAPTER.validate_python(ev)
        problems = _known(ev, known)
        if problems:
            raise SystemExit(f"generated an event the service would refuse: {problems} in {ev}")


# --------------------------------------------------------------------------- processes, CPU, PostgreSQL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine_busy() -> float:
    """CPU seconds all processes have used since boot (idle and iowait left out)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLK_TCK


def proc_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        f = raw[raw.rindex(")") + 2:].split()
        total += (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / CLK_TCK  # with reaped children
    return total


def children_of(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            kids.setdefault(int(raw[raw.rindex(")") + 2:].split()[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _ticks(path: str, own: bool = True) -> float:
    """CPU seconds of a /proc stat file (a process or one of its threads); ``own``: without reaped children."""
    try:
        raw = Path(path).read_text()
    except OSError:
        return -1.0
    f = raw[raw.rindex(")") + 2:].split()
    return (int(f[11]) + int(f[12]) + (0 if own else int(f[13]) + int(f[14]))) / CLK_TCK


class CriticalPath:
    """Samples, every 0.2 s while `kb report` runs, the CPU of each of its threads and of each PostgreSQL
    backend, to tell the CPU on the report's longest path: its threads other than the main one are the
    query lanes (generator/report/lanes.py) that run side by side, so on an idle machine with a core per
    lane the wall time is about the main thread's CPU + the busiest lane's (+ the busiest backend's).
    On a shared machine the wall time is not: this is the number to hold against the target there."""

    def __init__(self, launcher: int, postmaster: int | None) -> None:
        self.launcher, self.postmaster = launcher, postmaster
        self.threads: dict[tuple[int, int], float] = {}
        self.backends0 = self._backends()
        self.backends: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _backends(self) -> dict[int, float]:
        if self.postmaster is None:
            return {}
        return {pid: _ticks(f"/proc/{pid}/stat") for pid in children_of(self.postmaster)[1:]}

    def _loop(self) -> None:
        while not self.stop.wait(0.2):
            for pid in children_of(self.launcher)[1:]:
                with contextlib.suppress(OSError):
                    for tid in os.listdir(f"/proc/{pid}/task"):
                        cpu = _ticks(f"/proc/{pid}/task/{tid}/stat")
                        if cpu >= 0:
                            self.threads[(pid, int(tid))] = cpu
            for pid, cpu in self._backends().items():
                if cpu >= 0:
                    self.backends[pid] = cpu - self.backends0.get(pid, 0.0)

    def seconds(self, total_cpu: float) -> float:
        """The main thread's CPU (the process's minus its other threads') + the busiest other thread's
        + the busiest backend's."""
        self.stop.set()
        self.thread.join()
        others = [cpu for (pid, tid), cpu in self.threads.items() if pid != tid]
        return total_cpu - sum(others) + max(others, default=0.0) + max(self.backends.values(), default=0.0)


def wait_for_quiet(limit_s: float, threshold: float = 0.25) -> float:
    """Wait (up to ``limit_s``) until other processes use under ``threshold`` CPUs; other benchmarks share the box."""
    deadline = time.monotonic() + limit_s
    while True:
        b0 = machine_busy()
        time.sleep(2.0)
        load = (machine_busy() - b0) / 2.0
        if load < threshold or time.monotonic() >= deadline:
            return load
        print(f"    waiting for a quieter machine (other processes use {load:.2f} CPUs)...", flush=True)


class Postgres:
    """A throwaway cluster from Debian's packages (as tests/service/conftest.py starts it)."""

    def __init__(self, base: Path, reuse: bool = False) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise SystemExit("PostgreSQL is not installed: run scripts/test-deps (Debian package postgresql)")
        self.bindir = Path(bins[-1]).parent
        self.base = base
        self.as_root = os.geteuid() == 0
        if reuse:
            if not (base / "data" / "PG_VERSION").is_file():
                raise SystemExit(f"--reuse: no kept PostgreSQL cluster in {base} (run once with --keep)")
        else:
            if base.exists():
                shutil.rmtree(base)
            base.mkdir(parents=True)
            if self.as_root:
                shutil.chown(base, "postgres", "postgres")
        self.port = free_port()
        if not reuse:
            self.run(str(self.bindir / "initdb"), "-D", str(base / "data"), "-A", "trust", "-U", "kb", "-E", "UTF8",
                     "--no-sync")
        # defaults otherwise (fsync on, shared_buffers 128MB, work_mem 4MB): an untuned server
        self.options = f"-p {self.port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=50"
        self.run(str(self.bindir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "log"), "-w",
                 "-o", self.options, "start")
        self.admin = f"postgresql://kb@127.0.0.1:{self.port}/postgres"
        self.version = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True,
                                      text=True).stdout.strip()
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            if not reuse:
                conn.execute("CREATE DATABASE kbbench")
            self.settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                             for name in ("shared_buffers", "work_mem", "fsync", "synchronous_commit")}
        self.url = f"postgresql://kb@127.0.0.1:{self.port}/kbbench"

    def run(self, *cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else list(cmd)
        done = subprocess.run(full, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(full)} failed:\n{done.stdout}{done.stderr}")

    def postmaster(self) -> int:
        return int((self.base / "data" / "postmaster.pid").read_text().split()[0])

    def stop(self, keep: bool = False) -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "-w", "stop")
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


# --------------------------------------------------------------------------- load


def _produce(synth: Synth, batch: int, queue: Any) -> None:
    """The generator's process: batches of events into ``queue``, then None and the generator's counters."""
    start = date.fromisoformat(TODAY) - timedelta(days=365)
    buf: list[dict[str, Any]] = []
    t0 = time.process_time()
    for ev in synth.events(start):
        buf.append(ev)
        if len(buf) >= batch:
            queue.put(buf)
            buf = []
    if buf:
        queue.put(buf)
    queue.put(None)
    queue.put((dict(synth.generated), synth.fallbacks, time.process_time() - t0))


def load(synth: Synth, stores: dict[str, Any], batch: int, sample_every: int) -> dict[str, Any]:
    """Insert every event into every store, batch by batch, with the stores' own ``insert()`` (one transaction
    per batch); time each store's insert() apart. The events are generated in a second process while the
    stores insert the previous batches, and the stores insert each batch at the same time (a thread each:
    SQLite and the PostgreSQL server both work outside the GIL)."""
    import multiprocessing
    from concurrent.futures import ThreadPoolExecutor

    seconds = dict.fromkeys(stores, 0.0)
    new = dict.fromkeys(stores, 0)
    sample: list[dict[str, Any]] = []
    first_of: set[str] = set()
    n = 0

    def insert(name: str, events: list[dict[str, Any]]) -> None:
        if name == "sqlite":  # this thread's connection: 1 GiB of page cache while loading (random ids)
            stores[name]._conn().execute("PRAGMA cache_size=-1048576")
        t0 = time.perf_counter()
        added, dups = stores[name].insert(events)
        seconds[name] += time.perf_counter() - t0
        new[name] += added
        if dups:
            raise SystemExit(f"{name}: {dups} duplicate ids in a batch (the generator repeats ids?)")

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue(maxsize=4)
    producer = ctx.Process(target=_produce, args=(synth, batch, queue), daemon=True)
    t_start = time.perf_counter()
    producer.start()
    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        while (events := queue.get()) is not None:
            for ev in events:
                n += 1
                if n % sample_every == 0 or ev["type"] not in first_of:
                    first_of.add(ev["type"])
                    sample.append(ev)
            for done in [pool.submit(insert, name, events) for name in stores]:
                done.result()
            if n % 100_000 < batch:
                print(f"    {n:,} events loaded ({', '.join(f'{k} {v:.0f} s' for k, v in seconds.items())})",
                      flush=True)
    mix, fallbacks, gen_cpu = queue.get()
    producer.join()
    wall = time.perf_counter() - t_start
    t0 = time.perf_counter()
    check_sample(sample, synth.manifest)
    check_s = time.perf_counter() - t0
    return {"events": n, "new": new, "insert_s": seconds, "generate_s": gen_cpu, "load_wall_s": wall,
            "checked": len(sample), "check_s": check_s, "mix": mix, "csat_fallbacks": fallbacks}


def copy_to_postgres(sqlite_path: Path, pg_url: str) -> float:
    """Copy the loaded SQLite store's rows (events with their fact columns, runs, path entries) into the
    PostgreSQL store: ``sqlite3 -csv`` piped into ``COPY ... FROM STDIN`` (C on both ends). The same rows
    as the store's ``insert()`` writes (tests/report/test_sql_parity.py compares the two inserts' reports)."""
    from generator.store import COLUMNS, facts

    t0 = time.perf_counter()
    for table, columns in (("events", COLUMNS), ("runs", facts.RUN_COLUMNS), ("run_steps", facts.STEP_COLUMNS)):
        cols = ", ".join(columns)
        export = subprocess.Popen(["sqlite3", "-csv", "-nullvalue", "\\N", str(sqlite_path),
                                   f"SELECT {cols} FROM {table}"], stdout=subprocess.PIPE)
        copy = subprocess.run(["psql", pg_url, "-v", "ON_ERROR_STOP=1", "-qc",
                               f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"],
                              stdin=export.stdout, capture_output=True, text=True)
        if export.stdout:
            export.stdout.close()
        if export.wait() != 0 or copy.returncode != 0:
            raise SystemExit(f"copying {table} to PostgreSQL failed: {copy.stderr[-2000:]}")
    return time.perf_counter() - t0


def replicate(path: Path, target: int, suffix: str = "~2") -> dict[str, Any]:
    """Fill the SQLite store at ``path`` up to ``target`` events with a copy, made in SQL, of its earliest
    events: new event ids, anonymous clients, session ids and ticket refs (``suffix`` added), in the JSON and
    in the fact columns alike; runs and path entries copied with them. A second help desk of the same
    size and habits over the same days (used when generating every event in Python does not fit the time)."""
    from generator.store import COLUMNS, facts

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA cache_size=-1048576")
    have = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    need = target - have
    if need <= 0:
        return {"copied": 0}
    t0 = time.perf_counter()
    changed = {"id": "id || :s", "session_id": "session_id || :s", "client": "client || :s",
               "ticket_ref": "ticket_ref || :s",
               "payload": "json_replace(payload, '$.id', id || :s, '$.client', client || :s, "
                          "'$.session_id', session_id || :s, '$.ticket_ref', ticket_ref || :s)"}
    run_changed = {"id": "r.id || :s", "session_id": "r.session_id || :s", "ticket": "r.ticket || :s"}
    conn.execute("BEGIN")
    conn.execute(f"INSERT INTO events ({', '.join(COLUMNS)}) SELECT {', '.join(changed.get(c, c) for c in COLUMNS)} "
                 "FROM events WHERE rowid <= :n", {"s": suffix, "n": need})
    conn.execute(f"INSERT INTO runs ({', '.join(facts.RUN_COLUMNS)}) SELECT "
                 f"{', '.join(run_changed.get(c, 'r.' + c) for c in facts.RUN_COLUMNS)} FROM runs r "
                 "JOIN events e ON e.id = r.id WHERE e.rowid <= :n", {"s": suffix, "n": need})
    conn.execute(f"INSERT INTO run_steps ({', '.join(facts.STEP_COLUMNS)}) SELECT "
                 f"{', '.join('p.run || :s' if c == 'run' else 'p.' + c for c in facts.STEP_COLUMNS)} FROM run_steps p "
                 "JOIN events e ON e.id = p.run WHERE e.rowid <= :n", {"s": suffix, "n": need})
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"generated": have, "copied": need, "copy_s": time.perf_counter() - t0}


def index_statements() -> list[str]:
    """Every CREATE INDEX of the stores' migrations (the same text on SQLite and PostgreSQL)."""
    from generator.store import facts, sqlite

    text = str(sqlite.MIGRATIONS[0]) + facts.INDEXES
    return [" ".join(st.split()) for st in text.split(";") if st.strip().startswith("CREATE INDEX")]


def reindex(store: Any) -> None:
    """Rebuild the report's covering indexes (``facts.INDEXES``) of a kept store: data loaded by an earlier
    revision of the schema, measured with the current one."""
    from generator.store import facts

    for sql in (" ".join(st.split()) for st in facts.INDEXES.split(";") if st.strip()):
        store_sql(store, f"DROP INDEX IF EXISTS {sql.split()[2]}")
        store_sql(store, sql)
    store_sql(store, "ANALYZE" if hasattr(store, "pool") else "PRAGMA wal_checkpoint(TRUNCATE)")


def store_sql(store: Any, sql: str) -> Any:
    """One statement on a store's own connection (SQLite: this thread's; PostgreSQL: a pooled one)."""
    if hasattr(store, "pool"):
        with store.pool.connection() as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if sql.lstrip().upper().startswith("SELECT") else None
    cur = store._conn().execute(sql)
    return cur.fetchall()


def drop_indexes(store: Any) -> list[str]:
    """Drop the secondary indexes of a fresh store before a bulk load; their CREATE statements, to build each
    once after it (a sort) instead of inserting 10 million random keys into each."""
    if hasattr(store, "pool"):
        rows = store_sql(store, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                                "tablename IN ('events', 'runs', 'run_steps') AND indexname NOT LIKE '%pkey'")
    else:
        rows = store_sql(store, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    for name, _ in rows:
        store_sql(store, f"DROP INDEX {name}")
    return [sql for _, sql in rows]


# --------------------------------------------------------------------------- one report run


@dataclass
class Run:
    backend: str
    rep: int
    wall_s: float
    rss_mb: float
    cpu_s: float
    db_cpu_s: float
    other_load: float
    quiet_before: float
    exit_code: int
    out_dir: str
    command: str
    report_events: int | None = None
    critical_s: float | None = None  # CPU on the longest path: main thread + busiest lane (+ busiest backend)


def report_command(db_url: str, data_dir: Path, out_dir: Path, engine: str = "sql") -> list[str]:
    beside = Path(sys.executable).with_name("kb")  # the console script itself, not a pyenv shim around it
    kb = str(beside) if beside.is_file() else shutil.which("kb")
    if not kb:
        raise SystemExit("`kb` is not on PATH: pip install -e .")
    return [kb, "report", "--db", db_url, "--data-dir", str(data_dir), "--root", ".", "--out", str(out_dir),
            "--today", TODAY, "--engine", engine]


def shown(cmd: list[str]) -> str:
    """The command as a person would type it from the repository root."""
    parts = ["kb", *cmd[1:]]
    def rel(path: Path) -> str:
        return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)

    return shlex.join(p.replace(str(REPO) + "/", "") if not p.startswith("sqlite:") else
                      "sqlite:///" + rel(Path(p.removeprefix("sqlite:///"))) for p in parts)


# `kb report` is started by this small launcher, which reports the child's peak RSS and CPU: on Linux a child
# forked by this script would inherit its peak RSS (the loader's 1 GiB SQLite cache) into ru_maxrss across exec
LAUNCHER = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[2:]); _, st, ru = os.wait4(p.pid, 0); "
            "open(sys.argv[1], 'w').write(f'{ru.ru_maxrss} {ru.ru_utime} {ru.ru_stime}'); "
            "sys.exit(os.waitstatus_to_exitcode(st))")


def run_report(backend: str, rep: int, db_url: str, data_dir: Path, work: Path, quiet_wait: float,
               pg: Postgres | None) -> Run:
    """One `kb report`; ``backend`` is ``<database>/<engine>`` (sqlite/sql, postgresql/python, ...)."""
    out_dir = work / f"out-{backend.replace('/', '-')}-{rep}"
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = report_command(db_url, data_dir, out_dir, backend.split("/")[1])
    quiet = wait_for_quiet(quiet_wait)
    log = (work / f"report-{backend.replace('/', '-')}-{rep}.log").open("wb")
    db0 = proc_cpu(children_of(pg.postmaster())) if pg else 0.0
    busy0 = machine_busy()
    t0 = time.perf_counter()
    usage_file = work / "usage.txt"
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(usage_file), *cmd], cwd=REPO, stdout=log,
                            stderr=subprocess.STDOUT)
    path = CriticalPath(proc.pid, pg.postmaster() if pg else None)
    _, status, _ = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    maxrss_kb, utime, stime = (float(x) for x in usage_file.read_text().split())
    usage = argparse.Namespace(ru_maxrss=maxrss_kb, ru_utime=utime, ru_stime=stime)
    busy1 = machine_busy()
    if pg:
        time.sleep(0.5)  # let the postmaster reap the report's backend (its CPU moves to the postmaster's cutime)
    db_cpu = proc_cpu(children_of(pg.postmaster())) - db0 if pg else 0.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    cpu = usage.ru_utime + usage.ru_stime
    other = max(0.0, (busy1 - busy0 - cpu - db_cpu) / wall)
    run = Run(backend, rep, wall, usage.ru_maxrss / 1024, cpu, db_cpu, other, quiet, proc.returncode, str(out_dir),
              shown(cmd), critical_s=path.seconds(cpu))
    if proc.returncode == 0:
        report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
        run.report_events = int(report["overall"]["events"])
    print(f"    {backend} #{rep}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {run.rss_mb:.0f} MB, "
          f"db CPU {db_cpu:.1f} s, critical path {run.critical_s:.1f} s CPU, other load {other:.2f} CPUs, "
          f"exit {proc.returncode}", flush=True)
    return run


def profile(backend: str, db_url: str, data_dir: Path, work: Path) -> dict[str, Any]:
    """cProfile one `kb report`; hotspots by own time and by cumulative time."""
    out_dir = work / f"out-{backend.replace('/', '-')}-profile"
    prof = work / f"profile-{backend.replace('/', '-')}.prof"
    cmd = report_command(db_url, data_dir, out_dir, backend.split("/")[1])
    # -P: do not put the working directory first on sys.path (it would win over --code's PYTHONPATH)
    full = [sys.executable, "-P", "-m", "cProfile", "-o", str(prof), *cmd]
    t0 = time.perf_counter()
    done = subprocess.run(full, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    stats = pstats.Stats(str(prof))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"where": f"{_short(filename)}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct})
    text = io.StringIO()
    pstats.Stats(str(prof), stream=text).sort_stats("tottime").print_stats(30)
    (work / f"profile-{backend.replace('/', '-')}.txt").write_text(text.getvalue(), encoding="utf-8")
    shown_cmd = ["python", "-m", "cProfile", "-o", str(prof.relative_to(REPO)), *shlex.split(shown(cmd))]
    return {"wall_s": wall, "total_s": total, "command": shlex.join(shown_cmd),
            "by_tottime": sorted(rows, key=lambda r: -r["tottime"])[:15],
            "by_cumtime": sorted(rows, key=lambda r: -r["cumtime"])[:25]}


def memory_breakdown(data_dir: Path, events: int) -> dict[str, Any]:
    """What the report keeps in memory after reading every event: tracemalloc by source line (in-process,
    SQLite data kept by --keep). Slow (tracemalloc), so not part of the timed runs."""
    import tracemalloc

    from generator.report.build import content_manifest
    from generator.report.common import Filters
    from generator.report.metrics import Accumulator
    from generator.store import open_store

    manifest = content_manifest(REPO, date.fromisoformat(TODAY))
    store = open_store(f"sqlite:///{data_dir / 'events.sqlite3'}", data_dir)
    tracemalloc.start(1)
    acc = Accumulator(manifest, Filters())
    for ev in store.iter_events():
        acc.add(ev)
    current, _ = tracemalloc.get_traced_memory()
    top = tracemalloc.take_snapshot().statistics("lineno")[:8]
    tracemalloc.stop()
    store.close()
    lines = {}
    for st in top:
        frame = st.traceback[0]
        src = Path(frame.filename).read_text(encoding="utf-8").splitlines()[frame.lineno - 1].strip() \
            if Path(frame.filename).is_file() else ""
        lines[f"{_short(frame.filename)}:{frame.lineno}"] = {"mib": st.size / 2**20, "blocks": st.count,
                                                             "code": src[:110]}
    return {"events": events, "traced_mib": current / 2**20, "top": lines,
            "counts": {"runs": len(acc.runs), "csat": len(acc.csat), "links": len(acc.links),
                       "clients": len(acc.client_weeks)}}


def _short(filename: str) -> str:
    filename = re.sub(r"^.*/src-[0-9a-f]+/", "", filename)
    for marker in (str(REPO) + "/", "site-packages/", "/lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --------------------------------------------------------------------------- machine, code, Markdown


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def use_revision(rev: str, work: Path) -> None:
    """Measure generator/ and theme/ of a git revision (git archive), not the working tree.

    The package is installed editable; other people's uncommitted edits would otherwise change (or
    break) the code in the middle of a run. PYTHONPATH wins over the editable install for `kb`."""
    commit = _git("rev-parse", "--short", rev)
    if not commit:
        raise SystemExit(f"--code: expected a git revision, found {rev!r}")
    src = work / f"src-{commit}"
    if not (src / "generator").is_dir():
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "generator", "theme"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    sys.path.insert(0, str(src))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [os.environ.get("PYTHONPATH")])])
    CODE["source"] = f"commit {commit} (`--code {rev}`: generator/ and theme/ exported with git archive)"
    import generator.report.build

    if not Path(generator.report.build.__file__).resolve().is_relative_to(src.resolve()):
        raise SystemExit(f"--code: generator was imported from {generator.report.build.__file__}, not {src}")


def machine(pg_version: str) -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    source = CODE["source"]
    if source == "working tree":
        dirty = _git("status", "--porcelain", "--", "generator", "theme")
        source = f"working tree at {_git('rev-parse', '--short', 'HEAD')}" + (
            " (with uncommitted changes in generator/ or theme/)" if dirty else "")
    return {"nproc": str(os.cpu_count()), "ram": f"{mem_kb / 1024 / 1024:.1f} GiB", "cpu": cpu,
            "kernel": platform.release(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql": pg_version or "not run", "psycopg": metadata.version("psycopg"),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": source}


def _commit(code: str) -> str | None:
    m = re.search(r"(?:commit|at) ([0-9a-f]{7,40})", code)
    return m.group(1) if m else None


def report_code_changes(a: str, b: str) -> list[str] | None:
    """Files of the report path (generator/report, the stores, theme/report) that differ between two code
    descriptions; None when that cannot be told (no commit, uncommitted changes)."""
    if a == b:
        return []
    ca, cb = _commit(a), _commit(b)
    if not ca or not cb or "uncommitted" in a + b:
        return None
    done = subprocess.run(["git", "-C", str(REPO), "diff", "--name-only", ca, cb, "--", "generator/report",
                           "generator/store", "theme/report"], capture_output=True, text=True, check=False)
    return done.stdout.split() if done.returncode == 0 else None


def profiles_from(path: Path, events: int, code: str) -> dict[str, Any]:
    """Profiles of an earlier results.json, when it read the same events with the same report code."""
    prev = json.loads(path.read_text(encoding="utf-8"))
    changed = report_code_changes(prev["machine"]["code"], code)
    if not prev.get("profiles") or prev["load"]["events"] != events or changed is None:
        print(f"      --profiles-from {path}: not the same events, or the code cannot be compared; no profile shown",
              flush=True)
        return {}
    short = _commit(prev["machine"]["code"]) or prev["machine"]["code"]
    since = ("; changed since in the report path: " + ", ".join(f"`{f}`" for f in changed) if changed else
             "; generator/report, the stores and theme/report unchanged since")
    return {k: dict(v, earlier=f"{prev['machine']['date']} with {short} on the same data{since}")
            for k, v in prev["profiles"].items()}


def agreement(runs: list[Run]) -> list[str]:
    """Do the engines' reports agree? Compares report.json's `overall` of the first run of each label."""
    firsts: dict[str, dict[str, Any]] = {}
    for r in runs:
        if r.exit_code == 0 and r.backend not in firsts:
            firsts[r.backend] = json.loads((Path(r.out_dir) / "report.json").read_text(encoding="utf-8"))["overall"]
    if len(firsts) < 2:
        return []
    (ref_label, ref), *others = firsts.items()
    out = []
    for label, ov in others:
        differ = [k for k in ref if not (ref[k] == ov.get(k) or (isinstance(ref[k], float) and
                  isinstance(ov.get(k), float) and math.isclose(ref[k], ov[k], rel_tol=1e-9, abs_tol=1e-6)))]
        out.append(f"{label} vs {ref_label}: " + ("every `overall` value equal" if not differ
                                                    else f"differ in {', '.join(differ)}"))
    return out


def best(runs: list[Run], backend: str) -> Run | None:
    ok = [r for r in runs if r.backend == backend and r.exit_code == 0]
    return min(ok, key=lambda r: r.wall_s) if ok else None


def markdown(res: dict[str, Any]) -> str:
    m, ld, runs = res["machine"], res["load"], [Run(**r) for r in res["runs"]]
    n = ld["events"]
    lines = ["## Report", "",
             f"`bench/report.py` generates {n:,} synthetic events (seed {res['seed']}): a year of activity "
             f"({res['period']}) against the repository's starter content ({res['content']}). "
             "Mix by volume: " + ", ".join(f"{k} {v / n * 100:.1f} %" for k, v in
                                           sorted(ld["mix"].items(), key=lambda kv: -kv[1])) + ". "
             "Runs are valid walks through each protocol's decision graph (answers = option labels, seconds "
             "per step); ticket refs sometimes come back within 7 days; `article_used` events are sent with the "
             "runs that linked articles (plus some from article pages); CSAT answers point at earlier runs' "
             "session ids; anonymous `client` ids with returning visitors. A sample of "
             f"{ld['checked']:,} events passed the service's event contract (pydantic models and known ids).",
             "",
             "The events are loaded with each store's `insert()` in batches of "
             f"{res['batch']:,} (load time = time inside `insert()`; generation is not counted), into SQLite "
             "and into a fresh database of a throwaway PostgreSQL cluster the script starts "
             f"({', '.join(f'{k} {v}' for k, v in res['pg_settings'].items())}). After loading: "
             "SQLite `PRAGMA wal_checkpoint(TRUNCATE)`, PostgreSQL `VACUUM ANALYZE events` "
             "(what autovacuum would have done long before a monthly report; timed apart, in *post-load s*). "
             f"Then `kb report` runs as a child process, {res['repeat']} times per backend (backends alternate); "
             "*report wall s* is the wall time around the child, *peak RSS MB* its `ru_maxrss` from `os.wait4` "
             "(MiB; the PostgreSQL server's own memory is not included; its CPU is in *db CPU s*). "
             "The best run is in the table; every run is listed below it.",
             "",
             "| backend | events | load time s | post-load s | DB size MB | report wall s | report CPU s "
             "| peak RSS MB | db CPU s | critical path CPU s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for backend in res["labels"]:
        b = best(runs, backend)
        base = backend.split("/")[0]
        size = res["db_size_mb"].get(base)
        lines.append(f"| {backend} | {n:,} | {ld['insert_s'][base]:.1f} | {res['post_load_s'][base]:.1f} | "
                     f"{size:.0f} | " + (f"{b.wall_s:.1f} | {b.cpu_s:.1f} | {b.rss_mb:.0f} | {b.db_cpu_s:.1f} | "
                                         f"{_critical(b)} |" if b else "failed | | | | |"))
    lines += ["", "Every run (other load = CPUs used by *other* processes on the machine during the run; "
              "near 0 means undisturbed):", "",
              "| backend | run | wall s | CPU s | peak RSS MB | db CPU s | critical path CPU s | other load | exit |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r.backend} | {r.rep} | {r.wall_s:.1f} | {r.cpu_s:.1f} | {r.rss_mb:.0f} | "
                     f"{r.db_cpu_s:.1f} | {_critical(r)} | {r.other_load:.2f} | {r.exit_code} |")
    lines += ["", "*Critical path CPU s*: the CPU of the report's main thread + its busiest query lane (+ the busiest "
              "PostgreSQL backend), sampled from /proc while it runs: the lanes run side by side "
              "(generator/report/lanes.py), so on an idle machine with a core per lane this is about the wall time."]
    if res.get("agreement"):
        lines += ["", "Same numbers from each engine (report.json `overall`): " + "; ".join(res["agreement"]) + "."]
    lines += ["", "Commands (from the repository root):", "", "```sh"]
    if res.get("loaded_by"):
        lines.append(f"{res['loaded_by']['command']}   # generated and loaded on {res['loaded_by']['date']}")
    lines.append(res["command"])
    seen = set()
    for r in runs:
        key = re.sub(rf"(out-[a-z/-]+)-{r.rep}\b", r"\1-N", r.command)
        if key not in seen:
            seen.add(key)
            lines.append(key)
    lines += ["```", "",
              f"Machine: {m['cpu']}, {m['nproc']} CPUs, {m['ram']} RAM, Linux {m['kernel']}; Python {m['python']}, "
              f"SQLite {m['sqlite']}, {m['postgresql']} (psycopg {m['psycopg']}); code: {m['code']}; "
              f"run {m['date']}. Generation took {ld['generate_s']:.0f} s (not counted anywhere above).", ""]
    mem = res.get("memory")
    if mem:
        reading_extra = (f"Memory: after reading all {mem['events']:,} events the report's accumulator holds "
                         f"{mem['traced_mib']:.0f} MiB of Python objects (tracemalloc, `--memory`); by source line:")
    lines += [f"**Against the target (≤ {WALL_TARGET_S:.0f} s, ≤ {RSS_TARGET_MB} MB):**", ""]
    lines += [f"- {s}" for s in res["reading"]]
    if mem:
        lines += ["", reading_extra, "", "| MiB | blocks | where | code |", "|---:|---:|---|---|"]
        for where, row in mem["top"].items():
            code = row["code"].replace("|", "\\|")
            lines.append(f"| {row['mib']:.0f} | {row['blocks']:,} | `{where}` | `{code}` |")
        c = mem["counts"]
        lines += ["", f"Kept: {c['runs']:,} protocol_run events (whole dicts, with their paths), {c['csat']:,} CSAT "
                  f"events, {c['links']:,} links, {c['clients']:,} client ids with their sets of weeks."]
    if res.get("baseline"):
        bl = res["baseline"]
        lines += ["", f"Compared with the same {bl['events']:,} events read by {bl['code']} (measured {bl['date']}; "
                  "best run of each):", "",
                  "| backend | code | report wall s | report CPU s | peak RSS MB | db CPU s | other load |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        base_runs = [Run(**r) for r in bl["runs"]]
        for backend in res["labels"]:
            for label, pool in (("before", base_runs), ("this run", runs)):
                b = best(pool, backend)
                if b:
                    lines.append(f"| {backend} | {label} | {b.wall_s:.1f} | {b.cpu_s:.1f} | {b.rss_mb:.0f} | "
                                 f"{b.db_cpu_s:.1f} | {b.other_load:.2f} |")
    if res.get("profiles"):
        lines += ["", "**Profile** (`python -m cProfile` of one `kb report` per backend; own time, top entries):", ""]
        for backend, prof in res["profiles"].items():
            if "error" in prof:
                lines.append(f"- {backend}: profiling failed")
                continue
            when = f", made {prof['earlier']}" if prof.get("earlier") else ""
            lines += [f"{backend} — `{prof['command']}` (wall {prof['wall_s']:.1f} s under the profiler{when}):", "",
                      "| own s | cum s | calls | function |", "|---:|---:|---:|---|"]
            for row in prof["by_tottime"][:10]:
                where = re.sub(r"^.*?/src-[0-9a-f]+/", "", row["where"])
                lines.append(f"| {row['tottime']:.2f} | {row['cumtime']:.2f} | {row['calls']:,} | `{where}` |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _critical(r: Run) -> str:
    return "—" if r.critical_s is None else f"{r.critical_s:.1f}"


def reading(res: dict[str, Any]) -> list[str]:
    runs = [Run(**r) for r in res["runs"]]
    out = []
    for backend in res["labels"]:
        b = best(runs, backend)
        if b is None:
            out.append(f"{backend}: `kb report` failed (see the logs under bench/out/report/).")
            continue
        worst = max((r for r in runs if r.backend == backend and r.exit_code == 0), key=lambda r: r.wall_s)
        rss = max(r.rss_mb for r in runs if r.backend == backend)
        ok_t, ok_m = b.wall_s <= WALL_TARGET_S, rss <= RSS_TARGET_MB
        out.append(f"{backend}: best {b.wall_s:.1f} s (worst {worst.wall_s:.1f} s) — "
                   f"{'within' if ok_t else 'misses'} the {WALL_TARGET_S:.0f} s target "
                   f"({b.wall_s / WALL_TARGET_S * 100:.0f} % of it); peak RSS {rss:.0f} MB (largest of the runs) — "
                   f"{'within' if ok_m else 'misses'} the {RSS_TARGET_MB} MB target "
                   f"({rss / RSS_TARGET_MB * 100:.0f} % of it). The report counted {b.report_events or 0:,} events."
                   + (f" Even the best run shared the machine (other processes kept {b.other_load:.2f} of the "
                      f"{os.cpu_count()} CPUs busy), so its wall time is inflated; the work itself was "
                      f"{b.cpu_s:.1f} s CPU in `kb report`" + (f" + {b.db_cpu_s:.1f} s in the PostgreSQL server"
                                                              if b.db_cpu_s else "") + "."
                      if b.other_load > 0.3 else ""))
    ov = res.get("report_overall")
    if ov:
        def pct(v: Any) -> str:
            return "—" if v is None else f"{v * 100:.0f} %"
        out.append(f"What the report computed from these events (sanity check of the generator): {ov['runs']:,} runs "
                   f"(practice excluded), resolution {pct(ov['resolution_rate'])}, escalation "
                   f"{pct(ov['escalation_rate'])}, abandonment {pct(ov['abandonment_rate'])}, FCR {pct(ov['fcr'])}, "
                   f"CSAT {pct(ov['csat'])} of {ov['csat_answers']:,} answers, link rate {pct(ov['link_rate'])}, "
                   f"reuse rate {pct(ov['reuse_rate'])}, self-service success {pct(ov['self_service_success'])}, "
                   f"retention {pct(ov['retention'])}, {ov['searches']:,} searches of which "
                   f"{ov['zero_result_searches']:,} found nothing.")
    return out


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--out", default="bench/out")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--batch", type=int, default=20000, help="events per insert() call (one transaction)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-insert", action="store_true",
                    help="load PostgreSQL with its store's insert() too (default with both backends: COPY of the "
                         "rows the SQLite store's insert() wrote)")
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help="kb report --engine values to run side by side (sql: in the database; python: the "
                         "in-Python reference)")
    ap.add_argument("--skip", default="",
                    help="backend/engine runs to leave out, e.g. postgresql/python (the in-Python reference reads "
                         "the same events from either store: at 10M it runs once)")
    ap.add_argument("--quiet-wait", type=float, default=60.0,
                    help="seconds to wait for a quiet machine before each report run")
    ap.add_argument("--profile", choices=["auto", "always", "never"], default="auto",
                    help="cProfile one report per backend (auto: when a target is missed)")
    ap.add_argument("--code", metavar="REV", help="measure generator/ and theme/ of this git revision")
    ap.add_argument("--keep", action="store_true",
                    help="keep the loaded SQLite file and PostgreSQL cluster (stopped) for --reuse")
    ap.add_argument("--baseline", metavar="RESULTS_JSON",
                    help="an earlier results.json (e.g. of an older revision) to compare with in the Markdown")
    ap.add_argument("--profiles-from", metavar="RESULTS_JSON",
                    help="show the profiles of an earlier results.json (same events, same report code) "
                         "when this run makes none")
    ap.add_argument("--render", action="store_true",
                    help="only rewrite <out>/report.md from <out>/report/results.json (with --baseline, "
                         "--profiles-from); no measurement")
    ap.add_argument("--memory", action="store_true",
                    help="with --render: also measure what the report keeps in memory (tracemalloc, in-process, "
                         "on the kept SQLite data)")
    ap.add_argument("--reindex", action="store_true",
                    help="with --reuse: rebuild the report's indexes with the current schema first")
    ap.add_argument("--reuse", action="store_true",
                    help="measure the data kept by an earlier --keep run (same --events and --seed); no loading")
    args = ap.parse_args()
    command = "python " + shlex.join(["bench/report.py", *sys.argv[1:]])
    out = (REPO / args.out).resolve() if not Path(args.out).is_absolute() else Path(args.out)
    work = out / "report"
    work.mkdir(parents=True, exist_ok=True)
    os.chdir(REPO)
    if args.code:
        use_revision(args.code, work)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    skip = {x.strip() for x in args.skip.split(",") if x.strip()}
    if not set(engines) <= set(ENGINES):
        raise SystemExit(f"--engines: expected some of {', '.join(ENGINES)}, found {args.engines!r}")
    for b in backends:
        if b not in ("sqlite", "postgresql"):
            raise SystemExit(f"--backends: expected sqlite and/or postgresql, found {b!r}")

    if args.render:
        res: dict[str, Any] = json.loads((work / "results.json").read_text(encoding="utf-8"))
        if args.profiles_from and not res.get("profiles"):
            res["profiles"] = profiles_from(Path(args.profiles_from), res["load"]["events"], res["machine"]["code"])
        if args.baseline:
            base = json.loads(Path(args.baseline).read_text(encoding="utf-8"))
            res["baseline"] = {"code": base["machine"]["code"], "date": base["machine"]["date"],
                               "events": base["load"]["events"], "runs": base["runs"]}
        if args.memory:
            res["memory"] = memory_breakdown(work / "data", res["load"]["events"])
            res["memory"]["code"] = CODE["source"]
        res["reading"] = reading(res)
        (work / "results.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
        (out / "report.md").write_text(markdown(res), encoding="utf-8")
        print((out / "report.md").read_text(encoding="utf-8"))
        return 0

    from generator.store import open_store

    print(f"[1/4] content and generator (seed {args.seed})", flush=True)
    synth = Synth(REPO, args.events, args.seed, date.fromisoformat(TODAY))
    pg: Postgres | None = None
    stores: dict[str, Any] = {}
    urls: dict[str, str] = {}
    data_dir = work / "data"
    kept_file = work / "loaded.json"
    kept: dict[str, Any] | None = None
    if args.reuse:
        kept = json.loads(kept_file.read_text(encoding="utf-8")) if kept_file.is_file() else None
        if not kept or (kept["events"], kept["seed"]) != (args.events, args.seed) or \
                not set(backends) <= set(kept["backends"]):
            raise SystemExit(f"--reuse: {kept_file} does not describe {args.events} events, seed {args.seed}, "
                             f"backends {backends} (run once with --keep)")
    elif kept_file.exists():
        kept_file.unlink()
    try:
        if "sqlite" in backends:
            if not args.reuse:
                shutil.rmtree(data_dir, ignore_errors=True)
            urls["sqlite"] = f"sqlite:///{data_dir / 'events.sqlite3'}"
            stores["sqlite"] = open_store(urls["sqlite"], data_dir)
        if "postgresql" in backends:
            print("      starting a throwaway PostgreSQL cluster", flush=True)
            pg = Postgres(work / "pg", reuse=args.reuse)
            urls["postgresql"] = pg.url
            stores["postgresql"] = open_store(pg.url, data_dir)
        post: dict[str, float] = {}
        size: dict[str, float] = {}
        if kept:
            print(f"[2/4] reusing the {args.events:,} events loaded on {kept['date']}", flush=True)
            ld, post, size = kept["load"], kept["post_load_s"], kept["db_size_mb"]
            for name, store in stores.items():
                if store.count() != args.events:
                    raise SystemExit(f"--reuse: {name} holds {store.count()} events, expected {args.events}")
                if args.reindex:
                    t0 = time.perf_counter()
                    reindex(store)
                    ld.setdefault("reindex_s", {})[name] = time.perf_counter() - t0
                    print(f"      {name}: the report's indexes rebuilt in {ld['reindex_s'][name]:.0f} s", flush=True)
                store.close()
        else:
            print(f"[2/4] generating and loading {args.events:,} events into {', '.join(stores)}", flush=True)
            dropped = {name: drop_indexes(store) for name, store in stores.items()}
            copy_pg = "sqlite" in stores and "postgresql" in stores and not args.pg_insert
            ld = load(synth, {k: v for k, v in stores.items() if not (copy_pg and k == "postgresql")}, args.batch,
                      sample_every=97)
            if copy_pg:
                print("      postgresql: COPY from the SQLite store", flush=True)
                stores["sqlite"]._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
                ld["insert_s"]["postgresql"] = copy_to_postgres(stores["sqlite"].path, urls["postgresql"])
                ld["new"]["postgresql"] = ld["new"]["sqlite"]
                ld["postgresql_by"] = "COPY"
            ld["index_s"] = {}
            for name, store in stores.items():
                print(f"      {name}: building {len(dropped[name])} indexes", flush=True)
                t0 = time.perf_counter()
                for sql in dropped[name]:
                    store_sql(store, sql)
                ld["index_s"][name] = time.perf_counter() - t0
        for name, store in stores.items() if not kept else ():
            if store.count() != ld["events"]:
                raise SystemExit(f"{name}: {store.count()} rows stored, {ld['events']} events generated")
            t0 = time.perf_counter()
            if name == "sqlite":
                store._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
                post[name] = time.perf_counter() - t0
                size[name] = store.path.stat().st_size / 2**20
            else:
                import psycopg

                with psycopg.connect(pg.url, autocommit=True) as conn:  # type: ignore[union-attr]
                    conn.execute("VACUUM ANALYZE events")
                    conn.execute("VACUUM ANALYZE runs")
                    conn.execute("VACUUM ANALYZE run_steps")
                    post[name] = time.perf_counter() - t0
                    row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
                    size[name] = (row[0] if row else 0) / 2**20
            store.close()
        print(f"      loaded: {json.dumps({k: round(v, 1) for k, v in ld['insert_s'].items()})} s insert, "
              f"generation {ld['generate_s']:.0f} s; mix {ld['mix']}", flush=True)
        if args.keep and not kept:
            kept_file.write_text(json.dumps({
                "events": args.events, "seed": args.seed, "backends": backends, "batch": args.batch, "load": ld,
                "post_load_s": post, "db_size_mb": size, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "command": command}, indent=1), encoding="utf-8")

        print(f"[3/4] kb report, {args.repeat}x per backend", flush=True)
        runs: list[Run] = []
        for rep in range(1, args.repeat + 1):  # the engines in turn (the SQL ones first), each on every backend
            for engine in engines:
                for name in (b for b in backends if f"{b}/{engine}" not in skip):
                    runs.append(run_report(f"{name}/{engine}", rep, urls[name], data_dir, work, args.quiet_wait,
                                           pg if name == "postgresql" else None))
                    # each run as it ends (a long series interrupted keeps what it measured)
                    (work / "runs-so-far.json").write_text(json.dumps([vars(r) for r in runs], indent=1),
                                                           encoding="utf-8")
        missed = any(r.exit_code != 0 or r.wall_s > WALL_TARGET_S or r.rss_mb > RSS_TARGET_MB for r in runs)
        profiles: dict[str, Any] = {}
        if args.profile == "always" or (args.profile == "auto" and missed):
            print("[4/4] profiling one report per backend", flush=True)
            for name in backends:
                for engine in (e for e in engines if f"{name}/{e}" not in skip):
                    profiles[f"{name}/{engine}"] = profile(f"{name}/{engine}", urls[name], data_dir, work)
        else:
            print("[4/4] no profile this time (--profile always to make one)", flush=True)
        if not profiles and args.profiles_from:
            profiles = profiles_from(Path(args.profiles_from), args.events, machine("")["code"])
        res = {
            "command": command, "seed": args.seed, "batch": args.batch, "repeat": args.repeat,
            "backends": backends, "engines": engines,
            "labels": [f"{b}/{e}" for b in backends for e in engines if f"{b}/{e}" not in skip],
            "agreement": agreement(runs),
            "period": f"{date.fromisoformat(TODAY) - timedelta(days=365)} to "
                      f"{date.fromisoformat(TODAY) - timedelta(days=1)}",
            "content": f"{len(synth.manifest.articles)} articles, {len(synth.manifest.protocols)} protocols",
            "machine": machine(pg.version if pg else ""),
            "pg_settings": pg.settings if pg else {},
            "load": ld, "post_load_s": post, "db_size_mb": size,
            "loaded_by": ({"date": kept["date"], "command": kept["command"]} if kept else None),
            "runs": [vars(r) for r in runs], "profiles": profiles,
        }
        first = next((r for r in runs if r.exit_code == 0), None)
        if first:
            rep = json.loads((Path(first.out_dir) / "report.json").read_text(encoding="utf-8"))
            res["report_overall"] = rep["overall"]
        res["reading"] = reading(res)
        if args.baseline:
            base = json.loads(Path(args.baseline).read_text(encoding="utf-8"))
            res["baseline"] = {"code": base["machine"]["code"], "date": base["machine"]["date"],
                               "events": base["load"]["events"], "runs": base["runs"]}
        (work / "results.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
        (out / "report.md").write_text(markdown(res), encoding="utf-8")
        print((out / "report.md").read_text(encoding="utf-8"))
        return 0 if not any(r.exit_code for r in runs) else 1
    finally:
        for store in stores.values():
            with contextlib.suppress(Exception):
                store.close()
        if pg is not None:
            pg.stop(keep=args.keep or args.reuse)


if __name__ == "__main__":
    raise SystemExit(main())
