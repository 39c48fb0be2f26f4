"""The whoosh server index written in segments, so that a rebuild rewrites only the segments it changed.

The documents (in doc-number order) are cut into runs by their ids (:func:`runs`: a run ends after an id
whose CRC-32 is a multiple of ``RUN``, or at ``4 * RUN`` documents), each run one whoosh segment, listed
in order in the index's table of contents: doc numbers, hence the order of equal scores, are those of a
single segment. ``segments.json`` beside the index names each segment's file and the digest of what it
holds (every field of its documents, impacts included). A rebuild given the previous index links in the
segment files whose digest it would write again and writes the others; a new or deleted document
changes its run only. The impacts of unchanged documents stay the same across most edits
(``scoring.coarse``), so one edited article rewrites one segment.

A reader sees the same terms, weights, stored fields and document frequencies as in an index written
in one segment (tests/search/test_segments.py compares the two); whoosh is only imported here and in
``server.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from generator.pipeline.cachefiles import digest, read_json, write_atomic
from generator.search.documents import Analyzed
from generator.search.scoring import Impacts

RUN: Final = 512  # documents per segment, on average
SEGMENTS_FILE: Final = "segments.json"
FORMAT: Final = 1
INDEX_NAME: Final = "MAIN"


def runs(ids: Sequence[str], run: int = RUN) -> list[range]:
    """Consecutive runs of doc numbers, cut after an id whose CRC-32 is a multiple of ``run`` (an insertion
    or a deletion changes one run) or at ``4 * run`` documents."""
    out: list[range] = []
    start = 0
    for i, ident in enumerate(ids):
        if zlib.crc32(ident.encode("utf-8")) % run == 0 or i + 1 - start >= 4 * run:
            out.append(range(start, i + 1))
            start = i + 1
    if start < len(ids):
        out.append(range(start, len(ids)))
    return out


def per_document(n: int, impacts: Impacts) -> list[dict[str, int]]:
    """Each document's impacts by term (terms in sorted order)."""
    per_doc: list[dict[str, int]] = [{} for _ in range(n)]
    for term in sorted(impacts):
        for num, impact in impacts[term]:
            per_doc[num][term] = impact
    return per_doc


def _previous(folder: Path | None) -> dict[str, str]:
    """digest -> segment id of the previous index's segments whose files are there."""
    if folder is None:
        return {}
    doc = read_json(folder / SEGMENTS_FILE)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("segments"), list):
        return {}
    out = {}
    for seg in doc["segments"]:
        if (isinstance(seg, dict) and isinstance(seg.get("id"), str) and isinstance(seg.get("digest"), str)
                and seg["id"].isalnum() and _size(folder / f"{INDEX_NAME}_{seg['id']}.seg") == seg.get("bytes")):
            out[seg["digest"]] = seg["id"]
    return out


def _canonical(row: Mapping[str, Any]) -> str:
    """A document's fields as one string (its impacts are in term order: :func:`per_document`)."""
    return repr([(k, sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in row.items()])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def write_segments(docs: Sequence[Analyzed], impacts: Impacts, out: Path, *, schema: Any,
                   fields: Any, previous: Path | None = None, run: int = RUN) -> int:
    """Write the index of ``docs`` into the new folder ``out``, linking the segments of the index in
    ``previous`` that hold exactly what a run would; returns how many segments were written."""
    from whoosh import __version__ as whoosh_version
    from whoosh.codec.whoosh3 import W3Codec, W3Segment
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    out.mkdir(parents=True)
    old = _previous(previous)
    per_doc = per_document(len(docs), impacts)
    segments, listed, written = [], [], 0
    for chunk in runs([a.doc.id for a in docs], run):
        rows = [fields(docs[n], per_doc[n]) for n in chunk]
        key = digest(str(FORMAT), ".".join(map(str, whoosh_version)), *map(_canonical, rows))
        segid = old.get(key)
        if segid is not None and previous is not None:
            _link(previous / f"{INDEX_NAME}_{segid}.seg", out / f"{INDEX_NAME}_{segid}.seg")
        else:
            segid = _write_one(rows, out, schema)
            written += 1
        seg = W3Segment(W3Codec(), INDEX_NAME, len(chunk), segid)
        seg.compound = True
        segments.append(seg)
        listed.append({"id": segid, "docs": len(chunk), "digest": key,
                       "bytes": _size(out / f"{INDEX_NAME}_{segid}.seg")})
    TOC(schema, segments, 1).write(FileStorage(str(out)), INDEX_NAME)
    write_atomic(out / SEGMENTS_FILE, json.dumps({"format": FORMAT, "segments": listed}).encode("utf-8"))
    return written


def _link(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:  # another file system
        shutil.copyfile(src, dest)


def _write_one(rows: Sequence[Mapping[str, Any]], out: Path, schema: Any) -> str:
    """One segment of ``rows`` written in its own index, its file moved into ``out``; returns its id."""
    from whoosh import index

    tmp = Path(tempfile.mkdtemp(prefix=".segment-", dir=out))
    try:
        ix = index.create_in(str(tmp), schema)
        writer = ix.writer(limitmb=48)  # whoosh's sort buffer: 48 MB keeps a 10,000-page build's peak down
        for row in rows:
            writer.add_document(**row)
        writer.commit(merge=False)
        ix.close()
        (made,) = [p for p in tmp.iterdir() if p.suffix == ".seg"]
        os.replace(made, out / made.name)
        return made.stem.removeprefix(f"{INDEX_NAME}_")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
