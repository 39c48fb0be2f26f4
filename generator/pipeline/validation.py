"""Validation as the pipeline runs it: read (across the cores), model, check, lint and the git
history of translations, in that order; for builds, in a forked process, so the caller loads the
engine meanwhile and only the result (without positions) comes back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from generator.content.history import GitHistory, open_history
from generator.content.parallel import fork_chunks
from generator.content.sources import ReadResult, content_paths, join_reads, read_files, read_texts, with_problems
from generator.diagnostics import Diagnostic, Severity, sort_diagnostics
from generator.lint import lint_for_texts
from generator.model.build import build_catalog
from generator.model.catalog import Catalog
from generator.model.validate import ValidationResult, validate_with
from generator.pipeline.lint import lint_for_tree
from generator.pipeline.today import today as today_from_env


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


def validate_tree(root: Path, today: date | None = None, *, lint: bool = True) -> ValidationResult:
    """Read, model and check every content file under ``root`` (lint rules from ``root/kb-lint.yml``).

    ``lint=False`` skips the content-quality lint, whose findings are only warnings: builds,
    the report and the owners file do not need them (`kb validate` and `kb lint` show them).

    On a large tree the work of each file alone (read, parse, lint) runs across the cores, see
    :func:`read_and_lint`; the catalog-wide rules then run here on the joined result."""
    read, linted = read_and_lint(root, lint=lint)

    def extra(catalog: Catalog) -> list[Diagnostic]:
        diags = list(linted)
        if catalog.translations:
            history = open_history(root)
            if history is not None:
                diags += stale_translations(catalog, history)
        return diags

    return validate_with(read, today or today_from_env(), extra)


# This process also joins the results and runs the catalog-wide rules: it reads a smaller share.
_OWN_SHARE = 0.8


def read_and_lint(root: Path, *, lint: bool = True) -> tuple[ReadResult, list[Diagnostic]]:
    """:func:`read_tree` and, when ``lint``, :func:`lint_for_tree` on what it read, in one pass per
    process: each process reads, parses and lints a contiguous run of the sorted files (a file's
    findings depend on that file alone). Joined in order and sorted, both are what one process
    gives."""
    def work(chunk: Sequence[str]) -> tuple[ReadResult, list[Diagnostic]]:
        read = read_files(root, chunk)
        return read, (lint_for_tree(build_catalog(read)[0], root) if lint else [])

    paths, problems = content_paths(root)
    parts = fork_chunks(work, paths, own_share=_OWN_SHARE)
    read = with_problems(join_reads(part for part, _ in parts), problems)
    if len(parts) == 1:
        return read, parts[0][1]
    return read, sort_diagnostics(d for _, found in parts for d in found)


def validate_texts(texts: Mapping[str, str], today: date | None = None, *, lint: bool = True) -> ValidationResult:
    """The same on in-memory files (path relative to the root -> text), with the default lint rules
    (none when not ``lint``)."""
    return validate_with(read_texts(texts), today or today_from_env(),
                         lambda catalog: lint_for_texts(catalog, texts) if lint else [])


def validate_for_build(root: Path, today: date | None = None, *, lint: bool = True) -> ValidationResult:
    """:func:`validate_tree` in a forked process, for builds: the catalog comes back without the
    positions (only messages need them, and the messages come back too).

    Reading keeps every key's position and the raw YAML of every file (about 170 MB at 10,000
    pages); freed, that memory stays with the process that read it, and a build's later stages
    (MkDocs, the forked search) would carry it. Where fork is not available, in-process."""
    return start_validation(root, today, lint=lint)()


def start_validation(root: Path, today: date | None = None, *,
                     lint: bool = True) -> Callable[[], ValidationResult]:
    """Start :func:`validate_for_build`; the returned function waits for its result (meanwhile the
    caller can load MkDocs)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        def here() -> ValidationResult:
            result = validate_tree(root, today, lint=lint)
            return ValidationResult(dataclasses.replace(result.catalog, positions={}), result.diagnostics,
                                    result.files)
        return here
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_validate_child, args=(root, today, lint, send), daemon=True)
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


def _validate_child(root: Path, today: date | None, lint: bool, conn: Any) -> None:
    try:
        result = validate_tree(root, today, lint=lint)
        conn.send(("ok", (dataclasses.replace(result.catalog, positions={}), result.diagnostics, result.files)))
    except BaseException as exc:  # an unexpected failure: the parent raises it with its message
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
