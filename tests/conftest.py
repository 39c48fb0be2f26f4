"""Shared fixtures: the tiny content repo, a fixed 'today', and the real `kb` command."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from generator.content.sources import discover
from tests.sitebuild import kb_argv

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


@pytest.fixture(scope="session")
def kb_command() -> list[str]:
    """argv prefix that runs the installed `kb` console script of this interpreter's environment.

    The script next to ``sys.executable`` is preferred over a PATH lookup (pyenv shims add
    a shell and a second interpreter start); ``python -m generator.cli`` is the fallback.
    """
    return kb_argv()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Debian Chromium, driven by Playwright, for every browser test of the session.

    Playwright's sync API keeps an event loop running in the main thread while it is open, so
    there must be only one; code that needs asyncio runs it in a thread of its own."""
    from playwright.sync_api import sync_playwright  # imported here: unit tests run without Playwright

    assert Path(CHROMIUM).exists(), "Chromium is not installed: run scripts/test-deps (Debian package chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- Kinds of tests --------------------------------------------------------------------------
# Each test gets exactly one kind, from the fixtures it uses (its whole fixture closure) or from
# where it lives, so a new test is classified without anyone remembering to mark it.
BROWSER_FIXTURES = {"browser"}
DB_FIXTURES = {"pg_server", "pg_url", "fresh_database"}
# Fixtures that run a real build, start a real server or a `kb` subprocess: seconds, not milliseconds.
SLOW_FIXTURES = {"kb_command", "site", "tiny_site", "starter_build", "starter_indexes", "starter_site",
                 "imported", "server", "shared_server", "make_server", "built", "built_site", "sample_site"}
# Tests that build a site, run `kb`/node in a subprocess or start a watcher without one of those
# fixtures: a module path (every test in it) or a node id prefix. `make test-unit` prints the
# slowest unit tests: one over ~0.5 s belongs here.
SLOW_TESTS = ("tests/test_workflow.py", "tests/test_site.py", "tests/test_mutations.py", "tests/test_preview.py",
              "tests/test_parallel_render.py",
              "tests/search/test_relevance.py", "tests/importer/test_build.py", "tests/test_cli.py::test_serve",
              "tests/test_cli.py::test_build", "tests/test_cli.py::test_starter_content_is_valid_strict",
              "tests/browser/test_runner_data.py::test_no_directory_urls",
              "tests/browser/test_runner_data.py::test_node",
              "tests/search/test_site_search.py", "tests/test_translations.py::test_kb_validate",
              "tests/search/test_js_parity.py", "tests/search/test_lexicon.py",
              "tests/test_article_from_run.py", "tests/service/test_ticket_auth.py",
              "tests/service/test_integrations_config.py::test_a_bad_file", "tests/service/test_rt.py",
              "tests/test_symlinks.py", "tests/test_small_hardening.py", "tests/test_properties.py",
              "tests/test_sanitize.py::test_embeds")
# Test modules whose tests all need Playwright (they import it at module level).
PLAYWRIGHT_MODULES = ["browser", "report/test_report_safety.py", "search/test_browser_search.py",
                      "test_preview.py", "test_translations.py", "service/test_browser_feedback.py",
                      "service/test_browser_ticket.py", "service/test_browser_queue.py",
                      "service/test_browser_security.py"]
try:
    import playwright  # noqa: F401  (the package only: its sync API is imported by the fixture)

    HAVE_PLAYWRIGHT = True
except ImportError:
    HAVE_PLAYWRIGHT = False
# Without Playwright only `-m unit` can run (pytest_configure refuses anything else): skip collecting
# the modules that import it instead of failing on an ImportError.
collect_ignore = [] if HAVE_PLAYWRIGHT else PLAYWRIGHT_MODULES


def pytest_configure(config: pytest.Config) -> None:
    if not HAVE_PLAYWRIGHT and config.getoption("markexpr", "") != "unit":
        raise pytest.UsageError("Playwright is not installed: only `pytest -m unit` runs without it "
                                "(`make install` installs everything from uv.lock)")


def kind_of(item: pytest.Item) -> str:
    """The one kind of a test: browser > db > slow > unit."""
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    params = set(map(str, callspec.params.values())) if callspec else set()
    if names & BROWSER_FIXTURES:
        return "browser"
    if names & DB_FIXTURES or "postgresql" in params:
        return "db"
    if names & SLOW_FIXTURES or item.get_closest_marker("slow") or item.nodeid.startswith(SLOW_TESTS):
        return "slow"
    return "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        kind = kind_of(item)
        if not item.get_closest_marker(kind):
            item.add_marker(getattr(pytest.mark, kind))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the background jobs of the collected tests that have one (tests/early.py); KB_TESTS_EARLY=0:
    none (each job then runs inside its test, to compare wall times)."""
    if session.config.option.collectonly or os.environ.get("KB_TESTS_EARLY") == "0":
        return
    from tests import early

    early.start_for((item.module.__name__, item.originalname) for item in session.items
                    if isinstance(item, pytest.Function) and item.module is not None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests import early

    early.stop()


def wait_until(page: Page, expression: str, timeout: float = 30) -> None:
    """``page.wait_for_function`` for pages served by `kb serve`: that one evaluates a string in the
    page, which the service's Content-Security-Policy (no 'unsafe-eval') forbids; this polls with
    ``page.evaluate`` (run by the browser's debugging protocol, outside the page's CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)
