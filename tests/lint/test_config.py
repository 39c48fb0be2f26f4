"""kb-lint.yml (defaults, severities, errors), the maintained lists, and the documentation of every rule."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from generator.diagnostics import ContentError
from generator.lint import LintConfig, parse_config
from generator.lint import lists as lint_lists
from generator.lint.config import Rules
from generator.pipeline.lint import load_config
from generator.pipeline.validation import validate_texts, validate_tree
from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, PROTOCOL_PATH, config, edit, lint_protocol
from tests.sitebuild import REPO

BLAMING = edit(PROTOCOL, "basic: Vamos a borrar los documentos pendientes.", "basic: Usted ha borrado la cola.")
FINDING = "protocols/impresora.yml:12:14: {level}steps[0].say.basic: expected words that do not blame the customer, found 'Usted ha borrado'; describa lo que pasó, no quién lo hizo («se ha borrado…», «la configuración cambió…») [blame]"


def write_repo(root: Path, lint_yml: str | None = None) -> Path:
    (root / "protocols").mkdir(parents=True)
    (root / PROTOCOL_PATH).write_text(BLAMING, encoding="utf-8")
    (root / "kb" / "impresion").mkdir(parents=True)
    (root / ARTICLE_PATH).write_text(ARTICLE, encoding="utf-8")
    if lint_yml is not None:
        (root / "kb-lint.yml").write_text(lint_yml, encoding="utf-8")
    return root


def test_the_repository_config_states_exactly_the_defaults() -> None:
    assert load_config(REPO) == (LintConfig(), [])
    assert parse_config("") == (LintConfig(), [])
    assert parse_config("# nothing but a comment\n") == (LintConfig(), [])


def test_severity_warning_error_and_off() -> None:
    assert lint_protocol(BLAMING) == [FINDING.format(level="warning: ")]
    assert lint_protocol(BLAMING, config("rules:\n  blame:\n    severity: error\n")) == [FINDING.format(level="")]
    assert lint_protocol(BLAMING, config("rules:\n  blame: {severity: 'off'}\n")) == []


def test_validate_reports_lint_findings_as_warnings_and_reads_kb_lint_yml(tmp_path: Path) -> None:
    result = validate_texts({PROTOCOL_PATH: BLAMING, ARTICLE_PATH: ARTICLE})
    assert ([d.format() for d in result.diagnostics], result.ok) == ([FINDING.format(level="warning: ")], True)
    as_error = validate_tree(write_repo(tmp_path / "a", "rules:\n  blame:\n    severity: error\n"))
    assert ([d.format() for d in as_error.diagnostics], as_error.ok) == ([FINDING.format(level="")], False)
    off = validate_tree(write_repo(tmp_path / "b", "rules:\n  blame:\n    severity: 'off'\n"))
    assert (off.diagnostics, off.ok, off.files) == ([], True, 2)


@pytest.mark.parametrize(("text", "messages"), [
    ("rules:\n  jargn: {}\n", ["kb-lint.yml:2:3: rules.jargn: expected a known key, found unknown key 'jargn'; did you mean 'jargon'?"]),
    ("rules:\n  blame:\n    severity: warn\n", ["kb-lint.yml:3:15: rules.blame.severity: expected one of 'warning', 'error' or 'off', found 'warn'"]),
    ("rules:\n  sentence_length:\n    max_words: {end-user: 20}\n", ["kb-lint.yml:3:17: rules.sentence_length.max_words.end-user: expected a known key, found unknown key 'end-user'; did you mean 'end_user'?"]),
    ("rules:\n  readability:\n    min_words: '30'\n", ["kb-lint.yml:3:16: rules.readability.min_words: expected a whole number, found '30'"]),
    ("rules:\n  review_cycle:\n    max_days: 0\n", ["kb-lint.yml:3:15: rules.review_cycle.max_days: expected a number at least 1, found the number 0"]),
    ("rules:\n  jargon:\n    extra:\n      - {term: VDI}\n", ["kb-lint.yml:4:9: rules.jargon.extra[0].plain: expected this required key, found it missing"]),
    ("rules: &r {}\n", ["kb-lint.yml:1:8: rules: expected plain values, found an anchor (&r); anchors and aliases are not allowed"]),
    ("rules:\n\tblame: {}\n", ["kb-lint.yml:2:1: yaml: expected valid YAML, found a syntax error: found character '\\t' that cannot start any token (while scanning for the next token)"]),
])
def test_config_errors_have_positions(text: str, messages: list[str]) -> None:
    parsed, problems = parse_config(text)
    assert (parsed, [d.format() for d in problems]) == (None, messages)


def test_a_broken_config_fails_validate_and_replaces_the_lint(tmp_path: Path) -> None:
    result = validate_tree(write_repo(tmp_path, "rules:\n  blame:\n    severity: warn\n"))
    assert [d.format() for d in result.diagnostics] == [
        "kb-lint.yml:3:15: rules.blame.severity: expected one of 'warning', 'error' or 'off', found 'warn'"]
    assert (result.ok, result.files) == (False, 2)
    (tmp_path / "kb-lint.yml").write_bytes(b"rules:\n  blame: {severity: \xff}\n")
    assert [d.format() for d in validate_tree(tmp_path).diagnostics] == [
        "kb-lint.yml:2:21: file: expected UTF-8 text, found the byte 0xff"]  # where the byte is


# --- the maintained lists ---------------------------------------------------------------------------

def _example(phrase: str) -> str:
    """A text the phrase must match: the first of each {a|b} alternatives, 'x' for a '*'."""
    return re.sub(r"\{([^|}]*)[^}]*\}", r"\1", phrase).replace("*", "x")


def test_the_lists_load_and_every_entry_matches_its_own_example() -> None:
    terms, phrases = lint_lists.builtin_terms(), lint_lists.builtin_phrases()
    assert len(terms) >= 70 and len(phrases) >= 20
    assert {t.lang for t in terms} == {t.lang for t in phrases} == {"es", "en"}
    for term in terms:
        assert lint_lists.compile_pattern(term.term, match_case=term.match_case).fullmatch(_example(term.term)), term
    for phrase in phrases:
        assert lint_lists.compile_pattern(phrase.phrase).fullmatch(_example(phrase.phrase)), phrase
    placeholders = lint_lists.placeholders()
    assert "todo" in placeholders.owner and "n/a" in placeholders.text and "arreglado" in placeholders.resolve


def test_the_phrase_syntax() -> None:
    pattern = lint_lists.compile_pattern("{debería|tendría que} haber *{ado|ido}")
    assert [m.group() for m in pattern.finditer("Debería  haber guardado; tendría que\nhaber leído; debería haber papel")] == [
        "Debería  haber guardado", "tendría que\nhaber leído"]
    assert lint_lists.compile_pattern("caché").search("la CACHE del equipo") is not None
    assert lint_lists.compile_pattern("IP").search("ZIP") is None  # whole words only
    assert lint_lists.first_words("{dirección|direcciones} IP") == {"direccion", "direcciones"}
    assert lint_lists.first_words("*{ado|ido}") is None


def test_a_broken_list_is_reported_with_its_position(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "jargon.yml").write_text("es:\n  - term: DNS\n    plan: la guía\n", encoding="utf-8")
    monkeypatch.setattr(lint_lists, "DATA_DIR", tmp_path)
    with pytest.raises(ContentError) as info:
        lint_lists._entries("jargon.yml", lint_lists._TermFile)
    assert [d.format() for d in info.value.diagnostics] == [
        "generator/lint/data/jargon.yml:3:5: es[0].plan: expected a known key, found unknown key 'plan'; did you mean 'plain'?"]


# --- docs/lint.md documents every rule and option -----------------------------------------------------

def _options(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def test_every_rule_and_option_is_documented() -> None:
    doc = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^#{2,3} |\Z)", doc, flags=re.M | re.S))
    assert sorted(sections) == sorted(Rules.model_fields)
    for name, info in Rules.model_fields.items():
        rule_model = info.annotation
        assert isinstance(rule_model, type) and issubclass(rule_model, BaseModel)
        for option in _options(rule_model):
            assert f"`{option}`" in sections[name], (name, option)
    assert "`technician_headings`" in doc
    for formula in ("206.84", "206.835", "Fernández-Huerta", "Flesch"):
        assert formula in doc
