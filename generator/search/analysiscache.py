"""Each document's analysis kept between builds: ``analysis.json`` in the search's build-cache folder.

An entry is keyed on what :func:`documents.analyze` reads (the document's language and the text of each
field) and on the analysis code (``analysis.py`` and ``documents.py``); it holds the term counts by
field and the word sets, as JSON (never pickle). A rebuild analyses only the documents whose key is not
there; a missing, corrupt or foreign file is ignored (everything is analysed again), never an error.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from sys import intern
from typing import Any, Final

from generator.pipeline.cachefiles import digest, read_json, write_atomic
from generator.search.documents import FIELDS, Analyzed, SearchDoc, analyze

FORMAT: Final = 1
FILE: Final = "analysis.json"
_HERE = Path(__file__).resolve().parent


@functools.cache
def analysis_version() -> str:
    return digest(str(FORMAT), (_HERE / "analysis.py").read_bytes(), (_HERE / "documents.py").read_bytes())


def doc_key(doc: SearchDoc) -> str:
    return digest(analysis_version(), doc.lang, *(doc.text.get(f, "") for f in FIELDS))


def _entry(a: Analyzed) -> list[Any]:
    return [{f: dict(a.tf[f]) for f in FIELDS}, sorted(a.words), sorted(a.strong)]


def _analyzed(doc: SearchDoc, entry: Any) -> Analyzed | None:
    """The analysis of ``doc`` from a stored entry; None if the entry is malformed."""
    try:
        tf_json, words, strong = entry
        # JSON's decoder shares the strings of equal keys: the terms need no interning
        tf = {f: Counter(tf_json[f]) for f in FIELDS}
        every = frozenset(map(intern, words))
        return Analyzed(dataclasses.replace(doc, text={}), tf, every, every.intersection(strong))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


class AnalysisCache:
    """``analyze`` with the entries of ``folder / analysis.json``; :meth:`save` keeps this build's."""

    def __init__(self, folder: Path | None, *, read: bool = True) -> None:
        self.folder = folder
        self.old: dict[str, Any] = {}
        if folder is not None and read:
            doc = read_json(folder / FILE)
            if isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("docs"), dict):
                self.old = doc["docs"]
        self.keys: list[str] = []  # the key of each document analysed, in order
        self.analysed = 0  # documents analysed (not found in the cache)

    def analyze(self, docs: Iterable[SearchDoc]) -> list[Analyzed]:
        """The analysis of each document; the stored entries used are let go as they are read (what is
        left in :attr:`old` are earlier versions of documents changed since, and deleted documents)."""
        out = []
        for doc in docs:
            key = doc_key(doc)
            entry = self.old.pop(key, None)
            a = _analyzed(doc, entry) if entry is not None else None
            if a is None:
                a = analyze(doc)
                self.analysed += 1
            self.keys.append(key)
            out.append(a)
        return out

    def stored_tf(self, key: str) -> dict[str, dict[str, int]] | None:
        """The term counts by field of the stored entry ``key`` (an earlier build's document), if any."""
        entry = self.old.get(key)
        if not isinstance(entry, list) or not entry or not isinstance(entry[0], dict):
            return None
        tf = entry[0]
        return tf if all(isinstance(tf.get(f), dict) for f in FIELDS) else None

    def save(self, docs: Sequence[Analyzed]) -> None:
        """Write the entries of ``docs`` (the documents :meth:`analyze` returned), one at a time."""
        if self.folder is None or (not self.old and not self.analysed):
            return  # the same documents as the file holds

        def chunks() -> Iterator[bytes]:
            yield b'{"format":%d,"docs":{' % FORMAT
            for i, (key, a) in enumerate(zip(self.keys, docs, strict=True)):
                entry = json.dumps(_entry(a), ensure_ascii=False, separators=(",", ":"))
                yield f'{"," if i else ""}"{key}":{entry}'.encode()
            yield b"}}"

        write_atomic(self.folder / FILE, chunks())
