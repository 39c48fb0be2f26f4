"""The atomic swap (generator/mkdocs/swap.py): the new site replaces the old one in one step, and the old
one is removed by a detached process, not by the build; one left by a killed remover is handed on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.mkdocs import swap
from generator.mkdocs.swap import publish, temporary_site


def _site(folder: Path, text: str, pages: int = 50) -> None:
    for n in range(pages):
        (folder / f"p{n}").mkdir(parents=True, exist_ok=True)
        (folder / f"p{n}" / "index.html").write_text(text, encoding="utf-8")


def _gone(parent: Path, pattern: str, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not list(parent.glob(pattern)):
            return True
        time.sleep(0.05)
    return False


def test_swap_replaces_the_site_and_removes_the_old_one_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "site"
    _site(target, "old")
    tmp = temporary_site(target)
    _site(tmp, "new")
    removed_here: list[str] = []
    monkeypatch.setattr(swap.shutil, "rmtree", lambda path, **_: removed_here.append(str(path)))
    publish(tmp, target)
    assert removed_here == []  # the build does not wait for the old site's removal
    assert (target / "p0" / "index.html").read_text(encoding="utf-8") == "new"
    assert len(list(target.iterdir())) == 50
    assert list(tmp_path.glob(".site-tmp-*")) == []
    assert _gone(tmp_path, ".site-old-*"), sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_an_old_site_whose_remover_is_gone_is_handed_on(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    left = tmp_path / f".site-old-{int(dead.stdout)}-abc123"
    _site(left, "old")
    (tmp_path / "site").mkdir()
    tmp = temporary_site(tmp_path / "site")  # a new build starts: the leftover goes to a new remover
    assert _gone(tmp_path, ".site-old-*"), sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", tmp.name])
