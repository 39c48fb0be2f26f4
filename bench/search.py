"""Search benchmark (not a timed test): our search against Material's built-in (lunr) search.

On a synthetic content repository of N articles (bench/build.py's generator, N/20 protocols):

1. ``kb build`` twice, each in its own process: with our search (static shards, whoosh index,
   related articles) and with ``search: false`` (Material's lunr search plugin instead);
   wall time and peak RSS of each;
2. the search build steps in this process: analysis, impacts, related articles, static
   shards, whoosh index;
3. bytes a browser downloads for a first and a second static query (the files
   ``StaticIndex`` reads, which are the files ``search.js`` fetches: the node parity test
   checks the list), raw and gzip-compressed, plus ``search.js``; against Material's
   ``search_index.json`` plus its worker and lunr language scripts, which Material fetches
   before the first query;
4. server query latency: ``ServerIndex.search`` in this process, and ``GET /api/search``
   over HTTP to a real ``kb serve`` on the loopback interface (sequential, bounded).

Results: ``--out``/search.md (a Markdown section for docs/benchmarks.md) and search-results.json.

    python bench/search.py --articles 10000 --out bench/out
    python bench/search.py --articles 500 --out /tmp/bench-small    # a quick run
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import importlib.util
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from generator.search.analysis import fold  # noqa: E402
from generator.search.server import ServerIndex  # noqa: E402
from generator.search.static import StaticIndex  # noqa: E402

TODAY = "2026-11-23"
LUNR_SCRIPTS = ("lunr/min/lunr.stemmer.support.min.js", "lunr/min/lunr.es.min.js", "lunr/min/lunr.multi.min.js")


def _bench_build() -> Any:
    spec = importlib.util.spec_from_file_location("bench_build", HERE / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_build"] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def sizes(paths: list[Path]) -> tuple[int, int]:
    raw = [p.read_bytes() for p in paths]
    return sum(len(b) for b in raw), sum(gz(b) for b in raw)


def timed_build(root: Path, site: Path, log: Path) -> dict[str, float]:
    cmd = [sys.executable, "-m", "generator.cli", "build", "--root", str(root), "-d", str(site)]
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "KB_TODAY": TODAY})
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed, see {log}")
    return {"seconds": round(wall, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def queries(root: Path, n: int, seed: int) -> list[str]:
    """Symptom-like queries from the synthetic articles: a symptom's words, shuffled and cut, a quarter
    with a typo (two letters swapped) and some without accents."""
    rng = random.Random(seed)
    symptoms: list[str] = []
    for path in sorted((root / "kb").rglob("*.md"))[:2000]:
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        symptoms += [s for s in meta.get("symptoms", []) if isinstance(s, str)]
    out = []
    for i in range(n):
        words = rng.choice(symptoms).split()
        words = words[: rng.randint(2, min(7, len(words)))] if len(words) > 2 else words
        if i % 4 == 0:
            long = [j for j, w in enumerate(words) if len(w) > 4]
            if long:
                j = rng.choice(long)
                w = words[j]
                k = rng.randrange(1, len(w) - 2)
                words[j] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
        q = " ".join(words)
        out.append(fold(q) if i % 3 == 0 else q)
    return out


def static_bytes(site: Path, qs: list[str]) -> dict[str, Any]:
    """Bytes of the files a first and a second query fetch (pairs of queries, fresh index each pair)."""
    index = site / "search"
    js = site / "assets" / "kb" / "search.js"
    js_raw, js_gz = sizes([js])
    first: list[tuple[int, int]] = []
    second: list[tuple[int, int]] = []
    files_first: list[int] = []
    for a, b in zip(qs[0::2], qs[1::2], strict=False):
        idx = StaticIndex(index)
        idx.search(a)
        n1 = len(idx.fetched)
        first.append(sizes([index / f for f in idx.fetched]))
        files_first.append(n1)
        idx.search(b)
        second.append(sizes([index / f for f in idx.fetched[n1:]]))

    def summary(rows: list[tuple[int, int]]) -> dict[str, int]:
        raw = sorted(r for r, _ in rows)
        zipped = sorted(g for _, g in rows)
        return {"raw_median": int(statistics.median(raw)), "raw_max": raw[-1],
                "gzip_median": int(statistics.median(zipped)), "gzip_p95": zipped[int(len(zipped) * 0.95) - 1],
                "gzip_max": zipped[-1]}

    total_raw, total_gz = sizes([p for p in index.rglob("*.json") if "server" not in p.parts])
    return {"pairs": len(first), "search_js": {"raw": js_raw, "gzip": js_gz}, "first": summary(first),
            "second": summary(second), "files_first_median": int(statistics.median(files_first)),
            "index_total": {"raw": total_raw, "gzip": total_gz,
                            "files": sum(1 for p in index.rglob("*.json") if "server" not in p.parts)}}


def lunr_bytes(site: Path) -> dict[str, Any]:
    index = site / "search" / "search_index.json"
    scripts = [next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))]
    js = site / "assets" / "javascripts"
    scripts += [js / s for s in LUNR_SCRIPTS if (js / s).exists()]
    i_raw, i_gz = sizes([index])
    s_raw, s_gz = sizes(scripts)
    return {"index": {"raw": i_raw, "gzip": i_gz}, "scripts": {"raw": s_raw, "gzip": s_gz,
                                                               "files": [p.name for p in scripts]}}


def percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"n": len(ms), "p50": round(statistics.median(ms), 2), "p95": round(ms[int(len(ms) * 0.95) - 1], 2),
            "max": round(ms[-1], 2)}


def engine_latency(site: Path, qs: list[str]) -> dict[str, Any]:
    start = time.perf_counter()
    index = ServerIndex(site / "search" / "server")
    open_s = time.perf_counter() - start
    for q in qs[:20]:  # warm up: the first searches load whoosh's modules and caches
        index.search(q)
    top10: list[float] = []
    facets: list[float] = []
    for q in qs:
        t = time.perf_counter()
        index.search(q, limit=10)
        top10.append((time.perf_counter() - t) * 1000)
    for q in qs[:100]:
        t = time.perf_counter()
        index.search(q, limit=10, facets=True)
        facets.append((time.perf_counter() - t) * 1000)
    index.close()
    return {"open_seconds": round(open_s, 2), "top10": percentiles(top10), "top10_with_facets": percentiles(facets)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_latency(site: Path, qs: list[str], work: Path) -> dict[str, Any]:
    port = free_port()
    data = work / "serve-data"
    cmd = [sys.executable, "-m", "generator.cli", "serve", "--no-build", "-d", str(site), "--data-dir", str(data),
           "--port", str(port), "--rate-limit", "0"]
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("kb serve did not start") from None
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ms: list[float] = []
        for i, q in enumerate(qs[:20] + qs):
            t = time.perf_counter()
            conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200, resp.status
            if i >= 20:
                ms.append((time.perf_counter() - t) * 1000)
        return percentiles(ms)
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def in_process_build(root: Path) -> dict[str, Any]:
    from generator.pipeline.validation import validate_tree
    from generator.search.build import SearchBuild

    catalog = validate_tree(root).catalog
    build = SearchBuild.prepare(catalog)
    build.related(5)
    tmp = root.parent / "inproc-site"
    shutil.rmtree(tmp, ignore_errors=True)
    stats = build.write_static(tmp)
    build.write_server(tmp)
    server_bytes = sum(p.stat().st_size for p in (tmp / "search" / "server").rglob("*") if p.is_file())
    shutil.rmtree(tmp, ignore_errors=True)
    return {"timings_seconds": {k: round(v, 2) for k, v in build.timings.items()}, "docs": stats.docs,
            "terms": stats.terms, "term_shards": stats.term_shards, "doc_shards": stats.doc_shards,
            "vocabulary": stats.vocab_words, "static_bytes": stats.bytes, "server_bytes": server_bytes}


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MB"


def markdown(r: dict[str, Any]) -> str:
    s, lunr, b = r["static"], r["lunr"], r["builds"]
    first_total = s["first"]["gzip_max"] + s["search_js"]["gzip"]
    lunr_total = lunr["index"]["gzip"] + lunr["scripts"]["gzip"]
    t = r["in_process"]["timings_seconds"]
    e, h = r["engine"], r["http"]
    return f"""## Search

