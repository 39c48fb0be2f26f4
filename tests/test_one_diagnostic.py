"""Content, import and service problems are one type: generator.diagnostics.Diagnostic."""

from __future__ import annotations

from datetime import UTC, datetime

from generator.diagnostics import Diagnostic, Severity, format_json
from generator.importer.report import ImportResult, finding
from generator.service.events import problem_json, validate_batch


def test_an_import_finding_is_a_diagnostic() -> None:
    f = finding("a.md", 3, 2, "warning", "bad-date", "expected a date, found 'ayer'", "date")
    assert isinstance(f, Diagnostic) and f.severity is Severity.WARNING and f.code == "bad-date"
    assert f.format(level=True) == "a.md:3:2: warning: [bad-date] date: expected a date, found 'ayer'"
    result = ImportResult("src", "kb", False, findings=[f])
    assert result.lines("  ") == ["  a.md:3:2: warning: [bad-date] date: expected a date, found 'ayer'"]
    assert '"source": "a.md"' in result.as_json() and '"level": "warning"' in result.as_json()


def test_a_refused_event_is_a_diagnostic() -> None:
    batch = validate_batch({"events": [{"id": "x", "type": "nope"}]}, None, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert batch.problems and all(isinstance(p, Diagnostic) for p in batch.problems)
    p = batch.problems[0]
    assert (p.path, p.line, p.subject) == ("events", 1, "x")
    assert problem_json(p)["index"] == 0 and problem_json(p)["id"] == "x"


def test_content_json_keeps_its_shape() -> None:
    """The code and subject a content diagnostic does not use stay out of `kb validate --format json`."""
    out = format_json([Diagnostic("kb/a.md", 1, 1, "id", "expected an id")], 1)
    assert '"code"' not in out and '"subject"' not in out
