"""Validation for builds, in a forked process: the content is read, modelled and checked there while
the caller loads the engine, and only the result (without positions) comes back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from generator.model.validate import ValidationResult, validate_tree


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
