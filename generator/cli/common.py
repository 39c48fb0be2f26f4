"""What every `kb` command shares: exit codes, usage errors, the root and its folders."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from generator.diagnostics import FORMATTERS, Diagnostic, Severity

if TYPE_CHECKING:
    from generator.service.app import ServiceConfig
    from generator.store import Store

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


def _root(args: argparse.Namespace) -> Path:
    if args.config_file:
        cfg = Path(args.config_file)
        if not cfg.is_file():
            raise UsageError(f"-f: expected an mkdocs.yml file, found no file at {cfg}")
        return cfg.resolve().parent
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise UsageError(f"--root: expected a directory, found nothing at {args.root}")
    return root


def _config_file(args: argparse.Namespace, root: Path) -> Path:
    cfg = Path(args.config_file).resolve() if args.config_file else root / "mkdocs.yml"
    if not cfg.is_file():
        raise UsageError(f"expected an mkdocs.yml in {root}, found none (use --root or -f)")
    return cfg


def _print_diagnostics(args: argparse.Namespace, root: Path, found: Sequence[Diagnostic], files: int) -> int:
    """Print ``found`` in ``--format`` (errors under ``--strict``; only the files named, if any); the exit code."""
    diags = [d.as_error() if args.strict else d for d in found]
    if args.paths:  # the whole catalog is checked (references cross files); only these files are reported
        wanted = {_relative(Path(p), root) for p in args.paths}
        diags = [d for d in diags if d.path in wanted]
    sys.stdout.write(FORMATTERS[args.format](diags, files))
    return EXIT_CONTENT if any(d.severity is Severity.ERROR for d in diags) else EXIT_OK


def _service_config(args: argparse.Namespace, root: Path, site: Path) -> ServiceConfig:
    from generator.service.app import ServiceConfig

    return ServiceConfig(
        site_dir=site, data_dir=Path(args.data_dir).resolve() if args.data_dir else root / ".kb-data",
        db_url=args.db or os.environ.get("KB_DB") or None, allowed_origins=tuple(args.allow_origin or ()),
        rate_limit=args.rate_limit, trust_proxy=args.trust_proxy or "",
        integrations=Path(args.integrations).resolve() if args.integrations else None)


def _open_store(args: argparse.Namespace, root: Path) -> Store:
    from generator.store import open_store

    try:
        return open_store(args.db or os.environ.get("KB_DB") or None, _data_dir(args, root))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _data_dir(args: argparse.Namespace, root: Path) -> Path:
    return Path(args.data_dir).resolve() if args.data_dir else root / ".kb-data"


def _relative(path: Path, root: Path) -> str:
    """A path given on the command line, as the root-relative posix path diagnostics use."""
    full = path.resolve()
    return full.relative_to(root).as_posix() if full.is_relative_to(root) else path.as_posix()


def _today(args: argparse.Namespace) -> date:
    try:
        return date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        raise UsageError(f"--today: expected a date as YYYY-MM-DD, found {args.today!r}") from None


def _data(args: argparse.Namespace, root: Path) -> Path:
    """The private data folder holding the server search index: --data-dir, else .kb-data next to the
    site given with -d, else .kb-data in the root."""
    if args.data_dir:
        data = Path(args.data_dir).resolve()
    else:
        data = (Path(args.site_dir).resolve().parent if args.site_dir else root) / ".kb-data"
    if not (data / "search" / "server").is_dir():
        raise UsageError(f"expected a search index in {data / 'search' / 'server'}, found none "
                         "(run 'kb build', or use --data-dir)")
    return data
