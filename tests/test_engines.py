"""The starter content built by MkDocs 1.6.1 and by ProperDocs: the same pages, links and anchors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests import early
from tests.sitebuild import kb_argv

ROOT = Path(__file__).resolve().parent.parent


def build(kb_command: list[str], engine: str, out: Path) -> Path:
    # A data folder of its own: other builds of the repository may run at the same time.
    env = {**os.environ, "KB_DATA_DIR": str(out.parent / f"{engine}-data")}
    proc = early.run([*kb_command, "build", "--root", str(ROOT), "--strict", "--engine", engine,
                      "--site-dir", str(out)], timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def shape(site: Path) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Every HTML page -> (its links, its anchors)."""
    pages = {}
    for page in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = frozenset(str(a["href"]) for a in soup.find_all(href=True))
        anchors = frozenset(str(t["id"]) for t in soup.find_all(id=True))
        pages[page.relative_to(site).as_posix()] = (links, anchors)
    return pages


def generator(site: Path) -> str:
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    meta = soup.find("meta", attrs={"name": "generator"})
    assert meta is not None
    return str(meta["content"])


@early.job(__name__, "test_each_engine_names_itself", "test_same_pages_links_and_anchors")
def engine_builds() -> dict[str, Path]:
    """Both builds, started in the background right after collection (tests/early.py)."""
    out = early.tempdir("kb-engines-")
    return {engine: build(kb_argv(), engine, out / engine) for engine in ("mkdocs", "properdocs")}


@pytest.fixture(scope="module")
def sites(kb_command: list[str]) -> dict[str, Path]:
    assert kb_command == kb_argv()  # the builds ran the same `kb` as the other tests
    return engine_builds.result()


def test_each_engine_names_itself(sites: dict[str, Path]) -> None:
    assert generator(sites["mkdocs"]).startswith("mkdocs-1.6.1")
    # A silent fallback to MkDocs would fail here.
    assert "ProperDocs" in generator(sites["properdocs"])


def test_same_pages_links_and_anchors(sites: dict[str, Path]) -> None:
    mk, pd = shape(sites["mkdocs"]), shape(sites["properdocs"])
    assert len(mk) > 30
    assert sorted(mk) == sorted(pd)
    differ = [page for page in mk if mk[page] != pd[page]]
    assert differ == []


def test_a_missing_engine_is_a_clear_error(tmp_path: Path, kb_command: list[str]) -> None:
    proc = subprocess.run([*kb_command, "build", "--engine", "zensical"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 2
    assert "invalid choice: 'zensical'" in proc.stderr
