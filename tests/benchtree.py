"""bench/build.py as a module, for tests that use its synthetic content (valid, lint-clean articles and
protocols): loaded once per test process."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

BUILD = Path(__file__).resolve().parent.parent / "bench" / "build.py"


def bench_build() -> Any:
    spec = importlib.util.spec_from_file_location("kb_bench_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return module
