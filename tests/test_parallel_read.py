"""Reading, parsing and linting across the cores (generator/content/parallel.py) gives exactly what one
process gives: the same articles, protocols, positions and diagnostics, in the same order.

Each run happens in a fresh `python` process: this test process may run threads (servers of other
tests), and a process with threads never forks (it reads alone)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tests import early
from tests.benchtree import bench_build

pytestmark = pytest.mark.slow


RUN = """
import os, pickle, resource, sys
from pathlib import Path
from datetime import date
from generator.content import parallel
from generator.content.sources import content_paths, read_tree
from generator.pipeline.validation import validate_tree
root, out = Path(sys.argv[1]), Path(sys.argv[2])
processes = parallel.jobs(len(content_paths(root)[0]))
read = read_tree(root)
result = validate_tree(root, date(2026, 11, 23))
children = resource.getrusage(resource.RUSAGE_CHILDREN)
from generator.pipeline.validation import validate_for_build  # a build validates in a daemonic child, which forks again
built = validate_for_build(root, date(2026, 11, 23))
out.write_bytes(pickle.dumps({"processes": processes, "children_cpu": children.ru_utime + children.ru_stime,
                              "read": read, "diagnostics": result.diagnostics, "files": result.files,
                              "articles": result.catalog.articles, "protocols": result.catalog.protocols,
                              "positions": result.catalog.positions,
                              "built": (built.diagnostics, built.files, built.catalog.articles,
                                        built.catalog.protocols)}))
"""

BROKEN = {
    # spread over the sorted paths, so that both processes meet some
    "kb/almacenamiento/aaa-no-es-utf8.md": b"---\nid: aaa\ntitle: \xff\n---\n",
    "kb/red/zz-yaml-roto.md": b"---\nid: zz-yaml-roto\ntitle: [sin cerrar\n---\n# Hola\n",
    "kb/correo/alias.md": b"---\nid: alias\ntitle: &a hola\nsummary: *a\n---\n",
    "kb/wifi/clave-doble.md": b"---\nid: clave-doble\nid: otra\n---\n",
    "protocols/etiqueta.yml": b"id: !!python/object:os.system etiqueta\n",
    "protocols/zz-vacio.yml": b"",
}


def run(root: Path, tmp: Path, jobs: int) -> dict[str, object]:
    out = tmp / f"result-{jobs}.pickle"
    env = {**os.environ, "KB_JOBS": str(jobs), "KB_TODAY": "2026-11-23"}
    done = early.run([sys.executable, "-c", RUN, str(root), str(out)], env=env, cwd=tmp, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    data = pickle.loads(out.read_bytes())
    assert isinstance(data, dict)
    return data


@early.job(__name__, "test_validate_across_two_processes_is_identical_to_one")
def both_runs() -> tuple[dict[str, object], dict[str, object], Path]:
    """The repository and its two runs (one process, two), started in the background right after
    collection (tests/early.py); (one, two, the path of the article lint finds fault with)."""
    tmp = early.tempdir("kb-parallel-")
    root = tmp / "repo"
    bench_build().generate_repo(root, 420, 7)
    # an article that lint finds fault with (a sentence far too long), late in the sorted order
    article = max((root / "kb" / "wifi").glob("*.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("## Solución\n", "## Solución\n\n" + "una palabra más " * 60 + ".\n", 1),
                       encoding="utf-8")
    for rel, raw in BROKEN.items():
        (root / rel).write_bytes(raw)
    return run(root, tmp, 1), run(root, tmp, 2), article.relative_to(root)


def test_validate_across_two_processes_is_identical_to_one() -> None:
    one, two, article = both_runs.result()

    assert one["processes"] == 1 and one["children_cpu"] == 0
    assert two["processes"] == 2 and two["children_cpu"] > 0  # the second process did read and lint
    for key in ("read", "diagnostics", "files", "articles", "protocols", "positions", "built"):
        assert two[key] == one[key], key
    assert one["built"] == (one["diagnostics"], one["files"], one["articles"], one["protocols"])
    diags = [d.format() for d in one["diagnostics"]]  # type: ignore[attr-defined]
    assert len(one["articles"]) == 420 and len(one["protocols"]) == 21  # type: ignore[arg-type]
    for rel, what in [("kb/almacenamiento/aaa-no-es-utf8.md", "expected UTF-8 text"),
                      ("kb/red/zz-yaml-roto.md", "expected valid YAML"),
                      ("kb/correo/alias.md", "anchors and aliases are not allowed"),
                      ("kb/wifi/clave-doble.md", "expected each key once"),
                      ("protocols/etiqueta.yml", "YAML tags are not allowed"),
                      (article.as_posix(), "[sentence_length]")]:
        assert any(d.startswith(rel + ":") and what in d for d in diags), (rel, what, diags)


CHUNKS = """
import os, sys
from generator.content.parallel import fork_chunks
parts = fork_chunks(lambda chunk: (os.getpid(), list(chunk)), list(range(1000)), min_per_job=1)
import json; print(json.dumps(parts))
"""


@pytest.mark.parametrize("jobs", [2, 3])
def test_chunks_run_in_separate_processes_and_come_back_in_order(tmp_path: Path, jobs: int) -> None:
    env = {**os.environ, "KB_JOBS": str(jobs)}
    done = subprocess.run([sys.executable, "-c", CHUNKS], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    parts = json.loads(done.stdout)
    assert len(parts) == jobs
    assert len({pid for pid, _ in parts}) == jobs
    assert [i for _, chunk in parts for i in chunk] == list(range(1000))


FAILING = """
from generator.content.parallel import fork_chunks
def work(chunk):
    if 999 in chunk:
        raise ValueError("bad item 999")
    return len(chunk)
