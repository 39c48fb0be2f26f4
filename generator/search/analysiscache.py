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
from collections.abc import Iterable
from pathlib import Path
from sys import intern
from typing import Any, Final

from generator.pipeline.cachefiles import digest, write_atomic
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
        tf = {f: Counter({intern(t): int(c) for t, c in tf_json[f].items()}) for f in FIELDS}
        return Analyzed(dataclasses.replace(doc, text={}), tf, frozenset(intern(w) for w in words),
                        frozenset(intern(w) for w in strong))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


class AnalysisCache:
    """``analyze`` with the entries of ``folder / analysis.json``; :meth:`save` keeps this build's."""

    def __init__(self, folder: Path | None, *, read: bool = True) -> None:
        self.folder = folder
        self.old: dict[str, Any] = {}
        if folder is not None and read:
            try:
                doc = json.loads((folder / FILE).read_bytes())
            except (OSError, ValueError):
                doc = None
            if isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("docs"), dict):
                self.old = doc["docs"]
        self.new: dict[str, Any] = {}
        self.keys: list[str] = []  # the key of each document analysed, in order
        self.analysed = 0  # documents analysed (not found in the cache)

    def analyze(self, docs: Iterable[SearchDoc]) -> list[Analyzed]:
        out = []
        for doc in docs:
            key = doc_key(doc)
            entry = self.old.get(key)
            a = _analyzed(doc, entry) if entry is not None else None
            if a is None:
                a = analyze(doc)
                entry = _entry(a)
                self.analysed += 1
            self.new[key] = entry
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

    def save(self) -> None:
        if self.folder is None or (self.new.keys() == self.old.keys() and not self.analysed):
            return
        write_atomic(self.folder / FILE, json.dumps({"format": FORMAT, "docs": self.new}, ensure_ascii=False,
                                                    separators=(",", ":")).encode("utf-8"))
