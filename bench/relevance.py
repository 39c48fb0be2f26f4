"""Relevance benchmark on real help-centre content (not a test: the content is not ours to ship).

    python bench/relevance.py --corpus ../shared/corpus --queries ../shared/corpus/queries.tsv

1. **Import**: every top-level folder of ``--corpus`` (its Markdown files; the corpus' own README
   and LICENSES at the top are not articles) is copied to a scratch folder and imported with
   ``bench/relevance-map.yml`` (nothing skipped, review dates from the import day, DocFX's
   site-relative links to the old site) into a fresh content root.
2. **Build**: ``kb build --strict`` of that root, with the default kb-lint.yml: the mapping's
   ``lint:`` turns the prose rules off on the imported articles (imported prose is not ours to
   rewrite before a first build; see docs/import.md).
3. **Artefacts**: the visible text of every imported page is searched for what a faithful import
   never shows: ``:::image``, ``:::``, ``[!INCLUDE``, ``[!NOTE]`` and the other alerts, ``-->``,
   ``<!--``, a backslash escape (``\\-``, ``\\<``), "To be completed", "Pendiente de completar".
4. **Search**: R@1, R@3 and MRR per language of the server search (whoosh), the static search
   (the Python reader of the browser's files) and a fixed BM25 baseline (bm25s with its default
   parameters, PyStemmer's Snowball stemmer and bm25s' stop list of the language, over the
   article's title + body, one index per language). First-query bytes: gzip size of the files a
   fresh static search fetches for each query (median and 95th percentile).

``queries.tsv``: ``lang<TAB>query<TAB>expected source path (relative to --corpus)<TAB>typo``.
Needs the ``bench`` extra (``pip install -e '.[bench]'``) for the baseline.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from generator.importer import ImportOptions, import_folder  # noqa: E402
from generator.search import STATIC_DIR, StaticIndex, open_server_index  # noqa: E402

ARTEFACT = re.compile(r":::image|:::|\[!INCLUDE|\[!NOTE\]|\[!TIP\]|\[!IMPORTANT\]|\[!WARNING\]|\[!CAUTION\]|"
                      r"-->|<!--|(?<![\w\\])\\[-<>*_#.!\[\]():|]|To be completed|Pendiente de completar")
# A backslash after a word is a Windows path (C:\Users\<user name>), not an escape left visible.
SNOWBALL = {"es": "spanish", "en": "english"}
MKDOCS = "site_name: Relevance bench\ndocs_dir: kb\ntheme:\n  name: material\n  language: es\nplugins:\n  - kb\n"


@dataclass
class Query:
    lang: str
    text: str
    expected: str  # source path relative to the corpus
    typo: bool


def read_queries(path: Path) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [Query(r["lang"], r["query"], r["expected_source"], r.get("typo", "0") == "1") for r in rows]


def import_corpus(corpus: Path, work: Path) -> tuple[Path, dict[str, str], dict[str, int]]:
    """Copy the corpus' article folders to ``work/export``, import into ``work/root``.
    Returns the root, source path -> article id, and the import summary."""
    export, root = work / "export", work / "root"
    for child in sorted(corpus.iterdir()):
        if child.is_dir() and not child.name.startswith("."):
            shutil.copytree(child, export / child.name)
    root.mkdir()
    (root / "kb").mkdir()
    (root / "protocols").mkdir()
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    result = import_folder(ImportOptions(source=export, root=root, mapping=HERE / "relevance-map.yml",
                                         today=date.today(), report=work / "import-report.md"))
    ids = {o.source: o.id for o in result.outcomes if o.status == "imported"}
    return root, ids, result.counts()


def build(root: Path) -> tuple[Path, float]:
    from generator.diagnostics import ContentError
    from generator.mkdocs import build_site

    start = time.perf_counter()
    try:
        site = build_site(root / "mkdocs.yml", strict=True)
    except ContentError as exc:
        for d in exc.diagnostics[:40]:
            print("  ", d.format(), file=sys.stderr)
        raise SystemExit(f"kb build --strict failed: {len(exc.diagnostics)} problems") from None
    return site, time.perf_counter() - start


def artefacts(site: Path, ids: dict[str, str]) -> list[tuple[str, str]]:
    """(page, artefact) for every artefact in the visible text of the imported pages."""
    from bs4 import BeautifulSoup

    wanted = set(ids.values())
    found: list[tuple[str, str]] = []
    for page in sorted(site.rglob("index.html")):
        if page.parent.name not in wanted:
            continue
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        if article is None:
            continue
        for junk in article.select("aside, script, style, pre, code"):
            junk.decompose()
        text = article.get_text(" ")
        found += [(page.parent.name, m.group(0)) for m in ARTEFACT.finditer(text)]
    return found


def metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    n = len(ranks) or 1
    r1 = sum(1 for r in ranks if r is not None and r < 1) / n
    r3 = sum(1 for r in ranks if r is not None and r < 3) / n
    mrr = sum(1 / (r + 1) for r in ranks if r is not None) / n
    return r1, r3, mrr


def rank_of(ids: list[str], expected: str) -> int | None:
    return ids.index(expected) if expected in ids else None


class Baseline:
    """bm25s, default parameters, Snowball stemmer and stop list per language, title + body."""

    def __init__(self, root: Path, ids: dict[str, str]) -> None:
        import bm25s
        import Stemmer

        from generator.search.documents import markdown_text

        self.bm25s = bm25s
        self.index: dict[str, tuple[object, list[str], object]] = {}
        docs: dict[str, list[tuple[str, str]]] = {}
        for path in sorted((root / "kb").rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            _, fm, body = text.split("---\n", 2)
            title = re.search(r'^title: "?(.*?)"?$', fm, re.M)
            lang = re.search(r"^lang: (\w+)$", fm, re.M)
            if lang and path.stem in set(ids.values()):
                docs.setdefault(lang.group(1), []).append((path.stem, f"{title.group(1) if title else ''}\n"
                                                                       f"{markdown_text(body)}"))
        for lang, items in docs.items():
            stemmer = Stemmer.Stemmer(SNOWBALL[lang])
            tokens = bm25s.tokenize([t for _, t in items], stopwords=lang, stemmer=stemmer.stemWords,
                                    show_progress=False)
            model = bm25s.BM25()
            model.index(tokens, show_progress=False)
            self.index[lang] = (model, [i for i, _ in items], stemmer)

    def search(self, query: str, lang: str, k: int = 10) -> list[str]:
        model, names, stemmer = self.index[lang]
        tokens = self.bm25s.tokenize([query], stopwords=lang, stemmer=stemmer.stemWords,  # type: ignore[attr-defined]
                                     show_progress=False)
        k = min(k, len(names))
        docs, _ = model.retrieve(tokens, k=k, show_progress=False)  # type: ignore[attr-defined]
        return [names[int(i)] for i in docs[0]]


def first_query_bytes(static: Path, query: str, lang: str) -> int:
    engine = StaticIndex(static)
    engine.search(query, limit=10, lang=lang)
    return sum(len(gzip.compress((static / rel).read_bytes(), 6)) for rel in engine.fetched
               if (static / rel).is_file())


def percentile(values: list[int], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


ENGINES = ("server", "static", "bm25")


def evaluate(site: Path, root: Path, ids: dict[str, str], queries: list[Query]) -> dict[str, object]:
    """Ranks of every query in the three searches; metrics per language over all its queries and over
    two halves (A: the language's 1st, 3rd, 5th... query in the file; B: the others), a check that a
    change helps beyond the queries that suggested it."""
    static = StaticIndex(site / STATIC_DIR)
    server = open_server_index(root / ".kb-data")  # the private data folder (mkdocs.yml's default)
    baseline = Baseline(root, ids)
    ranks: dict[str, dict[tuple[str, str], list[int | None]]] = {e: {} for e in ENGINES}
    seen: dict[str, int] = {}
    misses: list[str] = []
    sizes: list[int] = []
    for q in queries:
        expected = ids.get(q.expected, f"(not imported: {q.expected})")
        half = "AB"[seen.get(q.lang, 0) % 2]
        seen[q.lang] = seen.get(q.lang, 0) + 1
        got = {
            "server": [h.id for h in server.search(q.text, limit=10, lang=q.lang).hits],
            "static": [h.id for h in static.search(q.text, limit=10, lang=q.lang).hits],
            "bm25": baseline.search(q.text, q.lang),
        }
        for engine, found in got.items():
            r = rank_of(found, expected)
            for part in ("all", half):
                ranks[engine].setdefault((q.lang, part), []).append(r)
            if r is None or r >= 1:
                misses.append(f"{engine:6} {q.lang} {half} rank {'-' if r is None else r + 1} "
                              f"{'typo ' if q.typo else ''}{q.text!r}: expected {expected}, got {found[:3]}")
        sizes.append(first_query_bytes(site / STATIC_DIR, q.text, q.lang))
    table = {f"{lang} {part}": {e: metrics(ranks[e][(lang, part)]) for e in ENGINES}
             for lang, part in sorted(ranks["server"], key=lambda k: (k[0], k[1] != "all", k[1]))}
    return {"table": table, "misses": misses, "bytes_median": statistics.median(sizes),
            "bytes_p95": percentile(sizes, 0.95), "bytes_max": max(sizes)}


def report(summary: dict[str, int], found: list[tuple[str, str]], result: dict[str, object], build_s: float,
           n_queries: int, corpus: Path) -> str:
    table: dict[str, dict[str, tuple[float, float, float]]] = result["table"]  # type: ignore[assignment]
    lines = [f"Corpus: {corpus} ({summary['files']} files, {summary['imported']} imported, "
             f"{summary['failed']} failed, {summary['skipped']} skipped); {n_queries} queries",
             f"Artefacts on imported pages: {len(found)}"
             + (f" ({', '.join(sorted({a for _, a in found}))})" if found else ""),
             f"kb build --strict: ok in {build_s:.1f} s", "",
             "R@1 / R@3 / MRR; A and B: each language's queries split in two halves (alternate rows)", "",
             "| queries | server (whoosh) | static (browser) | BM25 baseline |", "|---|---|---|---|"]
    for row, by_engine in table.items():
        lines.append(f"| {row} | " + " | ".join("{:.2f} / {:.2f} / {:.2f}".format(*by_engine[e]) for e in ENGINES)
                     + " |")
    lines += ["", f"Static first query, gzip: median {result['bytes_median'] / 1024:.1f} KB, "
                  f"p95 {float(result['bytes_p95']) / 1024:.1f} KB, max {int(result['bytes_max']) / 1024:.1f} KB",
              f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{platform.platform()}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True)
    ap.add_argument("--keep", type=Path, help="work here (and keep it) instead of a temporary folder")
    ap.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    ap.add_argument("--misses", action="store_true", help="print the queries each search does not rank first")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    try:
        root, ids, summary = import_corpus(args.corpus.resolve(), work)
        site, build_s = build(root)
        found = artefacts(site, ids)
        queries = read_queries(args.queries)
        result = evaluate(site, root, ids, queries)
        print(report(summary, found, result, build_s, len(queries), args.corpus))
        if args.misses:
            print("\n".join(["", "Not first (rank, - when not in the top 10):", *result["misses"]]))  # type: ignore[list-item]
        if found and args.misses:
            print("\n".join(f"  artefact {a!r} on {p}" for p, a in found[:50]))
        if args.json:
            args.json.write_text(json.dumps({"summary": summary, "artefacts": len(found), **result}, indent=2,
                                            default=str), encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
