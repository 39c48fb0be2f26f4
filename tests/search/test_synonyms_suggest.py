"""`kb synonyms suggest`: groups to review from the report's zero-result searches (generator/search/suggest.py)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.content.yamlsafe import load
from generator.pipeline.validation import validate_tree
from generator.search.build import SearchBuild

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("suggest") / "repo"
    shutil.copytree(TINY, root)
    result = validate_tree(root, date(2026, 11, 23))
    assert result.ok, [d.format() for d in result.diagnostics]
    SearchBuild.prepare(result.catalog).write_static(root / "site")
    return root / "site"


def report(tmp_path: Path, rows: list[tuple[str, int]]) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"health": {"zero_result_searches": [{"query": q, "searches": n} for q, n in rows]}}),
                    encoding="utf-8")
    return path


def test_unknown_words_of_zero_result_searches_become_groups_to_review(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = report(tmp_path, [("hoja de calculo", 3), ("cable desconectado del switch", 2), ("cable", 1),
                             ("clave olvidada", 1), ("causante", 1), ("42", 5)])
    assert main(["synonyms", "suggest", "--report", str(path), "-d", str(site)]) == 0
    out = capsys.readouterr().out
    groups = load(out, "suggested.yml").data["groups"]
    assert [g[0] for g in groups] == ["calculo", "desconectado", "switch", "causante", "olvidada"]
    assert '# 3 searches: "hoja de calculo"' in out
    assert "cable" not in [g[0] for g in groups]  # the site has it
    assert "clave" not in [g[0] for g in groups]  # a synonym group has it (contraseña)
    assert "hoja" not in [g[0] for g in groups]  # so does hoja (papel, paper…)
    line = next(ln for ln in out.splitlines() if ln.startswith("  - [causante]"))
    assert line.endswith("the site has: causa")


def test_min_searches_and_errors(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = report(tmp_path, [("hoja de calculo", 3), ("switch", 1)])
    assert main(["synonyms", "suggest", "--report", str(path), "-d", str(site), "--min-searches", "2"]) == 0
    assert [g[0] for g in load(capsys.readouterr().out, "s.yml").data["groups"]] == ["calculo"]
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    assert main(["synonyms", "suggest", "--report", str(tmp_path / "bad.json"), "-d", str(site)]) == 2
    assert "zero_result_searches" in capsys.readouterr().err
    assert main(["synonyms", "suggest", "--report", str(path), "-d", str(tmp_path)]) == 2
