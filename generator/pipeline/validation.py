"""Validation as the pipeline runs it: read (across the cores), model, check, lint and the git
history of translations, in that order; for builds, in a forked process, so the caller loads the
engine meanwhile and only the result (without positions) comes back."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from generator.content.history import GitHistory, open_history
from generator.content.parallel import share_work
from generator.content.sources import (
    ArticleSource,
    ProtocolSource,
    ReadResult,
    content_paths,
    decode,
    read_texts,
    with_problems,
)
from generator.diagnostics import ContentError, Diagnostic, Severity, sort_diagnostics
from generator.lint import lint_catalog, lint_for_texts
from generator.lint.config import LintConfig
from generator.model.build import build_catalog
from generator.model.catalog import Catalog
from generator.model.validate import ValidationResult, validate_with
from generator.pipeline.lint import load_config
from generator.pipeline.options import cache_folder, configured_data_folder
from generator.pipeline.today import today as today_from_env
from generator.pipeline.vcache import Entry, Pack, Source, file_hash, lint_key, pack_file, unpack_file


def stale_translations(catalog: Catalog, history: GitHistory) -> list[Diagnostic]:
    """Warnings for translations older than their source's latest significant change."""
    out = []
    items: list[tuple[str, str | None]] = [(a.path, a.meta.translation_of) for a in catalog.articles]
    items += [(p.path, p.model.translation_of) for p in catalog.protocols]
    paths = {a.id: a.path for a in catalog.articles} | {p.id: p.path for p in catalog.protocols}
    for path, source in items:
        if source is None or source not in paths or catalog.is_translation(source):
            continue
        src_path = paths[source]
        changed = history.last_significant_change(src_path)
        updated = history.last_change(path)
        if changed is None or updated is None or history.contains(updated, changed):
            continue
        since = f"git diff {updated.commit[:7]} -- {src_path}"
        line, col = catalog.positions[path].pos(("translation_of",)) if path in catalog.positions else (1, 1)
        out.append(Diagnostic(path, line, col, "translation_of",
                              f"expected a translation updated since its source last changed ({src_path}: "
                              f"{changed.describe()}), found it last updated {updated.describe()}; "
                              f"what changed: {since}", Severity.WARNING))
    return out


def validation_cache(root: Path, config_file: Path | None = None) -> Path:
    """The validation cache's folder: ``cache/validate/`` in the private data folder of ``root``
    (``KB_DATA_DIR``, else the kb plugin's ``data_dir`` option in mkdocs.yml, else ``.kb-data``)."""
    return cache_folder(configured_data_folder(root, config_file), "validate")


def validate_tree(root: Path, today: date | None = None, *, lint: bool = True,
                  cache: Path | None = None, config_file: Path | None = None) -> ValidationResult:
    """Read, model and check every content file under ``root`` (lint rules from ``root/kb-lint.yml``;
    the site's register from ``config_file``, else ``root/mkdocs.yml``).

    ``lint=False`` skips the content-quality lint, whose findings are only warnings: builds,
    the report and the owners file do not need them (`kb validate` and `kb lint` show them).

    On a large tree the work of each file alone (read, parse, lint) runs across the cores, see
    :func:`read_and_lint`; the catalog-wide rules then run here on the joined result."""
    with _gc_paused():
        linted, saved = _read_and_lint(root, lint=lint, cache=cache, config_file=config_file)

        def extra(catalog: Catalog) -> list[Diagnostic]:
            diags = list(linted.linted)
            if catalog.translations:
                history = open_history(root)
                if history is not None:
                    diags += stale_translations(catalog, history)
            return diags

        try:
            return validate_with(linted.read, today or today_from_env(), extra)
        finally:
            saved()  # the validation cache, written meanwhile


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a tree is validated: the results are millions of young
    objects without cycles (reference counting frees them), and the collector's full passes over
    them took more than a second at 10,000 files. When it is turned on again, what the run left is
    first moved out of its sight (``gc.freeze``): else its first pass would go over all of it
    (0.3 s at 10,000 files), and so would the one at the interpreter's exit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


@dataclass
class TreeRead:
    """What :func:`read_and_lint` found; ``parsed``: the files read and parsed (and linted) in this
    run, the others' results came from the cache."""

    read: ReadResult
    linted: list[Diagnostic]
    parsed: list[str]


def read_and_lint(root: Path, *, lint: bool = True, cache: Path | None = None,
                  config_file: Path | None = None) -> TreeRead:
    """Every content file under ``root`` read and parsed, and, when ``lint``, linted (kb-lint.yml of
    ``root``): each file's result comes from the validation cache in the folder ``cache`` when the
    file is unchanged (:mod:`generator.pipeline.vcache`), else it is computed, the files across the
    cores (a file's result depends on that file alone: each process takes the next contiguous run
    of the sorted paths whenever it is free, :func:`generator.content.parallel.share_work`). Joined
    in path order, this is what one process reading every file gives."""
    read, saved = _read_and_lint(root, lint=lint, cache=cache, config_file=config_file)
    saved()
    return read


