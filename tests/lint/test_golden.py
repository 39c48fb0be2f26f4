"""The lint's findings on a corpus with deliberate problems equal a recorded expectation.

The corpus (tests/lint/corpus.py) is the starter content as it is and with problems written
into it, and bench/build.py's synthetic tree with problems. The expectation
(tests/lint/golden/*.txt) was recorded before the lint was made cheaper (issue 18): every rule,
``file:line:column`` and message must stay the same. Regenerate only for a deliberate change of
the findings: ``KB_GOLDEN_UPDATE=1 pytest tests/lint/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.content.sources import read_texts
from generator.diagnostics import errors
from generator.lint import LintConfig, lint_for_texts, parse_config
from generator.model.build import build_catalog
from tests.lint import corpus

GOLDEN = Path(__file__).parent / "golden"

# Tighter settings, so more sentences and texts are measured and reported; tú as the register.
STRICTER = """\
rules:
  sentence_length: {max_words: {end_user: 12, technician: 16}}
  readability: {min_score: {end_user: 75, technician: 65}, min_words: 10}
  address: {es: tú}
technician_headings: [Para el técnico, Solución]
"""


def _config(name: str) -> LintConfig | None:
    if name == "default":
        return None
    parsed, problems = parse_config(STRICTER)
    assert problems == [] and parsed is not None
    return parsed


def _findings(files: dict[str, str], cfg: LintConfig | None) -> str:
    catalog, diags = build_catalog(read_texts(files))
    assert errors(diags) == [], [d.format() for d in diags]
    return "".join(d.format() + "\n" for d in lint_for_texts(catalog, files, cfg))


@pytest.mark.parametrize("setting", ["default", "stricter"])
@pytest.mark.parametrize("content", ["starter", "generated"])
def test_lint_findings_equal_the_recorded_expectation(content: str, setting: str, tmp_path: Path) -> None:
    files = corpus.starter() if content == "starter" else corpus.generated(tmp_path / "tree")
    found = _findings(files, _config(setting))
    golden = GOLDEN / f"{content}-{setting}.txt"
    if os.environ.get("KB_GOLDEN_UPDATE") == "1":
        golden.write_text(found, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert found.count("\n") > 100  # the corpus does break the rules
    assert found == expected
