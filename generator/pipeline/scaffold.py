"""`kb new`: scaffold an article or a protocol with a fresh id and today's review date."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from generator.content.sources import KB_DIR, PROTOCOLS_DIR
from generator.diagnostics import ContentError, Diagnostic
from generator.lint import address as T  # the scaffold's sentences, which the leftovers rule finds
from generator.model.article import REQUIRED_SECTIONS
from generator.model.fields import ID_RE, RESERVED_IDS
from generator.model.protocol import Protocol


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:56].strip("-")
    return slug or "nuevo"


def _existing_ids(root: Path) -> set[str]:
    ids = {p.stem for p in (root / KB_DIR).rglob("*.md")} if (root / KB_DIR).is_dir() else set()
    if (root / PROTOCOLS_DIR).is_dir():
        ids |= {p.stem for p in (root / PROTOCOLS_DIR).glob("*.y*ml")}
    return ids


def fresh_id(root: Path, title: str, wanted: str | None = None) -> str:
    existing = _existing_ids(root)
    if wanted is not None:
        if not ID_RE.match(wanted) or wanted in RESERVED_IDS:
            raise ContentError([Diagnostic("<command line>", 1, 1, "--id", "expected lower-case letters, "
                                           f"digits and hyphens, found {wanted!r}")])
        if wanted in existing:
            raise ContentError([Diagnostic("<command line>", 1, 1, "--id",
                                           f"expected a new id, found '{wanted}' already in use")])
        return wanted
    base = slugify(title)
    candidate, n = base, 2
    while candidate in existing or candidate in RESERVED_IDS:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_article(root: Path, *, title: str, area: str, kind: str = "solution", ident: str | None = None,
                lang: str = "es") -> Path:
    if not ID_RE.match(area):
        raise ContentError([Diagnostic("<command line>", 1, 1, "--area",
                                       f"expected lower-case letters, digits and hyphens, found {area!r}")])
    ident = fresh_id(root, title, ident)
    sections = REQUIRED_SECTIONS[kind][lang]
    fm = [
        "---",
        f"id: {ident}",
        f"title: {_quote(title)}",
        f"type: {kind}",
        "audience: end-user",
        f"summary: {T.ARTICLE_SUMMARY}",
    ]
    if kind == "solution":
        fm += ["symptoms:", f"  - {T.ARTICLE_SYMPTOM}", f"cause: {T.ARTICLE_CAUSE}"]
    fm += ["tags: []", "owner: equipo-soporte", f"reviewed: {date.today().isoformat()}",
           "review_every_days: 180", "protocols: []", "---", ""]
    body = "\n".join(f"## {s}\n\n{T.ARTICLE_BODY}\n" for s in sections)
    path = root / KB_DIR / area / f"{ident}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(fm) + body, encoding="utf-8")
    return path


def new_protocol(root: Path, *, title: str, ident: str | None = None) -> Path:
    ident = fresh_id(root, title, ident)
    text = f"""# yaml-language-server: $schema=../schema/protocol.schema.json
id: {ident}
title: {_quote(title)}
summary: {T.PROTOCOL_SUMMARY}
audience: technician
channels: [phone, chat, remote]
tags: []
estimated_minutes: 10
owner: equipo-soporte
reviewed: {date.today().isoformat()}
review_every_days: 180
prerequisites: []
start: primer-paso
steps:
  - id: primer-paso
    title: Primera comprobación
    # warning: Esto desconectará la sesión remota   # one line to read before a risky step (optional)
    say:
      basic: {T.PROTOCOL_SAY_BASIC}
      advanced: {T.PROTOCOL_SAY_ADVANCED}
    do: |
      {T.PROTOCOL_DO}
    ask: ¿Se ha solucionado?
    options:
      - label: Sí
        resolve: Causa encontrada
        explain: {T.PROTOCOL_EXPLAIN}
        prevent: {T.PROTOCOL_PREVENT}
      - label: No
        next: escalar
  - id: escalar
    title: Escalar el caso
    escalate: Nivel 2
"""
    path = root / PROTOCOLS_DIR / f"{ident}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


FROM_RUN_OUTCOMES = ("escalated", "unresolved", "abandoned")
_CASE_TEXT = {
    "es": {"steps": "Pasos probados", "case": "Borrador escrito desde el caso {run} del protocolo «{title}» "
           "({outcome}).", "write": "Por escribir: la causa y la solución que se encontraron después.",
           "escalated": "escalado a {to}", "unresolved": "sin resolver", "abandoned": "abandonado",
           "summary": "Borrador desde un caso: {title}."},
    "en": {"steps": "Steps tried", "case": "Draft written from run {run} of the protocol “{title}” ({outcome}).",
           "write": "To write: the cause and the solution found afterwards.", "escalated": "escalated to {to}",
           "unresolved": "unresolved", "abandoned": "abandoned", "summary": "Draft from a case: {title}."},
}


def _path_lines(run: Mapping[str, Any], titles: Mapping[str, str]) -> list[tuple[str, str | None]]:
    return [(titles.get(p["step"], p["step"]), p.get("answer")) for p in run.get("path", [])]


def new_article_from_run(root: Path, run: Mapping[str, Any], protocol: Protocol, *, area: str,
                         title: str | None = None, ident: str | None = None) -> Path:
    """A draft solution article from a stored ``protocol_run``: symptoms and the steps tried come from
    the path (step titles and answers); the cause, solution and prevention are left to write."""
    outcome = run.get("outcome")
    if outcome not in FROM_RUN_OUTCOMES:
        raise ContentError([Diagnostic("<command line>", 1, 1, "--from-run", "expected an escalated, unresolved "
                                       f"or abandoned run, found a {outcome} one")])
    if not ID_RE.match(area):
        raise ContentError([Diagnostic("<command line>", 1, 1, "--area",
                                       f"expected lower-case letters, digits and hyphens, found {area!r}")])
    lang = protocol.lang if protocol.lang in _CASE_TEXT else "es"
    t = _CASE_TEXT[lang]
    steps = _path_lines(run, {s.id: s.title for s in protocol.steps})
    title = title or protocol.title
    ident = fresh_id(root, title, ident)
    symptoms = [f"{step}: {answer}" for step, answer in steps if answer] or [protocol.title]
    how = t[outcome].format(to=run.get("escalated_to") or "?")
    fm = ["---", f"id: {ident}", f"title: {_quote(title)}", "type: solution", "audience: technician", "draft: true",
          f"summary: {_quote(t['summary'].format(title=protocol.title))}", "symptoms:",
          *[f"  - {_quote(s)}" for s in symptoms], "tags: []", f"owner: {_quote(protocol.owner)}",
          f"reviewed: {date.today().isoformat()}", "review_every_days: 180", f"protocols: [{protocol.id}]",
          f"lang: {lang}", "---", ""]
    sections = REQUIRED_SECTIONS["solution"][lang]
    body = [f"## {sections[0]}", "", *[f"- {s}" for s in symptoms], "", f"## {t['steps']}", "",
            *[f"{i}. {step}" + (f" — {answer}" if answer else "") for i, (step, answer) in enumerate(steps, 1)], "",
            t["case"].format(run=run.get("session_id", "?"), title=protocol.title, outcome=how), "",
            t["write"], ""]
    path = root / KB_DIR / area / f"{ident}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(fm) + "\n".join(body), encoding="utf-8")
    return path
