"""Each field declared once: enumerations in generator/model/fields.py, the metadata Article and
Protocol share in one base model, and field metadata (TextField) that the lint, the search index
and the runner's data loop over instead of naming fields."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import Field

from generator.content.yamlsafe import load
from generator.lint.texts import protocol_texts
from generator.model.article import ArticleMeta
from generator.model.catalog import ProtocolEntry
from generator.model.fields import CHANNELS, ContentMeta, Line, Text, TextField, field_texts
from generator.model.protocol import Protocol, Step
from generator.render.i18n import STRINGS, enum_labels, reason_labels
from generator.render.runner import MarkdownRenderer, field_data
from generator.report.labels import labels
from generator.search.documents import protocol_doc

REPO = Path(__file__).resolve().parents[1]
SOURCES = [p for top in ("generator", "theme") for p in (REPO / top).rglob("*")
           if p.suffix in (".py", ".js", ".html", ".md", ".css") and p.is_file()]
HOME = REPO / "generator" / "model" / "fields.py"

# Copies of an enumeration or of the id pattern as they were written before (list, tuple, Literal or
# a script's label table).
COPIES = {
    "channels": r"""["']phone["']\s*,\s*["']chat["']|phone:\s*"[^"]*",\s*chat:""",
    "reasons": r"""["']outdated["']\s*,\s*["']unclear["']|\boutdated:\s*["']""",
    "levels": r"""["']basic["']\s*,\s*["']advanced["']|\bbasic:\s*"[^"]*",\s*advanced:""",
    "outcomes": r"""["']resolved["']\s*,\s*["']escalated["']\s*,\s*["']abandoned""",
    "audiences": r"""["']technician["']\s*,\s*["']end-user["']\s*,\s*["']both""",
    "id pattern": r"a-z0-9\]\[a-z0-9-\]\{0,63\}",
}


@pytest.mark.parametrize("what", COPIES)
def test_each_enumeration_and_the_id_pattern_is_declared_once(what: str) -> None:
    pattern = re.compile(COPIES[what])
    found = [f"{p.relative_to(REPO)}:{text[:m.start()].count(chr(10)) + 1}"
             for p in SOURCES for text in [p.read_text(encoding="utf-8")] for m in pattern.finditer(text)]
    assert found == [f"generator/model/fields.py:{_line(HOME, pattern)}"], found


def _line(path: Path, pattern: re.Pattern[str]) -> int:
    text = path.read_text(encoding="utf-8")
    m = pattern.search(text)
    assert m, f"{pattern.pattern} is not declared in {path}"
    return text[:m.start()].count("\n") + 1


def test_article_and_protocol_share_one_declaration_of_their_common_metadata() -> None:
    shared = {"id", "audience", "tags", "owner", "reviewed", "review_every_days", "lang", "translation_of"}
    assert shared <= set(ContentMeta.model_fields)
    for model in (ArticleMeta, Protocol):
        assert issubclass(model, ContentMeta)
        assert not shared & set(model.__annotations__), f"{model.__name__} declares a shared field again"


def test_labels_exist_for_every_code() -> None:
    """The codes come from the model; each place that shows them has a label for each (no fallbacks)."""
    for lang in STRINGS:
        assert set(enum_labels(lang)) == {*CHANNELS, "basic", "advanced"}
        assert [code for code, _ in reason_labels(lang)] == ["outdated", "unclear", "did_not_work", "missing_info",
                                                             "other"]
        report = labels(lang)
        assert all(f"channel_{c}" in report for c in CHANNELS)


# --- a field added with metadata only is linted, indexed and in the runner's data -----------------------

class HintStep(Step):
    hint: Annotated[Line | None, TextField("customer", prose=True, search="body")] = Field(None)
    note: Annotated[Text | None, TextField("technician", markdown=True, search="body")] = Field(None)


class HintProtocol(Protocol):
    steps: list[HintStep] = Field(min_length=1)  # type: ignore[assignment]


HINTED = """\
id: con-pista
title: Con pista
summary: Un protocolo con un campo nuevo.
audience: technician
owner: equipo
reviewed: 2026-10-01
start: uno
steps:
  - id: uno
    title: Primer paso
    hint: Dígale que espere un momento mientras el zorzal canta.
    note: Revise **el mirlo** antes de seguir.
    escalate: Nivel 2
"""


def _hinted() -> tuple[ProtocolEntry, object]:
    located = load(HINTED, "protocols/con-pista.yml")
    model = HintProtocol.model_validate(located.data)
    return ProtocolEntry(model, "protocols/con-pista.yml", "v1"), located


def test_a_new_field_is_found_by_its_metadata() -> None:
    entry, _ = _hinted()
    paths = {t.path for t in field_texts(entry.model)}
    assert {("steps", 0, "hint"), ("steps", 0, "note")} <= paths


def test_a_new_field_is_linted_by_its_metadata() -> None:
    entry, located = _hinted()
    texts = {t.key: t for t in protocol_texts(entry, located, HINTED.splitlines())}  # type: ignore[arg-type]
    hint, note = texts["steps[0].hint"], texts["steps[0].note"]
    assert (hint.reader, hint.prose, hint.jargon, hint.customer) == ("end_user", True, True, True)
    assert (note.reader, note.jargon, note.customer, note.markdown) == ("technician", False, False, True)


def test_a_new_field_is_indexed_by_its_metadata() -> None:
    entry, _ = _hinted()
    body = protocol_doc(entry).text["body"]
    assert "zorzal" in body and "mirlo" in body


def test_a_new_field_is_in_the_runner_data_by_its_metadata() -> None:
    entry, _ = _hinted()
    data = field_data(entry.model.steps[0], MarkdownRenderer())
    assert data["hint"] == "Dígale que espere un momento mientras el zorzal canta."
    # Markdown shown on the step is rendered once, by theme/fragments/step.md, not sent twice as data
    assert "note" not in data


@pytest.mark.parametrize("module", ["generator/lint/texts.py", "generator/search/documents.py",
                                    "generator/render/runner.py"])
def test_lint_search_and_runner_data_name_no_step_field(module: str) -> None:
    """They loop over the metadata: no text field of a step or an option is read by name in their code."""
    code = (REPO / module).read_text(encoding="utf-8")
    code = re.sub(r'"""[\s\S]*?"""|#[^\n]*', "", code)  # docstrings and comments may explain
    named = [f for f in ("say", "basic", "advanced", "do", "ask", "explain", "prevent", "label", "resolve",
                         "escalate", "warning") if re.search(rf"""\.{f}\b|["']{f}["']""", code)]
    assert named == []