`python bench/search.py --articles {r['articles']} --out bench/out` on {r['machine']} ({r['date']}).
{r['articles']:,} synthetic articles and {r['protocols']} protocols (bench/build.py's generator),
{r['queries']} symptom-like queries made from the articles' symptoms (a quarter with two letters
swapped, a third without accents).

| | kb search (static shards + whoosh) | Material search (lunr) |
|---|---|---|
| `kb build` wall time | {b['kb']['seconds']} s (peak RSS {b['kb']['peak_rss_mb']} MB) | {b['lunr']['seconds']} s \
(peak RSS {b['lunr']['peak_rss_mb']} MB) |
| download before the first result, gzip | **{kb(first_total)}** worst of {s['pairs']} (median \
{kb(s['first']['gzip_median'] + s['search_js']['gzip'])}): {kb(s['first']['gzip_max'])} of index shards \
(median {s['files_first_median']} files) + {kb(s['search_js']['gzip'])} search.js | **{kb(lunr_total)}**: \
{kb(lunr['index']['gzip'])} search_index.json + {kb(lunr['scripts']['gzip'])} worker and lunr scripts |
| download for a second query, gzip | median {kb(s['second']['gzip_median'])}, worst \
{kb(s['second']['gzip_max'])} (shards not fetched yet) | 0 (all loaded already) |
| index on disk, raw | {kb(s['index_total']['raw'])} in {s['index_total']['files']} files; whoosh \
{kb(r['in_process']['server_bytes'])} (server only) | {kb(lunr['index']['raw'])} |
| typo tolerance | yes (both) | no (lunr fuzzy only if typed `~1`) |

