"""Pages rendered and built in worker processes (generator/mkdocs/workers.py, buildworkers.py): the same
site, byte for byte, on MkDocs and ProperDocs, and the same warnings (a broken link still fails `kb build --strict`)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitebuild import add_articles, copy_tiny, env, kb

STATS = re.compile(r"kb: pages rendered: (\{.*\})")
BUILT = re.compile(r"kb: pages built: (\{.*\})")


def set_workers(root: Path, n: int) -> None:
    cfg = root / "mkdocs.yml"
    text = re.sub(r"  - kb(:\n      render_workers: \d+)?\n", f"  - kb:\n      render_workers: {n}\n",
                  cfg.read_text("utf-8"))
    assert f"render_workers: {n}\n" in text
    cfg.write_text(text, encoding="utf-8")


def engine_build(root: Path, engine: str, workers: int, site: Path) -> str:
    """The engine's own `build -v` (it loads the kb plugin from its entry point); returns stderr."""
    set_workers(root, workers)
    proc = subprocess.run([sys.executable, "-m", engine, "build", "-v", "-f", str(root / "mkdocs.yml"),
                           "-d", str(site)], cwd=root, env=env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_tiny(tmp_path_factory.mktemp("parallel") / "repo")
    add_articles(root, 120)
    return root


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_workers_render_the_same_site(repo: Path, tmp_path: Path, engine: str) -> None:
    engine_build(repo, engine, 0, tmp_path / "serial")
    log = engine_build(repo, engine, 2, tmp_path / "parallel")
    found = STATS.search(log)
    assert found, "expected the render pool's statistics: was the page rendering done without workers?"
    stats = ast.literal_eval(found.group(1))
    serial, parallel = files_of(tmp_path / "serial"), files_of(tmp_path / "parallel")
    pages = sum(1 for name in serial if name.endswith(".html")) - 1  # 404.html is not a page
    assert stats["failed"] == 0
    assert stats["workers"] >= 10, stats  # the workers rendered pages: no silent fallback to this process
    assert stats["applied"] == stats["workers"], stats  # and every one was used as it came
    assert stats["rendered"] + stats["applied"] == pages, stats
    # and the workers built pages (template, post-page events, write: generator/mkdocs/buildworkers.py)
    built = BUILT.search(log)
    assert built, "expected the build pool's statistics: was every page built in the build's process?"
    stats = ast.literal_eval(built.group(1))
    assert stats["workers"] >= 10 and stats["failed"] == 0, stats
    assert sorted(serial) == sorted(parallel)
    assert [name for name in serial if serial[name] != parallel[name]] == []


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("WARNING")]


def test_a_broken_link_in_a_worker_page_fails_strict(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    add_articles(root, 80)
    for page in sorted((root / "kb" / "masivo").glob("*.md")):
        page.write_text(page.read_text("utf-8") + "\nVea [la red](../red/cable-suelto.md#no-existe) y "
                        "[otra](no-existe.md).\n", encoding="utf-8")
    runs = {}
    for workers in (0, 2):
        set_workers(root, workers)
        proc = kb("build", "--strict", "--root", str(root), "--site-dir", str(tmp_path / f"site{workers}"))
        assert proc.returncode != 0
        runs[workers] = warnings_of(proc.stderr)
    assert any("contains a link 'no-existe.md', but the target 'masivo/no-existe.md' is not found" in w
               for w in runs[2]), runs[2][:5]
    assert any("does not contain an anchor '#no-existe'" in w for w in runs[2]), runs[2][:5]
    assert len(runs[2]) >= 160
    assert runs[2] == runs[0]
    assert not (tmp_path / "site2").exists()
    # the same build through the engine's own CLI, verbose: workers rendered pages (all have broken links)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-v", "-f", str(root / "mkdocs.yml"),
                           "-d", str(tmp_path / "engine")], cwd=root, env=env(), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode != 0
    found = STATS.search(proc.stderr)
    assert found, proc.stderr[-2000:]
    stats = ast.literal_eval(found.group(1))
    assert stats["workers"] >= 10 and stats["applied"] == stats["workers"] and stats["failed"] == 0, stats
    # (verbose, MkDocs does not check anchors: Page.render keeps no links_to_anchors at DEBUG level)
    assert warnings_of(proc.stderr) == [w for w in runs[2] if "anchor" not in w]


HOOK = '''import os

MAIN = []


def on_config(config):
    MAIN[:] = [os.getpid()]


def on_page_context(context, page, config, nav):
    if os.getpid() != MAIN[0]:  # a build worker dies at its first page
        os._exit(3)
    return context
'''


def test_pages_of_a_dying_build_worker_are_built_here(repo: Path, tmp_path: Path) -> None:
    """A build worker that dies leaves its pages to the build's process: the same site, nothing missing."""
    root = tmp_path / "repo"
    shutil.copytree(repo, root)
    (root / "die.py").write_text(HOOK, encoding="utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text("utf-8") + "hooks:\n  - die.py\n", encoding="utf-8")
    engine_build(root, "mkdocs", 0, tmp_path / "serial")
    log = engine_build(root, "mkdocs", 2, tmp_path / "parallel")
    built = BUILT.search(log)
    assert built, log[-2000:]
    stats = ast.literal_eval(built.group(1))
    assert stats["workers"] == 0 and stats["failed"] >= 1, stats  # no worker built a page; this process did
    serial, parallel = files_of(tmp_path / "serial"), files_of(tmp_path / "parallel")
    assert sorted(serial) == sorted(parallel)
    assert [name for name in serial if serial[name] != parallel[name]] == []
