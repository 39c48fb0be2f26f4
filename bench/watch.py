"""Watch-loop benchmark (not a timed test): an edit saved to its page, search included, on N pages.

It generates the synthetic repository of ``bench/build.py`` (N articles, N/20 protocols) and runs,
one after the other, each as a real server process on a free port:

* ``kb serve --watch``: our live preview (generator/preview.py);
* ``mkdocs serve``: plain Material for MkDocs (``navigation.prune``, its lunr search) on the very
  Markdown our plugin hands to MkDocs, the way a user previews a plain MkDocs site;
* ``mkdocs serve --dirty``: the same, rebuilding only changed pages.

For each tool, ``--edits`` times it appends a new, unique word to the body of a different article
(``--title-edits`` more times it changes an article's title, which reaches the index pages) and
measures from the moment the file is written until (a) the page served over HTTP shows the word and
(b) the site's search finds the page by that word: for ``kb``, ``/api/search`` *and* the static index
the browser reads; for MkDocs, ``search/search_index.json`` (lunr's index) served by ``mkdocs serve``.
An edit whose search never finds the page within ``--timeout`` counts as "search never updated".

    python bench/watch.py --pages 2000 --edits 10 --out bench/out
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build as bench_build  # noqa: E402  (bench/build.py: synthetic content, machine facts)

BEGIN = "<!-- bench/watch.py: results begin (generated, do not edit by hand) -->"
END = "<!-- bench/watch.py: results end -->"
TARGET_S = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except (OSError, http.client.HTTPException):  # e.g. a file replaced while it was being sent
        return 0, b""


@dataclass
class Edit:
    kind: str  # "body" | "title"
    page_s: float | None
    search_s: float | None
    log: str = ""


@dataclass
class Tool:
    name: str
    cmd: list[str]
    cwd: Path
    ready_url: str
    page_url: Callable[[str, str], str]  # (area, id) -> page URL
    searches: Callable[[str, str], bool]  # (word, id) -> found by search
    indexed: Callable[[], int]  # how many pages the site's search index holds now
    edits: list[Edit] = field(default_factory=list)
    start_s: float = 0.0
    indexed_before: int = 0
    indexed_after: list[int] = field(default_factory=list)


def _wait(check: Callable[[], bool], deadline: float, step: float = 0.01) -> float | None:
    t0 = time.perf_counter()
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter() - t0
        time.sleep(step)
    return None


def run_tool(tool: Tool, articles: list[Path], repo_kb: Path, edits: int, title_edits: int, timeout: float,
             log: Path) -> None:
    with log.open("w", encoding="utf-8") as out:
        out.write("$ " + shlex.join(tool.cmd) + "\n")
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(tool.cmd, cwd=tool.cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "KB_TODAY": bench_build.TODAY})
    try:
        while _get(tool.ready_url, timeout=2)[0] != 200:
            if proc.poll() is not None or time.perf_counter() - t0 > 900:
                raise SystemExit(f"{tool.name} did not start; see {log}")
            time.sleep(0.2)
        tool.start_s = time.perf_counter() - t0
        time.sleep(1.0)  # let the watchers settle
        tool.indexed_before = tool.indexed()
        plan = [("body", i) for i in range(edits)] + [("title", edits + i) for i in range(title_edits)]
        for kind, i in plan:
            path = articles[(i * 37) % len(articles)]
            area, ident = path.relative_to(repo_kb).parts[0], path.stem
            word = f"vigilanciaq{i}x{os.getpid() % 1000}"
            text = path.read_text(encoding="utf-8")
            if kind == "body":
                text = text.rstrip("\n") + f"\n\nNota añadida en la prueba: {word}.\n"
            elif re.search(r"^title: ", text, flags=re.M):  # our front matter
                text = re.sub(r"^title: (.*)$", rf"title: \1 {word}", text, count=1, flags=re.M)
            else:  # the plain copy: the Markdown our plugin made, whose title is the first heading
                text = re.sub(r"^# (.*)$", rf"# \1 {word}", text, count=1, flags=re.M)
            url = tool.page_url(area, ident)
            t_edit = time.perf_counter()
            path.write_text(text, encoding="utf-8")
            deadline = t_edit + timeout
            page_s = _wait(lambda w=word, u=url: w.encode() in _get(u)[1], deadline)  # type: ignore[misc]
            search_s = (_wait(lambda w=word, i=ident: tool.searches(w, i), deadline)  # type: ignore[misc]
                        if page_s is not None else None)
            if search_s is not None and page_s is not None:
                search_s += page_s  # both measured from the edit
            tool.edits.append(Edit(kind, page_s, search_s))
            tool.indexed_after.append(tool.indexed())
            print(f"  {tool.name:22s} {kind:5s} edit {i}: page {_fmt(page_s)}, search {_fmt(search_s)}", flush=True)
            time.sleep(1.5 if "mkdocs" not in tool.name else 3.0)  # livereload's own debounce
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f} s"


def kb_tool(repo: Path, port: int) -> Tool:
    base = f"http://127.0.0.1:{port}"
    site = repo / "site"

    def searches(word: str, ident: str) -> bool:
        from generator.search.static import StaticIndex

        status, body = _get(f"{base}/api/search?q={word}")
        if status != 200 or ident not in [r["id"] for r in json.loads(body)["results"]]:
            return False
        try:
            return ident in [h.id for h in StaticIndex(site / "search").search(word).hits]
        except (OSError, ValueError, KeyError):
            return False

    def indexed() -> int:  # the static index the browser reads; /api/search answers from the same documents
        status, body = _get(f"{base}/search/meta.json")
        return int(json.loads(body)["docs"]) if status == 200 else 0

    return Tool("kb serve --watch", [bench_build.executable("kb"), "serve", "--watch", "--root", str(repo),
                                     "--port", str(port), "--data-dir", str(repo / ".kb-data")], repo,
                f"{base}/api/preview", lambda a, i: f"{base}/{a}/{i}/", searches, indexed)


def mkdocs_tool(plain: Path, port: int, dirty: bool) -> Tool:
    base = f"http://127.0.0.1:{port}"

    def searches(word: str, ident: str) -> bool:
        status, body = _get(f"{base}/search/search_index.json", timeout=10)
        if status != 200:
            return False
        return any(word in d.get("text", "") + d.get("title", "") and f"/{ident}/" in "/" + d.get("location", "")
                   for d in json.loads(body).get("docs", []))

    cmd = [bench_build.executable("mkdocs"), "serve", "-f", str(plain / "mkdocs.yml"), "-a", f"127.0.0.1:{port}",
           *(["--dirty"] if dirty else [])]
    def indexed() -> int:  # distinct pages in lunr's index (each page has several entries: its sections)
        status, body = _get(f"{base}/search/search_index.json", timeout=10)
        if status != 200:
            return 0
        return len({d.get("location", "").split("#")[0] for d in json.loads(body).get("docs", [])})

    return Tool("mkdocs serve" + (" --dirty" if dirty else ""), cmd, plain, f"{base}/",
                lambda a, i: f"{base}/{a}/{i}/", searches, indexed)


def summarize(tool: Tool) -> dict[str, Any]:
    out: dict[str, Any] = {"tool": tool.name, "start_s": round(tool.start_s, 1),
                           "indexed_before": tool.indexed_before,
                           "indexed_after_min": min(tool.indexed_after, default=0)}
    for kind in ("body", "title"):
        es = [e for e in tool.edits if e.kind == kind]
        if not es:
            continue
        pages = [e.page_s for e in es if e.page_s is not None]
        found = [e.search_s for e in es if e.search_s is not None]
        out[kind] = {"edits": len(es), "page_median": _med(pages), "page_max": max(pages) if pages else None,
                     "search_median": _med(found), "search_max": max(found) if found else None,
                     "search_missing": len(es) - len(found)}
    return out


def _med(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def table(rows: list[dict[str, Any]], n_pages: int) -> str:
    lines = ["| tool | edit | edits | page shown, median | page, max | page + search, median | page + search, max "
             "| search never updated | pages in the search index: before → fewest after an edit "
             "| first build + start |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        for kind in ("body", "title"):
            if kind not in r:
                continue
            k = r[kind]
            lines.append(f"| {r['tool']} | {kind} | {k['edits']} | {_fmt(k['page_median'])} | {_fmt(k['page_max'])} "
                         f"| {_fmt(k['search_median'])} | {_fmt(k['search_max'])} | {k['search_missing']} "
                         f"| {r['indexed_before']:,} → {r['indexed_after_min']:,} | {r['start_s']} s |")
    return "\n".join(lines) + "\n"


def update_docs(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + block + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n## Watch loop (live preview)\n\n" + block + "\n"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000, help="synthetic articles (plus N/20 protocols)")
    ap.add_argument("--edits", type=int, default=10, help="body edits per tool")
    ap.add_argument("--title-edits", type=int, default=3, help="title edits per tool (index pages change too)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds to wait for one edit")
    ap.add_argument("--tools", default="kb,mkdocs,mkdocs-dirty")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args(argv)
    work = args.out.resolve() / f"watch-{args.pages}"
    work.mkdir(parents=True, exist_ok=True)
    info = bench_build.machine()
    rows = []
    for name in args.tools.split(","):
        repo = work / "repo"
        print(f"{name}: generating {args.pages} articles", flush=True)
        bench_build.generate_repo(repo, args.pages, args.seed)
        bench_build.wait_for_quiet(60)
        port = _free_port()
        if name == "kb":
            tool = kb_tool(repo, port)
        else:
            plain = work / "plain"
            bench_build.write_plain(repo, plain, ["navigation.prune"])
            tool = mkdocs_tool(plain, port, dirty=name == "mkdocs-dirty")
            repo = plain
        kb_dir = repo / ("kb" if name == "kb" else "docs")
        articles = sorted(p for p in kb_dir.rglob("*.md") if p.name != "index.md" and p.parts[-2] not in (
            "protocolos", "areas", "etiquetas", "audiencias", "satisfaccion"))
        run_tool(tool, articles, kb_dir, args.edits, args.title_edits, args.timeout, work / f"{name}.log")
        rows.append(summarize(tool))
    (work / "results.json").write_text(json.dumps({"machine": info, "rows": rows}, indent=1), encoding="utf-8")
    text = table(rows, args.pages)
    print(text)
    if not args.no_docs:
        command = "python " + shlex.join(["bench/watch.py", *(argv if argv is not None else sys.argv[1:])])
        block = "\n".join([
            BEGIN, "", "Command (from the repository root):", "", "```sh", command, "```", "",
            f"Machine: {info['cpu']}, {info['nproc']} CPUs, {info['ram']} RAM, {info['os']}; Python {info['python']}, "
            f"MkDocs {info['mkdocs']}, Material for MkDocs {info['material']}; code: {info['code']}; "
            f"run {info['date']}. {args.pages} articles + {max(1, args.pages // 20)} protocols. "
            f"Target: ≤ {TARGET_S:.0f} s from saving a body edit to the page and the search showing it.",
            "", text.rstrip("\n"), "", END])
        update_docs(bench_build.DOCS_FILE, block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
