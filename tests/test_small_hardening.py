"""The small findings of issue #13 (11): NUL in Markdown, a new line in a file name, a closed pipe,
CSV cells that hide a formula behind a space or a full-width sign."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.csvsafe import csv_safe
from generator.store import open_store
from tests.sitebuild import copy_tiny, env, kb


def test_nul_in_markdown_is_an_error_at_its_position(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    art = root / "kb" / "red" / "cable-suelto.md"
    lines = art.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, ln in enumerate(lines) if ln.startswith("No hay conexión"))
    lines[n] = "No hay\x00 conexión\n"
    art.write_text("".join(lines), encoding="utf-8")
    done = kb("validate", "--root", str(root))
    assert done.returncode == 1
    assert f"kb/red/cable-suelto.md:{n + 1}:7: body: expected text, found the control character U+0000" in done.stdout
    built = kb("build", "--root", str(root))
    assert built.returncode == 1 and not (root / "site" / "red" / "cable-suelto").exists()


def test_a_new_line_in_a_file_name_stays_on_one_line(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    bad = root / "kb" / "red" / "dos\nlineas.md"
    bad.write_text("sin front matter\n", encoding="utf-8")
    done = kb("validate", "--root", str(root), "--format", "text")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(ln.startswith("kb/red/dos\\x0alineas.md:1:1: ") for ln in lines), done.stdout
    assert not any(ln.startswith("lineas.md") for ln in lines)


def test_export_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_store(None, data)
    ts = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    store.insert([{"id": str(uuid.uuid4()), "type": "search", "ts": ts, "page": "/", "query": "q" * 150,
                   "results": 0} for _ in range(3000)])
    store.close()
    cmd = f"{sys.executable} -m generator.cli events export --format csv --data-dir {data} | head -n 2"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, env=env(),
                          cwd=tmp_path, timeout=120)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2


@pytest.mark.parametrize(("value", "safe"), [
    (" =1+1", "' =1+1"), ("  +1", "'  +1"), ("\u00a0-1", "'\u00a0-1"), ("＝HYPERLINK(\"x\")", "'＝HYPERLINK(\"x\")"),
    ("＋1", "'＋1"), ("－1", "'－1"), ("＠x", "'＠x"), ("\n=1", "'\n=1"), ("hola =1", "hola =1"), ("  hola", "  hola"),
])
def test_csv_cells_hiding_a_formula(value: str, safe: str) -> None:
    assert csv_safe(value) == safe


def test_diagnostics_json_keeps_the_real_name(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    (root / "kb" / "red" / "a\nb.md").write_text("x\n", encoding="utf-8")
    done = kb("validate", "--root", str(root), "--format", "json")
    paths = [d["path"] for d in json.loads(done.stdout)["diagnostics"]]
    assert "kb/red/a\nb.md" in paths
    assert os.sep == "/"
