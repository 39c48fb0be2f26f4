"""The `kb` command line: one sub-parser per command, grouped as the commands are (content, service,
report and search)."""

from __future__ import annotations

import argparse
from typing import Any, get_args

from generator.cli.content import (
    cmd_build,
    cmd_import,
    cmd_lint,
    cmd_new,
    cmd_owners,
    cmd_schema,
    cmd_stale,
    cmd_validate,
)
from generator.cli.service import (
    cmd_events,
    cmd_report,
    cmd_search,
    cmd_search_eval,
    cmd_serve,
    cmd_synonyms_suggest,
    cmd_tokens,
)
from generator.diagnostics import FORMATTERS
from generator.mkdocs import ENGINES
from generator.model.article import ArticleType
from generator.model.fields import AUDIENCES, CHANNELS, LANGS
from generator.search.documents import TYPES

Subparsers = Any  # argparse._SubParsersAction, private in typeshed


def _validate(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    v = sub.add_parser("validate", parents=[common], help="check every article and protocol")
    v.add_argument("paths", nargs="*", help="report only these files (the whole catalog is still checked)")
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    v.add_argument("--no-cache", action="store_true",
                   help="read and lint every file again, without the validation cache (.kb-data/cache/validate/)")
    v.add_argument("--today", help=argparse.SUPPRESS)
    v.set_defaults(func=cmd_validate)


def _lint(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    li = sub.add_parser("lint", parents=[common], help="content-quality lint only (rules in kb-lint.yml; "
                        "docs/lint.md)")
    li.add_argument("paths", nargs="*", help="report only these files")
    li.add_argument("--strict", action="store_true", help="treat warnings as errors")
    li.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    li.set_defaults(func=cmd_lint)


def _build(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    b = sub.add_parser("build", parents=[common], help="validate and build the site (atomic swap)")
    b.add_argument("--strict", action="store_true", help="fail on any warning")
    b.add_argument("-d", "--site-dir", help="output folder (default: site_dir of mkdocs.yml)")
    b.add_argument("--engine", choices=ENGINES, default="mkdocs",
                   help="site engine: MkDocs 1.6 (default) or ProperDocs, its maintained fork (docs/architecture.md)")
    b.add_argument("--no-cache", action="store_true", help="a clean build: reuse nothing from the build cache "
                   "(.kb-data/cache/build/, docs/operations.md#build-cache); the cache is written anew")
    b.set_defaults(func=cmd_build)


def _new(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    n = sub.add_parser("new", parents=[common], help="scaffold an article or a protocol")
    n.add_argument("kind", choices=["article", "protocol"])
    n.add_argument("title", nargs="?", help="title, in the customer's words (with --from-run: the protocol's)")
    n.add_argument("--id", help="id (default: made from the title)")
    n.add_argument("--area", default="general", help="article area folder under kb/")
    n.add_argument("--type", choices=get_args(ArticleType), default="solution")
    n.add_argument("--from-run", metavar="SESSION_ID", help="a draft article from a stored escalated or "
                   "unresolved run: symptoms and steps tried from its path")
    n.add_argument("--db", help="events database URL, for --from-run (default: SQLite in the data folder)")
    n.add_argument("--data-dir", help="folder of the SQLite database (default: .kb-data in the root)")
    n.set_defaults(func=cmd_new)


def _stale(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    st = sub.add_parser("stale", parents=[common], help="list content due for review, by owner")
    st.add_argument("--within", type=int, default=0, metavar="DAYS", help="also list what falls due within DAYS")
    st.add_argument("--today", help=argparse.SUPPRESS)
    st.set_defaults(func=cmd_stale)


def _owners(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    ow = sub.add_parser("owners", parents=[common], help="print a CODEOWNERS file made from the owner fields")
    ow.add_argument("--map", action="append", metavar="OWNER=@HANDLE",
                    help="GitHub handle of an owner, e.g. equipo-redes=@acme/redes (repeatable)")
    ow.add_argument("--write", action="store_true", help="write .github/CODEOWNERS instead of printing")
    ow.set_defaults(func=cmd_owners)


def _import(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _schema(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    sc = sub.add_parser("schema", parents=[common], help="write the JSON Schemas for editors")
    sc.add_argument("--out", help="folder (default: schema/ in the root)")
    sc.add_argument("--print", choices=["protocol", "article"], help="print one schema instead")
    sc.set_defaults(func=cmd_schema)


def _serve(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("serve", parents=[common], help="build the site and serve it")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("-d", "--site-dir", help="output folder (default: site_dir of mkdocs.yml; with --watch, "
                   "preview/site in the data folder, so the deployable site/ never gets preview code)")
    s.add_argument("--no-build", action="store_true", help="serve the existing site as it is")
    s.add_argument("--watch", action="store_true", help="live preview: rebuild what an edit of kb/, protocols/, "
                   "the theme or mkdocs.yml touches, and reload open pages")
    s.add_argument("--db", help="events database: sqlite:///path (default: SQLite in the data folder; "
                   "sqlite:///path?synchronous=full survives a power loss too) or postgresql://user@host/db "
                   "(env KB_DB)")
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


def _events(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    ev = sub.add_parser("events", parents=[common], help="export or import stored events")
    ev.add_argument("action", choices=["export", "import"])
    ev.add_argument("file", nargs="?", help="JSONL file to import")
    ev.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="export format")
    ev.add_argument("--out", help="export to this file (default: standard output)")
    ev.add_argument("--db", help="events database URL (default: SQLite in the data folder; env KB_DB)")
    ev.add_argument("--data-dir", help="folder of the SQLite database (default: .kb-data in the root)")
    ev.set_defaults(func=cmd_events)


def _tokens(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    tk = sub.add_parser("tokens", parents=[common], help="technicians' API tokens for ticket notes and e-mail")
    tk.add_argument("action", choices=["add", "list", "revoke"])
    tk.add_argument("name", nargs="?", help="the technician (add, revoke)")
    tk.add_argument("--data-dir", help="the service's data folder (default: .kb-data in the root)")
    tk.set_defaults(func=cmd_tokens)


def _report(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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
    rp.add_argument("--channel", choices=CHANNELS, help="only runs on this channel")
    rp.add_argument("--technician", help="only this technician's runs and links")
    rp.add_argument("--fcr-window", type=int, default=7, help="days within which a repeat contact breaks FCR")
    rp.add_argument("--lang", choices=LANGS, default="es")
    rp.add_argument("--out", default="report", help="output folder (default: report/)")
    rp.add_argument("--engine", choices=["sql", "python"], default="sql",
                    help="sql: every metric computed in the database (default); python: the in-Python reference, "
                         "which reads every event into memory (for checking and benchmarks)")
    rp.add_argument("--today", help=argparse.SUPPRESS)
    rp.set_defaults(func=cmd_report)


def _search(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    se = sub.add_parser("search", parents=[common], help="search a built site's articles and protocols")
    se.add_argument("query", help="what the customer says, e.g. \"no me carga ninguna pagina\"")
    se.add_argument("--json", action="store_true", help="print the JSON of GET /api/search")
    se.add_argument("--limit", type=int, default=10, help="results to show (1-50)")
    se.add_argument("--type", choices=TYPES, help="only this type")
    se.add_argument("--audience", choices=AUDIENCES, help="only this audience")
    se.add_argument("--area", help="only this area (folder under kb/)")
    se.add_argument("--channel", choices=CHANNELS, help="only protocols for this channel")
    se.add_argument("--facets", action="store_true", help="count results by type, audience, area and channel")
    se.add_argument("-d", "--site-dir", help="built site (default: site/ in the root); its index is in "
                    ".kb-data next to it")
    se.add_argument("--data-dir", help="the private data folder holding the search index (default: .kb-data)")
    se.set_defaults(func=cmd_search)


def _synonyms(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    sy = sub.add_parser("synonyms", help="synonym groups to review from zero-result and low-click searches")
    sy_sub = sy.add_subparsers(dest="synonyms_command", metavar="ACTION", required=True)
    sg = sy_sub.add_parser("suggest", parents=[common], help="print groups for the words of zero-result and low-click "
                           "searches that the site does not know (from kb report's report.json)")
    sg.add_argument("--report", metavar="REPORT.json", help="report.json of kb report (default: report/report.json)")
    sg.add_argument("-d", "--site-dir", help="built site (default: site/ in the root)")
    sg.add_argument("--min-searches", type=int, default=1, help="leave out words searched fewer times")
    sg.set_defaults(func=cmd_synonyms_suggest)


def _search_eval(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="content repository (holds mkdocs.yml, kb/, protocols/)")
    common.add_argument("-f", "--config-file", help="path to mkdocs.yml (its folder is the root)")

    p = argparse.ArgumentParser(prog="kb", description="Knowledge base and troubleshooting protocols for "
                                "remote support.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = (_validate, _lint, _build, _serve, _events, _new, _tokens,
                _report, _stale, _owners, _search, _synonyms, _search_eval, _import, _schema)
    for add in commands:
        add(sub, common)
    return p
