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


def test_low_click_searches_of_a_stored_report_feed_the_suggestions(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Events in a SQLite store -> kb report -> report.json's low_click_searches -> kb synonyms suggest:
    a search that found pages nobody opened ("router wifi modo avion": wifi known, the rest not) gives
    its unknown words as groups, beside the zero-result ones."""
    from generator.store import open_store

    def search(i: int, query: str, results: int, clicked: str | None = None) -> dict[str, object]:
        return {"id": f"00000000-0000-4000-8000-{i:012d}", "type": "search", "ts": "2026-11-20T08:00:00Z",
                "page": "/", "query": query, "results": results, "clicked": clicked}
    events = [search(i, "wifi modo avion", 2) for i in range(4)]  # found wifi pages, never opened
    events += [search(10 + i, "cable suelto", 1) for i in range(3)] + [search(13, "cable suelto", 1, "cable-suelto")]
    events += [search(20, "hoja de calculo", 0)]
    root = tmp_path / "repo"
    shutil.copytree(TINY, root)
    db = root / ".kb-data" / "events.sqlite3"  # the default store of kb serve and kb report
    store = open_store(f"sqlite:///{db}", root / ".kb-data")
    store.insert(events)
    store.close()
    out = tmp_path / "report"
    assert main(["report", "--root", str(root), "--db", f"sqlite:///{db}", "--out", str(out),
                 "--today", "2026-11-23"]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["health"]["low_click_searches"] == [{"query": "wifi modo avion", "searches": 4, "clicks": 0}]
    capsys.readouterr()
    assert main(["synonyms", "suggest", "--report", str(out / "report.json"), "-d", str(site)]) == 0
    text = capsys.readouterr().out
    assert [g[0] for g in load(text, "s.yml").data["groups"]] == ["avion", "modo", "calculo"]
    assert '# 4 searches: "wifi modo avion" (found 4, 0 clicks)' in text
    assert "from 1 zero-result and 1 low-click searches" in text
