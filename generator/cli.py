"""The `kb` command. Thin: parses arguments, calls one function, maps errors to exit codes.

Exit codes: 0 success, 1 content errors (or warnings under --strict), 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from generator.diagnostics import FORMATTERS, ContentError, Diagnostic, Severity

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


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.pipeline.validation import validate_tree

    root = _root(args)
    result = validate_tree(root, _today(args))
    return _print_diagnostics(args, root, result.diagnostics, result.files)


def cmd_lint(args: argparse.Namespace) -> int:
    from generator.pipeline.lint import lint_tree

    root = _root(args)
    result = lint_tree(root)
    return _print_diagnostics(args, root, result.diagnostics, result.files)


def _print_diagnostics(args: argparse.Namespace, root: Path, found: Sequence[Diagnostic], files: int) -> int:
    """Print ``found`` in ``--format`` (errors under ``--strict``; only the files named, if any); the exit code."""
    diags = [d.as_error() if args.strict else d for d in found]
    if args.paths:  # the whole catalog is checked (references cross files); only these files are reported
        wanted = {_relative(Path(p), root) for p in args.paths}
        diags = [d for d in diags if d.path in wanted]
    sys.stdout.write(FORMATTERS[args.format](diags, files))
    return EXIT_CONTENT if any(d.severity is Severity.ERROR for d in diags) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from generator.mkdocs import build_site

    root = _root(args)
    site = build_site(_config_file(args, root), site_dir=Path(args.site_dir) if args.site_dir else None,
                      strict=args.strict, engine=args.engine)
    print(f"Site built in {site}")
    return EXIT_OK


def _service_config(args: argparse.Namespace, root: Path, site: Path) -> ServiceConfig:
    from generator.service.app import ServiceConfig

    return ServiceConfig(
        site_dir=site, data_dir=Path(args.data_dir).resolve() if args.data_dir else root / ".kb-data",
        db_url=args.db or os.environ.get("KB_DB") or None, allowed_origins=tuple(args.allow_origin or ()),
        rate_limit=args.rate_limit, trust_proxy=args.trust_proxy or "",
        integrations=Path(args.integrations).resolve() if args.integrations else None)


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


def _open_store(args: argparse.Namespace, root: Path) -> Store:
    from generator.store import open_store

    try:
        return open_store(args.db or os.environ.get("KB_DB") or None, _data_dir(args, root))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _data_dir(args: argparse.Namespace, root: Path) -> Path:
    return Path(args.data_dir).resolve() if args.data_dir else root / ".kb-data"


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
    from generator.report.metrics import Filters, parse_ts

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


def _relative(path: Path, root: Path) -> str:
    """A path given on the command line, as the root-relative posix path diagnostics use."""
    full = path.resolve()
    return full.relative_to(root).as_posix() if full.is_relative_to(root) else path.as_posix()


def _today(args: argparse.Namespace) -> date:
    try:
        return date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        raise UsageError(f"--today: expected a date as YYYY-MM-DD, found {args.today!r}") from None


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


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="content repository (holds mkdocs.yml, kb/, protocols/)")
    common.add_argument("-f", "--config-file", help="path to mkdocs.yml (its folder is the root)")

    p = argparse.ArgumentParser(prog="kb", description="Knowledge base and troubleshooting protocols for "
                                "remote support.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", parents=[common], help="check every article and protocol")
    v.add_argument("paths", nargs="*", help="report only these files (the whole catalog is still checked)")
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    v.add_argument("--today", help=argparse.SUPPRESS)
    v.set_defaults(func=cmd_validate)

    li = sub.add_parser("lint", parents=[common], help="content-quality lint only (rules in kb-lint.yml; "
                        "docs/lint.md)")
    li.add_argument("paths", nargs="*", help="report only these files")
    li.add_argument("--strict", action="store_true", help="treat warnings as errors")
    li.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    li.set_defaults(func=cmd_lint)

    b = sub.add_parser("build", parents=[common], help="validate and build the site (atomic swap)")
    b.add_argument("--strict", action="store_true", help="fail on any warning")
    b.add_argument("-d", "--site-dir", help="output folder (default: site_dir of mkdocs.yml)")
    b.add_argument("--engine", choices=["mkdocs", "properdocs"], default="mkdocs",
                   help="site engine: MkDocs 1.6 (default) or ProperDocs, its maintained fork (docs/architecture.md)")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", parents=[common], help="build the site and serve it")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("-d", "--site-dir", help="output folder (default: site_dir of mkdocs.yml; with --watch, "
                   "preview/site in the data folder, so the deployable site/ never gets preview code)")
    s.add_argument("--no-build", action="store_true", help="serve the existing site as it is")
    s.add_argument("--watch", action="store_true", help="live preview: rebuild what an edit of kb/, protocols/, "
                   "the theme or mkdocs.yml touches, and reload open pages")
    s.add_argument("--db", help="events database: sqlite:///path (default: SQLite in the data folder) "
                   "or postgresql://user@host/db (env KB_DB)")
    s.add_argument("--data-dir", help="folder for the SQLite database (default: .kb-data in the root)")
    s.add_argument("--allow-origin", action="append", metavar="URL",
                   help="another origin allowed to send events, e.g. https://ayuda.example.org (repeatable)")
    s.add_argument("--rate-limit", type=int, default=120, help="event requests per client per minute (0: off)")
    s.add_argument("--trust-proxy", metavar="PROXIES", nargs="?", const="loopback",
                   help="believe X-Forwarded-For and identity headers only from these proxies: addresses or "
                   "networks (127.0.0.1,10.0.0.0/8) or a hop count (1); alone: a proxy on this host; "
                   "default: from none")
    s.add_argument("--integrations", metavar="FILE.toml", help="ticket connector, SMTP and outbound queue "
                   "settings (default: integrations.toml in the data folder)")
    s.add_argument("--workers", type=int, default=1, help="worker processes (use PostgreSQL for several hosts)")
    s.set_defaults(func=cmd_serve)

    ev = sub.add_parser("events", parents=[common], help="export or import stored events")
    ev.add_argument("action", choices=["export", "import"])
    ev.add_argument("file", nargs="?", help="JSONL file to import")
    ev.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="export format")
    ev.add_argument("--out", help="export to this file (default: standard output)")
    ev.add_argument("--db", help="events database URL (default: SQLite in the data folder; env KB_DB)")
    ev.add_argument("--data-dir", help="folder of the SQLite database (default: .kb-data in the root)")
    ev.set_defaults(func=cmd_events)

    n = sub.add_parser("new", parents=[common], help="scaffold an article or a protocol")
    n.add_argument("kind", choices=["article", "protocol"])
    n.add_argument("title", nargs="?", help="title, in the customer's words (with --from-run: the protocol's)")
    n.add_argument("--id", help="id (default: made from the title)")
    n.add_argument("--area", default="general", help="article area folder under kb/")
    n.add_argument("--type", choices=["solution", "guide"], default="solution")
    n.add_argument("--from-run", metavar="SESSION_ID", help="a draft article from a stored escalated or "
                   "unresolved run: symptoms and steps tried from its path")
    n.add_argument("--db", help="events database URL, for --from-run (default: SQLite in the data folder)")
    n.add_argument("--data-dir", help="folder of the SQLite database (default: .kb-data in the root)")
    n.set_defaults(func=cmd_new)

    tk = sub.add_parser("tokens", parents=[common], help="technicians' API tokens for ticket notes and e-mail")
    tk.add_argument("action", choices=["add", "list", "revoke"])
    tk.add_argument("name", nargs="?", help="the technician (add, revoke)")
    tk.add_argument("--data-dir", help="the service's data folder (default: .kb-data in the root)")
    tk.set_defaults(func=cmd_tokens)

    rp = sub.add_parser("report", parents=[common], help="write the reuse-and-resolution report")
    src = rp.add_mutually_exclusive_group()
    src.add_argument("--db", help="events database URL (default: SQLite in the data folder; env KB_DB)")
    src.add_argument("--events", metavar="FILE.jsonl", help="read events exported by `kb events export`")
    rp.add_argument("--data-dir", help="folder of the SQLite database (default: .kb-data in the root)")
    rp.add_argument("--from", "--since", dest="since", help="first day or time included (YYYY-MM-DD); the report "
                    "then also shows the previous period of the same length")
    rp.add_argument("--to", "--until", dest="until", help="first day or time excluded (YYYY-MM-DD; default: "
                    "the end of today)")
    rp.add_argument("--area", help="only articles of this area")
    rp.add_argument("--protocol", help="only this protocol's runs; also prints its steps and what to change in it")
    rp.add_argument("--channel", choices=["phone", "chat", "remote", "email"], help="only runs on this channel")
    rp.add_argument("--technician", help="only this technician's runs and links")
    rp.add_argument("--fcr-window", type=int, default=7, help="days within which a repeat contact breaks FCR")
    rp.add_argument("--lang", choices=["es", "en"], default="es")
    rp.add_argument("--out", default="report", help="output folder (default: report/)")
    rp.add_argument("--engine", choices=["sql", "python"], default="sql",
                    help="sql: every metric computed in the database (default); python: the in-Python reference, "
                         "which reads every event into memory (for checking and benchmarks)")
    rp.add_argument("--today", help=argparse.SUPPRESS)
    rp.set_defaults(func=cmd_report)

    st = sub.add_parser("stale", parents=[common], help="list content due for review, by owner")
    st.add_argument("--within", type=int, default=0, metavar="DAYS", help="also list what falls due within DAYS")
    st.add_argument("--today", help=argparse.SUPPRESS)
    st.set_defaults(func=cmd_stale)

    ow = sub.add_parser("owners", parents=[common], help="print a CODEOWNERS file made from the owner fields")
    ow.add_argument("--map", action="append", metavar="OWNER=@HANDLE",
                    help="GitHub handle of an owner, e.g. equipo-redes=@acme/redes (repeatable)")
    ow.add_argument("--write", action="store_true", help="write .github/CODEOWNERS instead of printing")
    ow.set_defaults(func=cmd_owners)

    se = sub.add_parser("search", parents=[common], help="search a built site's articles and protocols")
    se.add_argument("query", help="what the customer says, e.g. \"no me carga ninguna pagina\"")
    se.add_argument("--json", action="store_true", help="print the JSON of GET /api/search")
    se.add_argument("--limit", type=int, default=10, help="results to show (1-50)")
    se.add_argument("--type", choices=["protocol", "guide", "solution"], help="only this type")
    se.add_argument("--audience", choices=["technician", "end-user", "both"], help="only this audience")
    se.add_argument("--area", help="only this area (folder under kb/)")
    se.add_argument("--channel", choices=["phone", "chat", "remote", "email"], help="only protocols for this channel")
    se.add_argument("--facets", action="store_true", help="count results by type, audience, area and channel")
    se.add_argument("-d", "--site-dir", help="built site (default: site/ in the root); its index is in "
                    ".kb-data next to it")
    se.add_argument("--data-dir", help="the private data folder holding the search index (default: .kb-data)")
    se.set_defaults(func=cmd_search)

    sy = sub.add_parser("synonyms", help="synonym groups to review from zero-result searches")
    sy_sub = sy.add_subparsers(dest="synonyms_command", metavar="ACTION", required=True)
    sg = sy_sub.add_parser("suggest", parents=[common], help="print groups for the words of zero-result searches "
                           "that the site does not know (from kb report's report.json)")
    sg.add_argument("--report", metavar="REPORT.json", help="report.json of kb report (default: report/report.json)")
    sg.add_argument("-d", "--site-dir", help="built site (default: site/ in the root)")
    sg.add_argument("--min-searches", type=int, default=1, help="leave out words searched fewer times")
    sg.set_defaults(func=cmd_synonyms_suggest)

    sv = sub.add_parser("search-eval", parents=[common], help="Recall@1, Recall@3 and MRR of the static and "
                        "server search over a query file")
    sv.add_argument("--queries", help="query file (default: tests/search/queries.yml in the root)")
    sv.add_argument("-d", "--site-dir", help="measure this built site's indexes (default: build them from the "
                    "content into a temporary folder)")
    sv.add_argument("--data-dir", help="with -d: the private data folder holding its server index (default: "
                    ".kb-data next to the site)")
    sv.add_argument("--json", action="store_true", help="print the metrics as JSON")
    sv.add_argument("--min-server", type=float, help="exit 1 when the server's Recall@3 is below this")
    sv.add_argument("--min-static", type=float, help="exit 1 when the static search's Recall@3 is below this")
    sv.set_defaults(func=cmd_search_eval)

    im = sub.add_parser("import", parents=[common], help="convert a folder of help-centre Markdown articles")
    im.add_argument("source", metavar="DIR", help="folder of Markdown articles with front matter (only read)")
    im.add_argument("--map", metavar="FILE", help="mapping file (default: DIR/import-map.yml when present)")
    im.add_argument("--out", metavar="DIR", help="write <area>/<id>.md here (default: kb/ of the root)")
    im.add_argument("--dry-run", action="store_true", help="write nothing but the report")
    im.add_argument("--force", action="store_true", help="overwrite files an earlier import of the same sources wrote")
    im.add_argument("--report", metavar="FILE.md", help="report path (default: import-report.md in the root; "
                    "the JSON report goes beside it)")
    im.add_argument("--today", help=argparse.SUPPRESS)
    im.set_defaults(func=cmd_import)

    sc = sub.add_parser("schema", parents=[common], help="write the JSON Schemas for editors")
    sc.add_argument("--out", help="folder (default: schema/ in the root)")
    sc.add_argument("--print", choices=["protocol", "article"], help="print one schema instead")
    sc.set_defaults(func=cmd_schema)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        sys.stderr.write(FORMATTERS["text"](exc.diagnostics, exc.files))
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
