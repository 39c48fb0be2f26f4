"""The environment the tests run in is exactly the committed lock (uv.lock)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "kb-support"
# Put there by `python -m venv` (ensurepip), not by the lock, and used by nothing of ours: the
# project is built in an isolated environment with the pinned `[build-system] requires`.
SEEDED = {"pip", "setuptools"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    data = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {canonical(p["name"]): p["version"] for p in data["package"] if canonical(p["name"]) != PROJECT}


def installed() -> dict[str, str]:
    found = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    return {name: version for name, version in found.items() if name not in SEEDED | {PROJECT}}


@pytest.mark.lock
def test_every_installed_package_is_the_locked_version() -> None:
    lock, env = locked(), installed()
    wrong = {name: (version, lock.get(name)) for name, version in env.items() if lock.get(name) != version}
    assert wrong == {}, f"installed (version, locked version) that differ from uv.lock: {wrong}; run `make install`"


@pytest.mark.lock
def test_the_build_backend_and_the_lock_tool_are_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requires = project["build-system"]["requires"]
    assert all("==" in r for r in requires), requires
    uv_pin = project["tool"]["uv"]["required-version"]
    assert uv_pin == f"=={locked()['uv']}"
    assert f"\nuv{uv_pin} \\\n" in (ROOT / "requirements" / "uv.txt").read_text(encoding="utf-8")


@pytest.mark.lock
def test_pyproject_keeps_ranges_for_pip_users() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    ranged = [d for d in deps if any(op in d for op in (">=", "<", "~="))]
    assert len(ranged) >= len(deps) - 1, deps  # mkdocs stays pinned to the 1.x it is tested with
