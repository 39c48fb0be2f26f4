"""The validation cache: what each content file gave (its parse result and its lint findings), kept
between runs in the private data folder, ``<data>/cache/validate/files.json``.

An entry is keyed on the file's path and the SHA-256 of its bytes, inside a pack stamped with the
code version (:func:`code_version`: the source of every stage that reads, models or lints a file,
and the versions of the libraries they use); its lint findings are kept with the lint settings
they were computed with (kb-lint.yml and the site's register, :func:`lint_key`). A run reads every
file's bytes to hash them, reuses each unchanged file's entry and parses only the others; the
catalog-wide rules (ids, references, translations, the protocol graph, review dates) always run
again on the whole catalog. Cold or cached, every file's result goes through the same entry form
(:func:`pack_file` -> :func:`unpack_file`), so both give the same diagnostics.

JSON only (a cache restored from CI never executes code). A missing, corrupt, foreign-version or
half-written pack, or a malformed entry, is ignored and rebuilt; the pack is written atomically
(temporary file + ``os.replace``), and only when something changed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import platform
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.content.parallel import in_background
from generator.content.sources import ArticleSource, Heading, ProtocolSource, decode
from generator.content.yamlsafe import Located, PathKey, Pos
from generator.diagnostics import Diagnostic, Severity
from generator.lint.config import LintConfig
from generator.pipeline.cachefiles import digest, read_json, tree_digest, write_atomic

FORMAT = 1
PACK = "files.json"
Entry = dict[str, Any]
Source = ArticleSource | ProtocolSource

# The code a file's entry depends on: its reading, its model, its lint.
_CODE_PARTS = ("content", "model", "lint", "pipeline", "diagnostics.py")
_LIBRARIES = ("pydantic", "pydantic-core", "PyYAML")


@functools.cache
def code_version() -> str:
    """A hash of the code that makes an entry: a change to any of it starts the cache afresh."""
    base = Path(__file__).resolve().parent.parent
    versions = []
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name}={metadata.version(name)}")
    code = [tree_digest(base / part) if (base / part).is_dir() else (base / part).read_bytes() for part in _CODE_PARTS]
    return digest(str(FORMAT), platform.python_version(), *versions, *code)


def lint_key(config: LintConfig | None) -> str | None:
    """The lint settings findings depend on (None: no lint)."""
    if config is None:
        return None
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:24]


def file_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class Pack:
    """The entries of the last run, by path; empty without a folder or when unreadable."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.entries: dict[str, Entry] = self._load() if folder is not None else {}

    def _load(self) -> dict[str, Entry]:
        assert self.folder is not None
        raw = read_json(self.folder / PACK)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("code") != code_version():
            return {}
        entries = raw.get("entries")
        return entries if isinstance(entries, dict) else {}

    def usable(self, rel: str, sha: str, lint: str | None) -> Entry | None:
        """The entry of ``rel`` if it was made from these bytes (and, when linting, with these settings)."""
        entry = self.entries.get(rel)
        if not isinstance(entry, dict) or entry.get("sha") != sha:
            return None
        if lint is not None and entry.get("lint_key") != lint:
            return None
        return entry

    def save(self, entries: Mapping[str, Entry]) -> None:
        """Write ``entries`` as the pack (atomically); a folder that cannot be written is left alone."""
        self.save_later(entries, background=False)()

    def save_later(self, entries: Mapping[str, Entry], *, background: bool = True) -> Callable[[], None]:
        """:meth:`save`, in a forked child when ``background`` (turning 20 MB of entries into JSON
        and writing it takes 0.3 s at 10,000 files): the returned function waits for it."""
        if self.folder is None or dict(entries) == self.entries:
            return lambda: None
        if background:
            return in_background(lambda: self._write(entries))
        self._write(entries)
        return lambda: None

    def _write(self, entries: Mapping[str, Entry]) -> None:
        assert self.folder is not None
        body = json.dumps({"format": FORMAT, "code": code_version(), "entries": entries},
                          ensure_ascii=False, separators=(",", ":"))
        try:
            write_atomic(self.folder / PACK, body.encode("utf-8"))
        except OSError:
            return


