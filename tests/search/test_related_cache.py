"""Related articles brought up to date from the previous build's (generator/search/relatedcache.py): after
each of a seeded sequence of edits, exactly what a computation from scratch gives, ranking again only the
articles an edit can reach."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from generator.pipeline.validation import validate_tree
from generator.search.analysiscache import AnalysisCache
from generator.search.build import SearchBuild
from generator.search.related import related_articles
from generator.search.relatedcache import RelatedCache
from tests.benchtree import bench_build

N = 300
TODAY = date(2026, 11, 23)


def _related(root: Path, cache: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], int]:
    """(incremental, from scratch, articles ranked by the incremental one)."""
    result = validate_tree(root, TODAY)
    assert result.ok, [d.format() for d in result.diagnostics][:3]
    analyses = AnalysisCache(cache)
    build = SearchBuild.prepare(result.catalog, cache=analyses)
    near = RelatedCache(cache, old_tf=analyses.stored_tf)
    got = build.related(5, cache=near, keys=analyses.keys)
    return got, related_articles(build.docs, result.catalog, 5), near.computed


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


EDITS = [
    ("body", lambda p, rng: _append(p, "\nSi el problema continúa, reinicie el equipo y vuelva a probar.\n")),
    ("new words", lambda p, rng: _append(p, f"\nEl conector zeta{rng.randrange(99)} del módulo omega falla.\n")),
    ("title", lambda p, rng: p.write_text(p.read_text(encoding="utf-8").replace(
        "\ntitle: ", "\ntitle: Revisado - ", 1), encoding="utf-8")),
    ("tags", lambda p, rng: p.write_text(p.read_text(encoding="utf-8").replace(
        "tags:\n", "tags:\n  - urgente\n", 1), encoding="utf-8")),
    ("body cut", lambda p, rng: p.write_text(p.read_text(encoding="utf-8").split("## Causa")[0] + "## Causa\n\n"
                                             "Un controlador desactualizado.\n\n## Solución\n\n1. Actualice.\n\n"
                                             "## Prevención\n\nMantenga el equipo al día.\n", encoding="utf-8")),
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("related") / "repo"
    bench_build().generate_repo(root, N, 11)
    return root


def test_edits_rank_again_only_what_they_reach(repo: Path, tmp_path: Path) -> None:
    got, clean, computed = _related(repo, tmp_path)
    assert got == clean and computed == N
    got, clean, computed = _related(repo, tmp_path)
    assert got == clean and computed == 0  # nothing changed: nothing ranked
    rng = random.Random(18)
    articles = sorted(p for p in (repo / "kb").glob("*/*.md") if p.name != "index.md")
    for step in range(8):
        kind, edit = EDITS[step % len(EDITS)]
        edit(rng.choice(articles), rng)
        got, clean, computed = _related(repo, tmp_path)
        assert got == clean, (step, kind, {k for k in clean if got.get(k) != clean[k]})
        assert 0 < computed < N, (step, kind, computed)


def test_a_missing_or_broken_state_computes_everything(repo: Path, tmp_path: Path) -> None:
    _related(repo, tmp_path)
    (tmp_path / "related-state.json").write_text('{"version": 1', encoding="utf-8")
    got, clean, computed = _related(repo, tmp_path)
    assert got == clean and computed == N
    (tmp_path / "analysis.json").unlink()  # the old analyses are gone: an edited article's old terms unknown
    _append(sorted((repo / "kb").glob("*/*.md"))[3], "\nReinicie el router.\n")
    got, clean, computed = _related(repo, tmp_path)
    assert got == clean and computed == N
