"""`pytest -m unit` runs without Playwright (and so without a browser): proven in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import early

ROOT = Path(__file__).resolve().parent.parent

# Makes `import playwright` fail, and importlib.util.find_spec("playwright") answer None, exactly as
# in an environment where it was never installed.
NO_PLAYWRIGHT = '''
import sys

class NoPlaywright:
    def find_spec(self, name, path=None, target=None):
        if name == "playwright" or name.startswith("playwright."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoPlaywright())
'''


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sitecustomize.py").write_text(NO_PLAYWRIGHT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PATH": os.path.dirname(sys.executable)}
    return early.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                     env=env, timeout=600)


@early.job(__name__, "test_unit_tests_run_without_playwright_or_a_browser")
def unit_run() -> subprocess.CompletedProcess[str]:
    """The whole `pytest -m unit` (~700 tests, seconds of CPU): started in the background right after
    collection (tests/early.py), so the session does not wait for it."""
    with tempfile.TemporaryDirectory(prefix="kb-kinds-") as folder:
        return run_pytest(Path(folder), "-m", "unit")


@pytest.mark.slow
def test_unit_tests_run_without_playwright_or_a_browser() -> None:
    proc = unit_run.result()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout and "error" not in proc.stdout.lower()
    assert "skipped" not in proc.stdout


@pytest.mark.slow
def test_without_playwright_anything_but_unit_is_refused(tmp_path: Path) -> None:
    proc = run_pytest(tmp_path, "-m", "browser")
    assert proc.returncode != 0
    assert "Playwright is not installed: only `pytest -m unit` runs without it" in proc.stderr + proc.stdout


def test_every_test_has_exactly_one_kind(request: pytest.FixtureRequest) -> None:
    kinds = {"unit", "browser", "db", "slow"}
    items = request.session.items
    assert items
    for item in items:
        found = {m.name for m in item.iter_markers()} & kinds
        assert len(found) == 1, (item.nodeid, found)
