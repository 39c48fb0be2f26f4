"""The layers of docs/architecture.md, enforced by import-linter (.importlinter), and the engine kept
inside its adapter (generator/mkdocs/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # lint-imports and fresh interpreters in subprocesses

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# The engine adapter and the modules above it that may use it; everything else is the core.
NOT_CORE = ("generator.mkdocs", "generator.preview", "generator.cli")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / ".importlinter"), "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """generator/ and the contracts, copied: a place to break the house on purpose."""
    shutil.copytree(ROOT / "generator", tmp_path / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    module.write_text(head + sep + line + "\n" + rest, encoding="utf-8")


def test_the_repository_keeps_every_contract() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 kept, 0 broken" in proc.stdout


def test_the_copy_keeps_every_contract(copy: Path) -> None:
    """The copy is analysed, not the installed package: unchanged, it passes."""
    proc = lint_imports(copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_backward_import_breaks_the_layers(copy: Path) -> None:
    add_import(copy / "generator" / "model" / "catalog.py", "import generator.render.pages  # noqa")
    proc = lint_imports(copy)
    assert proc.returncode == 1, proc.stdout
    assert "One direction of flow (docs/architecture.md) BROKEN" in proc.stdout
    assert "generator.model.catalog -> generator.render.pages" in proc.stdout


def test_mkdocs_outside_the_adapter_breaks_the_engine_contract(copy: Path) -> None:
    add_import(copy / "generator" / "search" / "api.py", "import mkdocs.config  # noqa")
    proc = lint_imports(copy)
    assert proc.returncode == 1, proc.stdout
    assert "MkDocs and Material only in the engine adapter" in proc.stdout
    assert "BROKEN" in proc.stdout


def test_the_preview_may_not_import_mkdocs_itself(copy: Path) -> None:
    add_import(copy / "generator" / "preview.py", "import mkdocs.structure.pages  # noqa")
    proc = lint_imports(copy)
    assert proc.returncode == 1, proc.stdout
    assert "The live preview and the CLI reach MkDocs only through the adapter" in proc.stdout


def core_modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if not any(name == n or name.startswith(n + ".") for n in NOT_CORE):
            out.append(name)
    return out


def test_the_core_loads_no_engine() -> None:
    """Every core module imported in one fresh process: neither MkDocs nor Material comes along."""
    modules = core_modules()
    assert len(modules) > 80 and "generator.service.app" in modules and "generator.mkdocs" not in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_adapter_does_load_the_engine() -> None:
    """The check above can see MkDocs when it is there: the plugin module brings it."""
    code = "import sys, generator.mkdocs.plugin; print('mkdocs' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.stdout.strip() == "True", proc.stderr
