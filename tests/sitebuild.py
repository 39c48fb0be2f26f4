"""Helpers shared by the site-building tests: make content repos, build them, parse pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "fixtures" / "tiny"
TODAY = "2026-11-23"


def kb_argv() -> list[str]:
    """argv prefix that runs the installed `kb` console script of this interpreter's environment
    (the ``kb_command`` fixture of tests/conftest.py)."""
    script = Path(sys.executable).with_name("kb")
    if script.is_file():
        return [str(script)]
    found = shutil.which("kb")
    return [found] if found else [sys.executable, "-m", "generator.cli"]


def env() -> dict[str, str]:
    """Environment for `kb` subprocesses: a fixed date for review checks."""
    return {**os.environ, "KB_TODAY": TODAY}


def copy_tiny(dest: Path, *, search: bool = False) -> Path:
    """Copy the tiny fixture repo to ``dest`` (theme path made absolute); returns its root."""
    shutil.copytree(TINY, dest, ignore=shutil.ignore_patterns("site"))
    cfg = dest / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8").replace("custom_dir: ../../../theme", f"custom_dir: {REPO / 'theme'}")
    if search:
        text = text.replace("plugins:\n  - kb\n", "plugins:\n  - search\n  - kb\n")
    cfg.write_text(text, encoding="utf-8")
    return dest


def kb(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=timeout)


def page(site: Path, url_path: str) -> BeautifulSoup:
    target = site / url_path / "index.html" if not url_path.endswith(".html") else site / url_path
    return BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")


def add_articles(root: Path, n: int, area: str = "masivo", words: int = 120) -> None:
    """Add ``n`` valid synthetic solution articles to a content repo."""
    folder = root / "kb" / area
    folder.mkdir(parents=True, exist_ok=True)
    filler = " ".join(["El equipo no responde como se espera y la persona necesita ayuda."] * (words // 11))
    for i in range(n):
        (folder / f"articulo-{i}.md").write_text(
            f"---\nid: articulo-{i}\ntitle: Artículo sintético {i}\ntype: solution\naudience: end-user\n"
            f"symptoms: [Síntoma {i}]\ncause: Causa {i}.\nowner: equipo-pruebas\nreviewed: 2026-11-01\n---\n"
            f"## Síntomas\n\n{filler}\n\n## Causa\n\n{filler}\n\n## Solución\n\n{filler}\n\n"
            f"## Prevención\n\n{filler}\n", encoding="utf-8")


def content_files(root: Path = REPO) -> int:
    """How many content files `kb validate` reads in ``root`` (kb/ articles and protocols/)."""
    from generator.content.sources import discover, is_article_path

    return sum(1 for p in discover(root) if not p.startswith("kb/") or is_article_path(p))