Search build steps (in one process, N={r['articles']:,}): analysis and impacts {t.get('analyze', 0)} s,
related articles {t.get('related', 0)} s, static shards {t.get('static', 0)} s, whoosh index
{t.get('server', 0)} s ({r['in_process']['terms']:,} terms, {r['in_process']['term_shards']} term shards,
{r['in_process']['doc_shards']} document shards, {r['in_process']['vocabulary']:,} vocabulary words).

Server query latency ({e['top10']['n']} queries, sequential; whoosh index opened in {e['open_seconds']} s):

| | p50 | p95 | max |
|---|---|---|---|
| `ServerIndex.search`, top 10 | {e['top10']['p50']} ms | {e['top10']['p95']} ms | {e['top10']['max']} ms |
| `ServerIndex.search`, top 10 + facets (over the best 100) | {e['top10_with_facets']['p50']} ms | \
{e['top10_with_facets']['p95']} ms | {e['top10_with_facets']['max']} ms |
| `GET /api/search` to `kb serve` over loopback HTTP | {h['p50']} ms | {h['p95']} ms | {h['max']} ms |

Target: first static query ≤ 0.3 MB ({'met' if first_total <= 300_000 else 'NOT met'});
server p95 ≤ 50 ms ({'met' if h['p95'] <= 50 else 'NOT met'} over HTTP).
Material's lunr numbers are bytes only; building the lunr index in the browser is extra
(issue 5 measured ~29 s at 10,000 articles).
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--skip-lunr", action="store_true", help="do not build the Material (lunr) comparison site")
    args = ap.parse_args()
    out = Path(args.out).resolve()
    work = out / f"search-n{args.articles}"
    root = work / "repo"
    work.mkdir(parents=True, exist_ok=True)
    print(f"generating {args.articles} articles in {root}", flush=True)
    n_articles, n_protocols = _bench_build().generate_repo(root, args.articles, args.seed)
    print("kb build with kb search", flush=True)
    builds = {"kb": timed_build(root, work / "site-kb", work / "build-kb.log")}
    lunr: dict[str, Any] = {"index": {"raw": 0, "gzip": 0}, "scripts": {"raw": 0, "gzip": 0, "files": []}}
    if not args.skip_lunr:
        print("kb build with Material's search (search: false)", flush=True)
        lunr_root = work / "repo-lunr"
        shutil.rmtree(lunr_root, ignore_errors=True)
        shutil.copytree(root, lunr_root)
        cfg = yaml.safe_load((lunr_root / "mkdocs.yml").read_text(encoding="utf-8"))
        cfg["plugins"] = [p for p in cfg["plugins"] if p != "kb"] + [{"kb": {"search": False}}]
        (lunr_root / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
        builds["lunr"] = timed_build(lunr_root, work / "site-lunr", work / "build-lunr.log")
        lunr = lunr_bytes(work / "site-lunr")
    else:
        builds["lunr"] = {"seconds": 0.0, "peak_rss_mb": 0.0}
    print("search build steps in process", flush=True)
    inproc = in_process_build(root)
    qs = queries(root, args.queries, args.seed)
    print("static bytes", flush=True)
    static = static_bytes(work / "site-kb", qs)
    print("server latency", flush=True)
    engine = engine_latency(work / "site-kb", qs)
    http = http_latency(work / "site-kb", qs, work)
    result = {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "articles": n_articles, "protocols": n_protocols,
              "queries": len(qs), "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}", "builds": builds, "in_process": inproc, "static": static,
              "lunr": lunr, "engine": engine, "http": http}
    (out / "search-results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (out / "search.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
