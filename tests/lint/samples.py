"""Samples for the lint tests: a clean article and a clean protocol, to break one rule at a time."""

from __future__ import annotations

from generator.content.sources import read_texts
from generator.diagnostics import errors
from generator.lint import LintConfig, lint_for_texts, parse_config
from generator.model.build import build_catalog

ARTICLE_PATH = "kb/impresion/impresora-atascada.md"
PROTOCOL_PATH = "protocols/impresora.yml"

# A solution for end users that every rule accepts. Lines: 7 symptom, 8 cause, 12 '## Síntomas',
# 14 its text, 16 '## Causa', 18 its text, 20 '## Solución', 22-23 steps, 25 '## Prevención', 27 its text.
ARTICLE = """\
---
id: impresora-atascada
title: La impresora no saca las hojas
type: solution
audience: end-user
symptoms:
  - La impresora no saca ninguna hoja
cause: Un documento anterior se ha quedado atascado.
owner: equipo-puesto
reviewed: 2026-10-01
---
## Síntomas

La impresora no saca nada.

## Causa

Un documento anterior bloquea a los demás.

## Solución

1. Abra la lista de documentos pendientes.
2. Cancele todos.

## Prevención

No envíe documentos muy grandes de una vez.
"""

# A protocol for technicians that every rule accepts. Lines: 12 say.basic, 13 ask, 15 first option,
# 16 its resolve, 17 explain, 18 prevent, 19 second option, 20 its escalate.
PROTOCOL = """\
id: impresora
title: La impresora no imprime
summary: Cuando la impresora no saca las hojas.
audience: technician
owner: equipo-puesto
reviewed: 2026-10-01
start: cola
steps:
  - id: cola
    title: Vaciar la cola
    say:
      basic: Vamos a borrar los documentos pendientes.
    ask: ¿Imprime ahora?
    options:
      - label: Sí
        resolve: Documento atascado en la cola
        explain: Un documento se había quedado atascado.
        prevent: Evite enviar archivos muy grandes.
      - label: "No"
        escalate: Nivel 2 — Puesto de trabajo
"""


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def config(yaml_text: str) -> LintConfig:
    """A LintConfig from kb-lint.yml text, which must be valid."""
    parsed, problems = parse_config(yaml_text)
    assert problems == [] and parsed is not None
    return parsed


def lint(texts: dict[str, str], cfg: LintConfig | None = None) -> list[str]:
    """Every lint finding on ``texts`` (path -> file text), formatted; the files must be valid content."""
    catalog, diags = build_catalog(read_texts(texts))
    assert errors(diags) == [], [d.format() for d in diags]
    return [d.format() for d in lint_for_texts(catalog, texts, cfg)]


def lint_article(text: str, cfg: LintConfig | None = None) -> list[str]:
    return lint({ARTICLE_PATH: text}, cfg)


def lint_protocol(text: str, cfg: LintConfig | None = None) -> list[str]:
    return lint({PROTOCOL_PATH: text}, cfg)