# --- one file's result as JSON and back -----------------------------------------------------------

def _pack_diags(diags: Iterable[Diagnostic]) -> list[list[Any]]:
    return [[d.path, d.line, d.col, d.key, d.message, d.severity.value, d.code, d.subject] for d in diags]


def _unpack_diags(rows: list[list[Any]]) -> list[Diagnostic]:
    return [Diagnostic(str(p), int(line), int(col), str(key), str(msg), Severity(sev), str(code),
                       None if subject is None else str(subject))
            for p, line, col, key, msg, sev, code, subject in rows]


def _pack_located(located: Located) -> list[Any]:
    """The data, and the positions as one JSON text: decoded only when a message needs one."""
    rows = [[[line, col, *path] for path, (line, col) in located.values.items()],
            [[line, col, *path] for path, (line, col) in located.keys.items()]]
    return [located.data, json.dumps(rows, ensure_ascii=False, separators=(",", ":"))]


class PackedLocated(Located):
    """A :class:`Located` whose positions stay a JSON text until first asked for (most never are:
    only messages use them)."""

    def __init__(self, data: Any, positions: str) -> None:
        self.data = data
        self._positions = positions
        self._decoded: tuple[dict[PathKey, Pos], dict[PathKey, Pos]] | None = None

    def _both(self) -> tuple[dict[PathKey, Pos], dict[PathKey, Pos]]:
        if self._decoded is None:
            values, keys = json.loads(self._positions)
            self._decoded = ({tuple(row[2:]): (row[0], row[1]) for row in values},
                             {tuple(row[2:]): (row[0], row[1]) for row in keys})
        return self._decoded

    @property
    def values(self) -> dict[PathKey, Pos]:
        return self._both()[0]

    @values.setter
    def values(self, value: dict[PathKey, Pos]) -> None:
        self._decoded = (value, self._both()[1])

    @property
    def keys(self) -> dict[PathKey, Pos]:
        return self._both()[1]

    @keys.setter
    def keys(self, value: dict[PathKey, Pos]) -> None:
        self._decoded = (self._both()[0], value)


def _unpack_located(packed: list[Any]) -> Located:
    data, positions = packed
    if not isinstance(positions, str):
        raise TypeError("positions: expected a JSON text")
    return PackedLocated(data, positions)


def pack_file(sha: str, text: str | None, source: Source | None, diags: list[Diagnostic], *,
              undecoded: bool = False, lint: str | None = None, found: list[Diagnostic] | None = None) -> Entry:
    """The entry of one file: its bytes' hash, what reading it gave and, with ``lint``, its findings."""
    entry: Entry = {"sha": sha, "diags": _pack_diags(diags), "undecoded": undecoded,
                    "lint_key": lint, "lint": _pack_diags(found or [])}
    if isinstance(source, ArticleSource):
        assert text is not None
        entry["article"] = [source.area, _pack_located(source.located), len(text) - len(source.body),
                            source.body_line, [[h.level, h.text, h.line] for h in source.headings], source.digest]
    elif isinstance(source, ProtocolSource):
        entry["protocol"] = [_pack_located(source.located), source.digest]
    return entry


def unpack_file(rel: str, entry: Entry, raw: bytes) -> tuple[Source | None, list[Diagnostic], bool, list[Diagnostic]]:
    """(source, reading's diagnostics, undecoded?, lint findings) of an entry; raises ValueError,
    TypeError, KeyError or IndexError on a malformed one."""
    source: Source | None = None
    if "article" in entry:
        area, located, body_at, body_line, headings, digest = entry["article"]
        text = decode(raw, rel)
        source = ArticleSource(rel, str(area), _unpack_located(located), text[int(body_at):], int(body_line),
                               tuple(Heading(int(lv), str(t), int(line)) for lv, t, line in headings), str(digest))
    elif "protocol" in entry:
        located, digest = entry["protocol"]
        source = ProtocolSource(rel, _unpack_located(located), str(digest))
    return source, _unpack_diags(entry["diags"]), bool(entry["undecoded"]), _unpack_diags(entry["lint"])
