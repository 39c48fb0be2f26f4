"""The house stays small: in generator/, no module over 450 lines and no function over 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def too_long(root: Path) -> list[str]:
    """Every module and function of ``root`` over the limits, as ``path[:function]: lines``."""
    out = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root.parent).as_posix()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            out.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out.append(f"{rel}:{node.name} (line {node.lineno}): {length} lines")
    return out


def test_generator_modules_and_functions_stay_small() -> None:
    assert too_long(GENERATOR) == []


def test_the_check_finds_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    pkg = tmp_path / "generator"
    pkg.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (pkg / "big.py").write_text(f"def long() -> None:\n{body}\n" + "y = 1\n" * 400, encoding="utf-8")
    assert too_long(pkg) == ["generator/big.py: 462 lines", "generator/big.py:long (line 1): 62 lines"]
