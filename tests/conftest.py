"""Shared fixtures: the tiny content repo, a fixed 'today', and the real `kb` command."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from generator.content.sources import discover

TINY = Path(__file__).parent / "fixtures" / "tiny"


def read_content(root: Path) -> dict[str, str]:
    """Every content file under ``root`` (kb/**/*.md, protocols/*.yml) as path -> text."""
    return {rel: (root / rel).read_text(encoding="utf-8") for rel in discover(root)}


@pytest.fixture
def today() -> date:
    """The fixed 'today' every validation in the tests runs with (review dates depend on it)."""
    return date(2026, 11, 23)


@pytest.fixture
def tiny_root() -> Path:
    """tests/fixtures/tiny: a valid content repo of 1 protocol and 3 articles (read-only)."""
    return TINY


@pytest.fixture
def tiny_texts() -> dict[str, str]:
    """The tiny repo's content files as path -> text, for validate_texts (a fresh dict per test)."""
    return read_content(TINY)


@pytest.fixture
def kb_command() -> list[str]:
    """argv prefix that runs the installed `kb` console script of this interpreter's environment.

    The script next to ``sys.executable`` is preferred over a PATH lookup (pyenv shims add
    a shell and a second interpreter start); ``python -m generator.cli`` is the fallback.
    """
    script = Path(sys.executable).with_name("kb")
    if script.is_file():
        return [str(script)]
    found = shutil.which("kb")
    return [found] if found else [sys.executable, "-m", "generator.cli"]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Debian Chromium, driven by Playwright, for every browser test of the session.

    Playwright's sync API keeps an event loop running in the main thread while it is open, so
    there must be only one; code that needs asyncio runs it in a thread of its own."""
    assert Path(CHROMIUM).exists(), "Chromium is not installed: run scripts/test-deps (Debian package chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
