"""Validate benchmark (not a timed test): `kb validate` cold and with its cache on bench/build.py's
synthetic content.

For each size N it generates the same content repository as bench/build.py (N articles over 20
areas, N/20 protocols, valid and lint-clean), then runs `kb validate` in its own process, in turn,
``--repeat`` times each:

* ``1``: cold in one process (``KB_JOBS=1 kb validate --no-cache``: reads, parses and lints every file);
* ``cores``: cold across the cores (the default), the validation cache emptied first, so the run
  also writes it (generator/content/parallel.py, generator/pipeline/vcache.py);
* ``cached``: right after, nothing changed (every file's result from the cache);
* ``one-edited``: one article's body changed, then `kb validate` (that file parsed and linted again).

Measured per run: wall time around the child, its CPU time (user + system of the child *and* of
the worker processes it forked and waited for, from ``os.wait4``), peak RSS of the child (the
largest single process), the CPUs other processes kept busy meanwhile (from /proc/stat) and the
1-minute load average before the run (from /proc/loadavg). The machine is shared: read the CPU
columns when the other load is high. The table goes into the ``## Validate`` section of
docs/benchmarks.md between the markers below.

    python bench/validate.py --sizes 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build as bench  # noqa: E402  (bench/build.py: content generator, measuring, machine facts)

BEGIN = "<!-- bench/validate.py: results begin (generated, do not edit by hand) -->"
END = "<!-- bench/validate.py: results end -->"
TARGET_S = 8.0  # issue 18: cold `kb validate` at 10,000 articles
TARGET_CACHED_S = 2.0  # issue 18: `kb validate` with the cache at 10,000 articles


@dataclass
class Run:
    n: int
    jobs: str  # "1", "cores", "cached" or "one-edited" (see the module docstring)
    repeat: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    other_load: float
    loadavg: float
    returncode: int


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


SETTINGS = ("1", "cores", "cached", "one-edited")
LABELS = {"1": "cold, 1 process (`KB_JOBS=1 --no-cache`)", "cores": "cold, {cores} processes (cache written)",
          "cached": "cached, nothing changed", "one-edited": "cached, one article edited"}


def validate_once(n: int, jobs: str, r: int, root: Path, out: Path, quiet_s: float) -> Run:
    repo = root / "repo"
    cmd = [bench.executable("kb"), "validate", "-f", str(repo / "mkdocs.yml")]
    if jobs == "1":
        cmd.append("--no-cache")
    elif jobs == "cores":
        shutil.rmtree(repo / ".kb-data" / "cache" / "validate", ignore_errors=True)
    elif jobs == "one-edited":
        article = sorted((repo / "kb").rglob("*.md"))[r]
        article.write_text(article.read_text(encoding="utf-8") + f"\nUna línea más ({r}).\n", encoding="utf-8")
    log = out / "logs" / f"validate-{n}-{jobs}-{r}.log"
    if quiet_s > 0:
        bench.wait_for_quiet(quiet_s)
    if jobs == "1":
        os.environ["KB_JOBS"] = "1"
    else:
        os.environ.pop("KB_JOBS", None)
    load = loadavg()
    wall, cpu, rss, other, code = bench.measure(cmd, log)
    os.environ.pop("KB_JOBS", None)
    if code != 0:
        print(f"    kb validate failed with exit code {code}; see {log}", flush=True)
    return Run(n, jobs, r, wall, cpu, rss, other, load, code)


def summarize(runs: list[Run]) -> list[dict[str, Any]]:
    rows = []
    for n, jobs in sorted({(r.n, r.jobs) for r in runs}, key=lambda k: (k[0], SETTINGS.index(k[1]))):
        mine = [r for r in runs if (r.n, r.jobs) == (n, jobs) and r.returncode == 0]
        if not mine:
            rows.append({"n": n, "jobs": jobs, "failed": True})
            continue
        best = min(mine, key=lambda r: r.wall_s)
        rows.append({"n": n, "jobs": jobs, "wall_s": best.wall_s, "cpu_s": best.cpu_s,
                     "min_cpu_s": min(r.cpu_s for r in mine), "peak_rss_mb": max(r.peak_rss_mb for r in mine),
                     "other_load": best.other_load, "loadavg": best.loadavg,
                     "walls": [round(r.wall_s, 1) for r in mine], "cpus": [round(r.cpu_s, 1) for r in mine]})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| N files | run | wall s (best) | CPU s of that run | CPU s (least) | peak RSS MB | other load "
             "| load avg | all walls s | all CPU s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        procs = LABELS[r["jobs"]].format(cores=os.cpu_count())
        files = f"{r['n'] + max(1, r['n'] // 20):,}"
        if r.get("failed"):
            lines.append(f"| {files} | {procs} | failed | | | | | | | |")
            continue
        lines.append(f"| {files} | {procs} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['min_cpu_s']:.1f} | "
                     f"{r['peak_rss_mb']:.0f} | {r['other_load']:.2f} | {r['loadavg']:.1f} | "
                     f"{', '.join(map(str, r['walls']))} | {', '.join(map(str, r['cpus']))} |")
    return "\n".join(lines) + "\n"


def reading(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for n in sorted({r["n"] for r in rows}):
        got = {r["jobs"]: r for r in rows if r["n"] == n and not r.get("failed")}
        one, many, cached = got.get("1"), got.get("cores"), got.get("cached")
        if one and many:
            out.append(f"N = {n:,}: {many['wall_s']:.1f} s across the cores against {one['wall_s']:.1f} s in one "
                       f"process (×{one['wall_s'] / many['wall_s']:.2f}); CPU {many['min_cpu_s']:.1f} s against "
                       f"{one['min_cpu_s']:.1f} s in the least disturbed runs (difference "
                       f"{many['min_cpu_s'] - one['min_cpu_s']:+.1f} s).")
        if many and n >= 10_000:
            verdict = "met" if many["wall_s"] <= TARGET_S else "not met on this run"
            out.append(f"Target ≤ {TARGET_S:.0f} s cold at 10,000 articles: {verdict} ({many['wall_s']:.1f} s, other "
                       f"processes kept {many['other_load']:.2f} CPUs busy, load average {many['loadavg']:.1f}).")
        if cached and n >= 10_000:
            verdict = "met" if cached["wall_s"] <= TARGET_CACHED_S else "not met on this run"
            out.append(f"Target ≤ {TARGET_CACHED_S:.0f} s with the cache at 10,000 articles: {verdict} "
                       f"({cached['wall_s']:.1f} s wall, {cached['min_cpu_s']:.1f} s CPU, other processes kept "
                       f"{cached['other_load']:.2f} CPUs busy).")
    return out


def results_block(rows: list[dict[str, Any]], info: dict[str, str], command: str) -> str:
    return "\n".join([
        BEGIN, "", "Command (from the repository root):", "", "```sh", command, "```", "",
        f"Machine: {info['cpu']}, {info['nproc']} CPUs, {info['ram']} RAM, {info['os']}; Python {info['python']}; "
        f"code: {info['code']}; run {info['date']}.", "",
        table(rows).rstrip("\n"), "", *[f"- {s}" for s in reading(rows)], "", END,
    ])


def update_docs(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Validate\n\n" + block + "\n"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000", help="numbers of articles, comma-separated")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="work folder (git-ignored)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per setting and size (the fastest is reported)")
    ap.add_argument("--quiet-wait", type=float, default=0, metavar="S",
                    help="before each run, wait up to S seconds for other processes to go quiet")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--docs", type=Path, default=bench.DOCS_FILE)
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args(argv)
    out: Path = args.out.resolve()
    (out / "logs").mkdir(parents=True, exist_ok=True)
    command = "python bench/validate.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    runs: list[Run] = []
    for n in [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]:
        root = out / f"validate-n{n}"
        articles, protocols = bench.generate_repo(root / "repo", n, args.seed)
        print(f"[N={n:,}] generated {articles:,} articles + {protocols:,} protocols", flush=True)
        for r in range(1, args.repeat + 1):
            for jobs in SETTINGS:
                run = validate_once(n, jobs, r, root, out, args.quiet_wait)
                runs.append(run)
                print(f"  {jobs:10} #{r}: {run.wall_s:6.1f} s (CPU {run.cpu_s:5.1f} s)  peak RSS "
                      f"{run.peak_rss_mb:4.0f} MB  other load {run.other_load:.2f}  load avg {run.loadavg:.1f}",
                      flush=True)
    rows = summarize(runs)
    info = bench.machine()
    (out / "validate-results.json").write_text(json.dumps({"command": command, "machine": info, "rows": rows,
                                                           "runs": [asdict(r) for r in runs]}, indent=1),
                                               encoding="utf-8")
    print()
    print(table(rows))
    for line in reading(rows):
        print("-", line)
    if not args.no_docs:
        update_docs(args.docs, results_block(rows, info, command))
        print(f"\nupdated {args.docs}")
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)")
    raise SystemExit(code)