def _read_and_lint(root: Path, *, lint: bool, cache: Path | None,
                   config_file: Path | None) -> tuple[TreeRead, Callable[[], None]]:
    """:func:`read_and_lint`, the validation cache written in the background: the returned
    function waits for it."""
    paths, problems = content_paths(root)
    config, config_problems = load_config(root, config_file) if lint else (None, [])
    key = lint_key(config)
    pack = Pack(cache)
    raws = {rel: _read_bytes(os.path.join(root, rel)) for rel in paths}
    shas = {rel: file_hash(raw) for rel, raw in raws.items()}
    entries: dict[str, Entry] = {}
    results: dict[str, tuple[Source | None, list[Diagnostic], bool, list[Diagnostic]]] = {}
    for rel in paths:
        entry = pack.usable(rel, shas[rel], key)
        if entry is not None:
            try:
                results[rel] = unpack_file(rel, entry, raws[rel])
                entries[rel] = entry
            except (ValueError, TypeError, KeyError, IndexError):
                pass  # a malformed entry: the file is read again

    def work(chunk: Sequence[str]) -> dict[str, Entry]:
        return _entries(chunk, raws, shas, config, key)

    parsed = [rel for rel in paths if rel not in entries]
    for part in share_work(work, parsed):
        for rel, entry in part.items():
            results[rel] = unpack_file(rel, entry, raws[rel])
            entries[rel] = entry
    saved = pack.save_later({rel: entries[rel] for rel in paths})
    read = _joined([results[rel] for rel in paths])
    linted = config_problems if lint and config is None else [d for rel in paths for d in results[rel][3]]
    return TreeRead(with_problems(read, problems), sort_diagnostics(linted), parsed), saved


def _read_bytes(file: str) -> bytes:
    with open(file, "rb") as f:
        return f.read()


def _entries(rels: Sequence[str], raws: Mapping[str, bytes], shas: Mapping[str, str], config: LintConfig | None,
             key: str | None) -> dict[str, Entry]:
    """The cache entries of the files ``rels``: read, parsed and, with a lint ``config``, linted."""
    out: dict[str, Entry] = {}
    texts: dict[str, str] = {}
    for rel in rels:
        try:
            texts[rel] = decode(raws[rel], rel)
        except ContentError as exc:
            out[rel] = pack_file(shas[rel], None, None, exc.diagnostics, undecoded=True, lint=key)
    read = read_texts(texts)
    found: dict[str, list[Diagnostic]] = {}
    if config is not None:
        for d in lint_catalog(build_catalog(read)[0], config, texts.get):
            found.setdefault(d.path, []).append(d)
    sources: dict[str, Source] = {s.path: s for s in read.articles}
    sources.update((s.path, s) for s in read.protocols)
    diags: dict[str, list[Diagnostic]] = {}
    for d in read.diagnostics:
        diags.setdefault(d.path, []).append(d)
    for rel, text in texts.items():
        out[rel] = pack_file(shas[rel], text, sources.get(rel), diags.get(rel, []), lint=key, found=found.get(rel))
    return out


def _joined(results: Sequence[tuple[Source | None, list[Diagnostic], bool, list[Diagnostic]]]) -> ReadResult:
    """Files' results, in path order, as :func:`read_files` gives them: undecodable files' problems first."""
    out = ReadResult(files=len(results))
    for _, diags, undecoded, _ in results:
        if undecoded:
            out.diagnostics += diags
            out.undecoded += 1
    for source, diags, undecoded, _ in results:
        if isinstance(source, ArticleSource):
            out.articles.append(source)
        elif isinstance(source, ProtocolSource):
            out.protocols.append(source)
        if not undecoded:
            out.diagnostics += diags
    return out


def validate_texts(texts: Mapping[str, str], today: date | None = None, *, lint: bool = True) -> ValidationResult:
    """The same on in-memory files (path relative to the root -> text), with the default lint rules
    (none when not ``lint``)."""
    return validate_with(read_texts(texts), today or today_from_env(),
                         lambda catalog: lint_for_texts(catalog, texts) if lint else [])


def validate_for_build(root: Path, today: date | None = None, *, lint: bool = True,
                       cache: Path | None = None, config_file: Path | None = None) -> ValidationResult:
    """:func:`validate_tree` in a forked process, for builds: the catalog comes back without the
    positions (only messages need them, and the messages come back too).

    Reading keeps every key's position and the raw YAML of every file (about 170 MB at 10,000
    pages); freed, that memory stays with the process that read it, and a build's later stages
    (MkDocs, the forked search) would carry it. Where fork is not available, in-process."""
    return start_validation(root, today, lint=lint, cache=cache, config_file=config_file)()


def start_validation(root: Path, today: date | None = None, *, lint: bool = True,
                     cache: Path | None = None, config_file: Path | None = None) -> Callable[[], ValidationResult]:
    """Start :func:`validate_for_build`; the returned function waits for its result (meanwhile the
    caller can load MkDocs)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        def here() -> ValidationResult:
            result = validate_tree(root, today, lint=lint, cache=cache, config_file=config_file)
            return ValidationResult(dataclasses.replace(result.catalog, positions={}), result.diagnostics,
                                    result.files)
        return here
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_validate_child, args=(root, today, lint, cache, config_file, send), daemon=True)
    proc.start()
    send.close()

    def wait() -> ValidationResult:
        try:
            message = receive.recv()
        except EOFError:
            message = ("error", f"the validation process ended (exit code {proc.exitcode})")
        finally:
            receive.close()
            proc.join()
        if message[0] != "ok":
            raise RuntimeError(message[1])
        catalog, diagnostics, files = message[1]
        return ValidationResult(catalog, diagnostics, files)

    return wait


def _validate_child(root: Path, today: date | None, lint: bool, cache: Path | None, config_file: Path | None,
                    conn: Any) -> None:
    try:
        result = validate_tree(root, today, lint=lint, cache=cache, config_file=config_file)
        conn.send(("ok", (dataclasses.replace(result.catalog, positions={}), result.diagnostics, result.files)))
    except BaseException as exc:  # an unexpected failure: the parent raises it with its message
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
