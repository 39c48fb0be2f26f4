"""The pull-request workflow's steps, run locally with the same commands, on the starter content."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from generator.content.yamlsafe import load
from tests import early
from tests.sitebuild import REPO, TODAY, content_files

WORKFLOW = REPO / ".github" / "workflows" / "kb.yml"


def workflow_steps() -> list[dict[str, Any]]:
    """The `run:` steps of the check job, except installing (the test environment is installed)."""
    data = load(WORKFLOW.read_text(encoding="utf-8"), str(WORKFLOW)).data
    steps = data["jobs"]["check"]["steps"]
    return [s for s in steps if "run" in s and s.get("id") != "install"]


def _copy_repo(dest: Path) -> Path:
    for name in ("kb", "protocols", "theme"):
        shutil.copytree(REPO / name, dest / name)
    for name in ("mkdocs.yml", ".linkcheckerrc"):
        shutil.copy(REPO / name, dest / name)
    return dest


def _run(step: dict[str, Any], cwd: Path) -> subprocess.CompletedProcess[str]:
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "KB_TODAY": TODAY, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    return early.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env, timeout=600)


def test_workflow_has_the_promised_steps() -> None:
    runs = [s["run"] for s in workflow_steps()]
    assert runs == [
        "kb validate --strict --format github",
        "kb build --strict",
        "linkchecker --config .linkcheckerrc --no-status site/index.html",
    ]
    data = load(WORKFLOW.read_text(encoding="utf-8"), str(WORKFLOW)).data
    uploads = [s for s in data["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "site/"
    checkout = next(s for s in data["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the stale-translation check reads the history


# The two workflow runs below are long chains of subprocesses (validate, build, LinkChecker: most
# of a minute): started in the background right after collection (tests/early.py); each test
# waits for its run and checks it.
@early.job(__name__, "test_workflow_steps_pass_on_the_starter_content")
def starter_run() -> list[tuple[dict[str, Any], subprocess.CompletedProcess[str]]]:
    """Each step on a copy of the repository's content, theme and settings, until one fails; the copy
    is in a folder anyone can read: run as root, LinkChecker drops its privileges to `nobody`
    (pytest's own tmp folders are private)."""
    base = Path(tempfile.mkdtemp(prefix="kb-wf-"))
    base.chmod(0o755)
    try:
        root = _copy_repo(base / "repo")
        done = []
        for step in workflow_steps():
            done.append((step, _run(step, root)))
            if done[-1][1].returncode != 0:
                break
        return done
    finally:
        shutil.rmtree(base, ignore_errors=True)


@early.job(__name__, "test_workflow_fails_on_a_broken_anchor")
def broken_anchor_run() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every step on a copy whose first article of kb/red/ links to an anchor that does not exist."""
    with tempfile.TemporaryDirectory(prefix="kb-wf-anchor-") as folder:
        root = _copy_repo(Path(folder) / "repo")
        article = next((root / "kb" / "red").glob("*.md"))
        text = article.read_text(encoding="utf-8")
        article.write_text(text + "\nVea [la causa](#no-existe-esta-seccion).\n", encoding="utf-8")
        return {s["name"]: _run(s, root) for s in workflow_steps()}


def test_workflow_steps_pass_on_the_starter_content() -> None:
    outputs = []
    for step, result in starter_run.result():
        assert result.returncode == 0, (step["name"], result.stdout[-3000:], result.stderr[-3000:])
        outputs.append(result.stdout + result.stderr)
    validate, build, links = outputs
    assert f"0 errors, 0 warnings in {content_files()} files" in validate and "::error" not in validate
    assert "WARNING" not in build
    assert "0 errors found" in links and "0 warnings found" in links


def test_workflow_fails_on_a_broken_anchor() -> None:
    results = broken_anchor_run.result()
    build = results["Build the site (strict, zero warnings)"]
    assert build.returncode != 0
    assert "no-existe-esta-seccion" in build.stderr


def test_validate_reports_only_the_given_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    root = _copy_repo(tmp_path / "repo")
    proto = root / "protocols" / "vpn-no-conecta.yml"
    proto.write_text(proto.read_text(encoding="utf-8").replace("owner:", "ownr:", 1), encoding="utf-8")
    assert main(["validate", "--root", str(root), "--today", TODAY, "kb/red"]) == 0
    assert capsys.readouterr().out == f"0 errors, 0 warnings in {content_files()} files\n"
    assert main(["validate", "--root", str(root), "--today", TODAY, str(proto)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("protocols/vpn-no-conecta.yml:") and "unknown key 'ownr'; did you mean 'owner'?" in out
