"""Every finding points at the exact line and column of the text it is about, wherever it stands."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

import pytest

from generator.content.sources import read_texts
from generator.lint import LintConfig, lint_catalog
from generator.model.build import build_catalog
from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, edit, lint_article, lint_protocol

P = "protocols/impresora.yml"
SAY = "      basic: Vamos a borrar los documentos pendientes.\n"
SPOOLER = "expected plain words for end users, found 'spooler'; say 'el servicio de impresión de Windows', or explain the term in brackets where it first appears [jargon]"


@pytest.mark.parametrize(("name", "value", "line", "col"), [
    ("plain", "      basic: Vamos a revisar el spooler.\n", 12, 33),
    ("plain on two lines", "      basic: Vamos a borrar los documentos\n        pendientes y el spooler.\n", 13, 25),
    ("folded", "      basic: >-\n        Vamos a borrar los documentos pendientes\n        y el spooler.\n", 14, 14),
    ("literal", "      basic: |\n        Vamos a borrar los documentos pendientes.\n\n        Después revisaremos el spooler juntos.\n", 15, 32),
    ("indicator with a comment", "      basic: |-  # el guion\n        Vamos a revisar el spooler.\n", 13, 28),
    ("single-quoted", "      basic: 'Vamos a borrar lo que no sale: ''todo'', también el spooler.'\n", 12, 67),
    ("double-quoted with an escape", '      basic: "Vamos a borrar\\tlos documentos y el spooler."\n', 12, 51),
])
def test_a_finding_in_a_yaml_value(name: str, value: str, line: int, col: int) -> None:
    assert lint_protocol(edit(PROTOCOL, SAY, value)) == [f"{P}:{line}:{col}: warning: steps[0].say.basic: {SPOOLER}"]


def test_a_sentence_that_opens_with_a_question_mark_starts_at_it() -> None:
    long_question = ("¿Ha probado ya a apagar la impresora, esperar un minuto entero, volver a encenderla y mandar otra "
                     "vez una sola página de prueba muy corta desde el mismo programa de siempre?")
    text = edit(PROTOCOL, SAY, f"      basic: >-\n        Vamos a mirarlo. {long_question}\n")
    assert lint_protocol(text) == [
        f"{P}:13:26: warning: steps[0].say.basic: expected sentences of at most 30 words for end users, found one of 31 words; split it into shorter sentences [sentence_length]"]


def test_windows_line_endings_and_a_byte_order_mark() -> None:
    crlf = edit(PROTOCOL, SAY, "      basic: Vamos a revisar el spooler.\n").replace("\n", "\r\n")
    assert lint_protocol(crlf) == [f"{P}:12:33: warning: steps[0].say.basic: {SPOOLER}"]
    body = edit(ARTICLE, "No envíe documentos muy grandes de una vez.", "No toque el spooler.").replace("\n", "\r\n")
    assert lint_article(body) == [
        f"{ARTICLE_PATH}:27:13: warning: body: expected plain words for end users, found 'spooler' in section 'Prevención'; say 'el servicio de impresión de Windows', or explain the term in brackets where it first appears [jargon]"]


def test_without_the_file_text_a_yaml_finding_points_at_the_value() -> None:
    text = edit(PROTOCOL, SAY, "      basic: >-\n        Vamos a borrar los documentos pendientes\n        y el spooler.\n")
    catalog, _ = build_catalog(read_texts({P: text}))
    assert [d.format() for d in lint_catalog(catalog, LintConfig())] == [
        f"{P}:12:14: warning: steps[0].say.basic: {SPOOLER}"]
