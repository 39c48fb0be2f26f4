"""The relevance harness (tests/search/queries.yml): fails below the Recall@3 the project promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.search.build import SearchBuild
from generator.search.evaluate import Metrics, evaluate, load_queries, unknown_ids
from generator.search.server import ServerIndex
from generator.search.static import StaticIndex
from tests.search.conftest import QUERIES
from tests.sitebuild import REPO

MIN_RECALL3 = {"server": 0.9, "static": 0.8}


@pytest.fixture(scope="module")
def metrics(starter_indexes: Path, starter_build: SearchBuild) -> dict[str, Metrics]:
    """Both searches evaluated over every harness query (a translation of an expected page counts)."""
    qs = load_queries(QUERIES)
    family = {d.doc.id: d.doc.family for d in starter_build.docs if d.doc.family}
    server = ServerIndex(starter_indexes / "search" / "server")
    try:
        return {"static": evaluate("static", StaticIndex(starter_indexes / "search"), qs, family),
                "server": evaluate("server", server, qs, family)}
    finally:
        server.close()


def test_the_query_file_is_a_fair_test(starter_build: SearchBuild) -> None:
    """At least 80 queries, a quarter with typos or missing accents, English too; every id exists;
    queries are phrased as symptoms, not copied titles."""
    qs = load_queries(QUERIES)
    assert len(qs) >= 80
    assert sum(q.typo for q in qs) >= len(qs) / 4
    assert sum(q.lang == "en" for q in qs) >= 10
    catalog = starter_build.catalog
    assert unknown_ids(qs, set(catalog.article_by_id) | set(catalog.protocol_by_id)) == []
    titles = {a.meta.title.lower() for a in catalog.articles} | {p.model.title.lower() for p in catalog.protocols}
    assert [q.q for q in qs if q.q.lower() in titles] == []
    expected = {e for q in qs for e in q.expected}
    assert len(expected) >= 30  # most of the content is someone's answer


@pytest.mark.parametrize("name", ["server", "static"])
def test_recall_at_3(metrics: dict[str, Metrics], name: str) -> None:
    m = metrics[name]
    misses = [(o.query.q, o.query.expected, o.top[:3]) for o in m.misses(3)]
    assert m.recall(3) >= MIN_RECALL3[name], misses
    assert m.recall(3, "typo") >= MIN_RECALL3[name], misses


def test_search_eval_prints_both_searches(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search-eval", "--root", str(REPO), "--json", "--min-server", "0.9", "--min-static", "0.8"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True
    assert [r["name"] for r in out["results"]] == ["static", "server"]
    assert all(set(r) >= {"recall@1", "recall@3", "mrr", "queries"} for r in out["results"])
    assert out["results"][0]["queries"] >= 80


def test_search_eval_fails_below_the_minimum(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search-eval", "--root", str(REPO), "--min-server", "1.01"]) == 1
    out = capsys.readouterr().out
    assert "R@3" in out and "FAIL: server Recall@3" in out
