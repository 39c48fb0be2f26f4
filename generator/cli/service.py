"""`kb` commands on the service, its events, the report and search."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from generator.cli.common import (
    EXIT_CONTENT,
    EXIT_OK,
    UsageError,
    _config_file,
    _data,
    _data_dir,
    _open_store,
    _root,
    _service_config,
)


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.mkdocs import build_site
    from generator.service.app import serve
    from generator.service.report_route import check_token
    from generator.service.security import TrustedProxies
    from generator.store import StoreUnavailable

    try:  # settings first: a mistake is known before a long build
        check_token(os.environ)
        TrustedProxies.parse(args.trust_proxy)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    root = _root(args)
    site = Path(args.site_dir).resolve() if args.site_dir else None
    data = Path(args.data_dir).resolve() if args.data_dir else None  # the build's server index goes there too
    preview = None
    if args.watch:
        from generator.preview import Preview

        if args.no_build or args.workers > 1:
            raise UsageError("--watch: expected one worker and a build, found "
                             + ("--no-build" if args.no_build else f"--workers {args.workers}"))
        # The preview's pages load preview.js and poll /api/preview: they never go into the deployable
        # site/ (DESIGN: preview state lives in the private data folder), whatever way the server stops.
        preview_site = site or (data or root / ".kb-data") / "preview" / "site"
        preview = Preview(_config_file(args, root), preview_site, data)
        outcome = preview.build()
        site = preview.site
        print(f"Site built in {site} ({outcome.pages} pages, {outcome.seconds:.1f} s)", flush=True)
    elif not args.no_build:
        site = build_site(_config_file(args, root), site_dir=site, strict=False, data_dir=data)
    site = site or root / "site"
    if not (site / "index.html").is_file():
        raise UsageError(f"expected a built site in {site}, found none (drop --no-build or run 'kb build')")
    try:
        config = _service_config(args, root, site)
        serve(config, host=args.host, port=args.port, workers=args.workers, preview=preview)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except StoreUnavailable as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


def cmd_events(args: argparse.Namespace) -> int:
    from generator.service.exchange import export_events, import_events

    store = _open_store(args, _root(args))
    try:
        if args.action == "export":
            try:
                n = export_events(store, Path(args.out) if args.out else None, args.format)
            except BrokenPipeError:  # `kb events export | head`: the reader has all it wanted
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return EXIT_OK
            print(f"exported {n} events", file=sys.stderr)
            return EXIT_OK
        if not args.file or not Path(args.file).is_file():
            raise UsageError(f"expected a JSONL file to import, found nothing at {args.file}")
        report = import_events(store, Path(args.file))
        print(report.summary(), file=sys.stderr)
        return EXIT_CONTENT if report.problems else EXIT_OK
    finally:
        store.close()


def cmd_tokens(args: argparse.Namespace) -> int:
    from generator.service.auth import TokenStore

    tokens = TokenStore(_data_dir(args, _root(args)))
    if args.action == "list":
        for name, created in tokens.list():
            print(f"{name}\t{created}")
        return EXIT_OK
    if not args.name:
        raise UsageError(f"tokens {args.action}: expected a technician name, found none")
    try:
        if args.action == "add":
            print(tokens.add(args.name))
            print(f"token for {args.name}: shown once, stored only as a hash", file=sys.stderr)
        else:
            tokens.revoke(args.name)
            print(f"revoked the token of {args.name}", file=sys.stderr)
    except ValueError as exc:
        raise UsageError(f"tokens {args.action}: {exc}") from None
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from generator.report.build import run_report
    from generator.report.common import Filters, parse_ts

    root = _root(args)
    try:
        filters = Filters(since=parse_ts(args.since) if args.since else None,
                          until=parse_ts(args.until) if args.until else None, area=args.area,
                          protocol=args.protocol, channel=args.channel, technician=args.technician,
                          fcr_window_days=args.fcr_window)
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError as exc:
        raise UsageError(f"expected dates as YYYY-MM-DD or ISO times: {exc}") from None
    if args.events and not Path(args.events).is_file():
        raise UsageError(f"--events: expected a JSONL file, found nothing at {args.events}")
    store = None
    if not args.events:
        store = _open_store(args, root)
    try:
        written, report = run_report(root=root, out_dir=Path(args.out), filters=filters, today=today, lang=args.lang,
                             store=store, events_file=Path(args.events) if args.events else None,
                             engine=args.engine)
    finally:
        if store is not None:
            store.close()
    if args.protocol:
        from generator.report.build import protocol_text

        print(protocol_text(report, args.lang))
    print(f"report written to {written[0]}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from generator.search.commands import search_site

    root = _root(args)
    filters = {k: v for k in ("type", "audience", "area", "channel") if (v := getattr(args, k))}
    try:
        sys.stdout.write(search_site(_data(args, root), args.query, limit=args.limit, filters=filters,
                                     facets=args.facets, as_json=args.json))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def cmd_synonyms_suggest(args: argparse.Namespace) -> int:
    from generator.search.suggest import suggest_files

    root = _root(args)
    site = Path(args.site_dir).resolve() if args.site_dir else root / "site"
    report = Path(args.report) if args.report else root / "report" / "report.json"
    try:
        sys.stdout.write(suggest_files(report, site / "search", args.min_searches))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def cmd_search_eval(args: argparse.Namespace) -> int:
    from generator.search.commands import evaluate_site

    root = _root(args)
    queries = Path(args.queries) if args.queries else root / "tests" / "search" / "queries.yml"
    if not queries.is_file():
        raise UsageError(f"--queries: expected a query file, found nothing at {queries}")
    minimum = {k: v for k, v in (("server", args.min_server), ("static", args.min_static)) if v is not None}
    try:
        outcome = evaluate_site(root, queries, site=Path(args.site_dir).resolve() if args.site_dir else None,
                                as_json=args.json, min_recall3=minimum,
                                data=Path(args.data_dir).resolve() if args.data_dir else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(outcome.text)
    return EXIT_OK if outcome.ok else EXIT_CONTENT
