"""`kb` commands on the content: validate, lint, build, new, stale, owners, import, schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli.common import (
    EXIT_CONTENT,
    EXIT_OK,
    UsageError,
    _config_file,
    _data_dir,
    _open_store,
    _print_diagnostics,
    _root,
    _today,
)


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.pipeline.validation import validate_tree, validation_cache

    root = _root(args)
    config_file = _config_file_if_any(args, root)
    cache = None if args.no_cache else validation_cache(root, config_file)
    result = validate_tree(root, _today(args), cache=cache, config_file=config_file)
    return _print_diagnostics(args, root, result.diagnostics, result.files)


def _config_file_if_any(args: argparse.Namespace, root: Path) -> Path | None:
    return Path(args.config_file).resolve() if args.config_file else None


def cmd_lint(args: argparse.Namespace) -> int:
    from generator.pipeline.lint import lint_tree

    root = _root(args)
    result = lint_tree(root, _config_file_if_any(args, root))
    return _print_diagnostics(args, root, result.diagnostics, result.files)


def cmd_build(args: argparse.Namespace) -> int:
    from generator.mkdocs import build_site

    root = _root(args)
    site = build_site(_config_file(args, root), site_dir=Path(args.site_dir) if args.site_dir else None,
                      strict=args.strict, engine=args.engine, cache=not args.no_cache)
    print(f"Site built in {site}")
    return EXIT_OK


def _new_from_run(args: argparse.Namespace, root: Path) -> Path:
    from generator.pipeline.scaffold import new_article_from_run
    from generator.pipeline.validation import validate_tree

    store = _open_store(args, root)
    try:
        wanted = args.from_run.lower()
        run = next((e for e in store.iter_events(ordered=False)
                    if e.get("type") == "protocol_run" and e.get("session_id") == wanted), None)
    finally:
        store.close()
    if run is None:
        raise UsageError(f"--from-run: expected the session_id of a stored run, found none {args.from_run!r} "
                         f"in {args.db or _data_dir(args, root)}")
    entry = validate_tree(root, lint=False).catalog.protocol_by_id.get(run["protocol_id"])
    if entry is None:
        raise UsageError(f"--from-run: expected the run's protocol {run['protocol_id']!r} in protocols/, found none")
    return new_article_from_run(root, run, entry.model, area=args.area, title=args.title, ident=args.id)


def cmd_new(args: argparse.Namespace) -> int:
    from generator.pipeline.scaffold import new_article, new_protocol

    root = _root(args)
    if args.from_run:
        if args.kind != "article":
            raise UsageError("--from-run: expected 'kb new article', found 'kb new protocol'")
        print(_new_from_run(args, root).relative_to(root).as_posix())
        return EXIT_OK
    if not args.title:
        raise UsageError("expected a title, found none")
    if args.kind == "article":
        path = new_article(root, title=args.title, area=args.area, kind=args.type, ident=args.id)
    else:
        path = new_protocol(root, title=args.title, ident=args.id)
    print(path.relative_to(root).as_posix())
    return EXIT_OK


def cmd_stale(args: argparse.Namespace) -> int:
    from generator.model.review import format_stale, stale
    from generator.pipeline.validation import validate_tree

    root = _root(args)
    today = _today(args)
    result = validate_tree(root, today, lint=False)
    groups = stale(result.catalog, today, args.within)
    sys.stdout.write(format_stale(groups, today))
    return EXIT_CONTENT if any(d.days_overdue(today) > 0 for items in groups.values() for d in items) else EXIT_OK


def cmd_owners(args: argparse.Namespace) -> int:
    from generator.model.review import codeowners
    from generator.pipeline.validation import validate_tree

    root = _root(args)
    handles = dict(pair.split("=", 1) for pair in args.map or [] if "=" in pair)
    text = codeowners(validate_tree(root, lint=False).catalog, handles)
    if args.write:
        target = root / ".github" / "CODEOWNERS"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(target.relative_to(root).as_posix())
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from generator.importer import ImportOptions, ImportUsageError, import_folder

    root = _root(args)
    report = Path(args.report) if args.report else root / "import-report.md"
    try:
        result = import_folder(ImportOptions(
            source=Path(args.source), root=root, out=Path(args.out) if args.out else None,
            mapping=Path(args.map) if args.map else None, dry_run=args.dry_run, force=args.force,
            today=_today(args), report=report))
    except ImportUsageError as exc:
        raise UsageError(str(exc)) from None
    for line in result.lines(f"{args.source.rstrip('/')}/"):
        print(line)
    print(f"{result.summary()}\nreport: {report} (and {report.with_suffix('.json').name})")
    return EXIT_CONTENT if result.failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.model.schema import SCHEMA_DIR, schema_text
    from generator.pipeline.schema import write_schemas

    if args.print:
        sys.stdout.write(schema_text(args.print))
        return EXIT_OK
    root = _root(args)
    out = Path(args.out) if args.out else root / SCHEMA_DIR
    for path in write_schemas(out):
        print(path)
    return EXIT_OK
