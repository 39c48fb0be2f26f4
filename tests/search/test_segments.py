"""The server index in segments (generator/search/segments.py): it answers like an index written in one
segment, and a rebuild given the previous index rewrites only the segments whose documents changed."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from generator.search.build import SearchBuild
from generator.search.documents import Analyzed
from generator.search.scoring import coarse, compute_impacts
from generator.search.segments import SEGMENTS_FILE, runs, write_segments
from generator.search.server import ServerIndex, _fields, _schema, build_server_index
from tests.search.conftest import QUERIES


def _answers(folder: Path) -> list[Any]:
    ix = ServerIndex(folder)
    try:
        out = []
        for item in yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]:
            r = ix.search(item["q"], limit=10, facets=True)
            out.append((r.query, r.hits, r.total, r.facets, r.corrected))
        reader = ix._searcher.reader()
        words = sorted((w, reader.doc_frequency("words", w)) for w in (b.decode() for b in reader.lexicon("words")))
        stored = list(reader.all_stored_fields())
        return [out, words, stored, ix.doc_count]
    finally:
        ix.close()


def _write(docs: list[Analyzed], out: Path, run: int, previous: Path | None = None) -> int:
    written = write_segments(docs, compute_impacts(docs), out, schema=_schema(), fields=_fields,
                             previous=previous, run=run)
    (out / "synonyms.json").write_text("[]", encoding="utf-8")
    return written


def test_runs_cut_by_id_so_an_insertion_changes_one_run() -> None:
    ids = [f"articulo-{i:04d}" for i in range(2000)]
    before = runs(ids, 16)
    assert [n for r in before for n in r] == list(range(2000)) and 40 < len(before) < 300
    assert max(len(r) for r in before) <= 64
    after = runs([*ids[:700], "articulo-0700-bis", *ids[700:]], 16)
    as_ids = {tuple(ids[n] for n in r) for r in before}
    inserted = [*ids[:700], "articulo-0700-bis", *ids[700:]]
    assert len([r for r in after if tuple(inserted[n] for n in r) not in as_ids]) == 1


def test_segments_answer_like_one_segment(starter_build: SearchBuild, tmp_path: Path) -> None:
    docs = starter_build.docs
    assert _write(docs, tmp_path / "one", run=10**9) == 1
    many = _write(docs, tmp_path / "many", run=4)
    assert many > 5
    assert _answers(tmp_path / "many") == _answers(tmp_path / "one")


def _edited(docs: list[Analyzed], num: int) -> list[Analyzed]:
    """Document ``num`` with one more body word: its own impacts change, nobody else's (coarse statistics)."""
    a = docs[num]
    body = Counter(a.tf["body"])
    body[next(iter(body))] += 1
    return [*docs[:num], dataclasses.replace(a, tf={**a.tf, "body": body}), *docs[num + 1:]]


def test_a_rebuild_rewrites_the_segment_it_changed(starter_build: SearchBuild, tmp_path: Path) -> None:
    docs = list(starter_build.docs)
    assert _write(docs, tmp_path / "a", run=4) > 5
    assert _write(docs, tmp_path / "same", run=4, previous=tmp_path / "a") == 0
    edited = _edited(docs, len(docs) // 2)
    assert _write(edited, tmp_path / "b", run=4, previous=tmp_path / "a") == 1
    assert _write(edited, tmp_path / "clean", run=4) > 5
    segs = [json.loads((tmp_path / d / SEGMENTS_FILE).read_text())["segments"] for d in ("b", "clean")]
    assert [s["digest"] for s in segs[0]] == [s["digest"] for s in segs[1]]
    assert _answers(tmp_path / "b") == _answers(tmp_path / "clean")


def test_a_broken_previous_index_is_written_anew(starter_build: SearchBuild, tmp_path: Path) -> None:
    docs = list(starter_build.docs)
    _write(docs, tmp_path / "a", run=4)
    segs = json.loads((tmp_path / "a" / SEGMENTS_FILE).read_text())["segments"]
    seg = tmp_path / "a" / f"MAIN_{segs[0]['id']}.seg"
    seg.write_bytes(seg.read_bytes() + b"x")  # a modified segment file is not reused
    assert _write(docs, tmp_path / "b", run=4, previous=tmp_path / "a") == 1
    (tmp_path / "b" / SEGMENTS_FILE).write_text("{not json", encoding="utf-8")
    assert _write(docs, tmp_path / "c", run=4, previous=tmp_path / "b") == len(segs)
    assert _answers(tmp_path / "c") == _answers(tmp_path / "a")
    build_server_index(docs, compute_impacts(docs), starter_build.synonyms, tmp_path / "c", previous=tmp_path / "x")


def test_coarse_statistics() -> None:
    assert [coarse(x) for x in (0, 7, 99, 100, 149, 1234, 12_345, 99.5)] == [
        0, 7, 99, 100, 150, 1200, 12_000, 99.5]
