"""kb-report.yml: defaults, errors at their position, technician aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import ContentError
from generator.report.common import Filters
from generator.report.config import ReportConfig, load_config
from generator.report.metrics import report_from_events
from tests.report.fixture import events
from tests.report.test_metrics import TODAY

REPO = Path(__file__).resolve().parents[2]


def test_the_repository_file_states_the_defaults() -> None:
    assert load_config(REPO) == ReportConfig()
    assert load_config(None) == ReportConfig()


def test_errors_name_file_line_column_and_key(tmp_path: Path) -> None:
    (tmp_path / "kb-report.yml").write_text("targets:\n  fcr: 150\n  csta: 90\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_config(tmp_path)
    shown = [d.format() for d in caught.value.diagnostics]
    assert shown[0].startswith("kb-report.yml:2:8: targets.fcr: ")
    assert shown[1].startswith("kb-report.yml:3:3: targets.csta: ")


def test_aliases_make_one_technician(tmp_path: Path) -> None:
    (tmp_path / "kb-report.yml").write_text("technicians:\n  'Ben ': ANA\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.aliases() == (("ben", "ana"),)
    from generator.report.build import content_manifest
    from tests.sitebuild import TINY

    report = report_from_events(events(), content_manifest(TINY, TODAY), Filters(aliases=config.aliases()), TODAY)
    assert [r["technician"] for r in report["csat_by"]["technician"]] == ["ana"]  # ana and ben's answers together
    assert report["csat_by"]["technician"][0]["answers"] == 3