fork_chunks(work, list(range(1000)), min_per_job=1)
"""


def test_a_failing_worker_fails_the_whole_run_with_its_message(tmp_path: Path) -> None:
    env = {**os.environ, "KB_JOBS": "2"}
    done = subprocess.run([sys.executable, "-c", FAILING], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0
    assert "a worker process failed: ValueError: bad item 999" in done.stderr


SHARED = """
import os, sys, time, json
from generator.content.parallel import share_work
def work(chunk):
    if 0 in chunk:
        time.sleep(1.5)  # a slow batch: meanwhile the other process takes every other batch
    return os.getpid(), list(chunk)
print(json.dumps(share_work(work, list(range(1000)), min_per_job=1)))
"""


def test_shared_batches_go_to_whoever_is_free_and_come_back_in_order(tmp_path: Path) -> None:
    env = {**os.environ, "KB_JOBS": "2"}
    done = subprocess.run([sys.executable, "-c", SHARED], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    parts = json.loads(done.stdout)
    assert [i for _, chunk in parts for i in chunk] == list(range(1000))
    assert len(parts) > 10 and len(parts[0][1]) < 500  # large batches first, then smaller ones
    slow = parts[0][0]
    assert len({pid for pid, _ in parts}) == 2
    assert [pid for pid, _ in parts[1:]] == [parts[1][0]] * (len(parts) - 1) != [slow] * (len(parts) - 1), parts


SHARED_FAILING = """
from generator.content.parallel import share_work
def work(chunk):
    if 999 in chunk:
        raise ValueError("bad item 999")
    return len(chunk)
share_work(work, list(range(1000)), min_per_job=1)
"""


def test_a_failing_batch_fails_the_shared_run_with_its_message(tmp_path: Path) -> None:
    env = {**os.environ, "KB_JOBS": "2"}
    done = subprocess.run([sys.executable, "-c", SHARED_FAILING], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "bad item 999" in done.stderr


BACKGROUND = """
import os, sys, time
from pathlib import Path
from generator.content.parallel import in_background
out = Path(sys.argv[1])
def task():
    time.sleep(0.5)
    out.write_text(str(os.getpid()))
wait = in_background(task)
assert not out.exists()  # this process went on meanwhile
wait()
print(out.read_text(), os.getpid())
"""


def test_a_background_task_runs_in_another_process_and_is_waited_for(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", BACKGROUND, str(tmp_path / "out")], check=True, cwd=tmp_path,
                          capture_output=True, text=True)
    child, parent = done.stdout.split()
    assert child != parent
