"""`kb lint` and `kb validate` from the command line: formats, --strict, files, exit codes."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, PROTOCOL_PATH, edit
from tests.sitebuild import REPO, content_files

BLAME = "protocols/impresora.yml:12:14: warning: steps[0].say.basic: expected words that do not blame the customer, found 'Usted ha borrado'; describa lo que pasó, no quién lo hizo («se ha borrado…», «la configuración cambió…») [blame]"
PREVENTION = "kb/impresion/impresora-atascada.md:25:1: warning: body: expected advice on avoiding the problem under '## Prevención' (at least 2 words), found nothing; say how to keep it from happening again [prevention]"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A content repo with one blaming script and one empty prevention section."""
    (tmp_path / "protocols").mkdir()
    (tmp_path / PROTOCOL_PATH).write_text(edit(PROTOCOL, "basic: Vamos a borrar los documentos pendientes.",
                                               "basic: Usted ha borrado la cola."), encoding="utf-8")
    (tmp_path / "kb" / "impresion").mkdir(parents=True)
    (tmp_path / ARTICLE_PATH).write_text(edit(ARTICLE, "No envíe documentos muy grandes de una vez.\n", ""),
                                         encoding="utf-8")
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_lint_prints_findings_as_warnings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["lint", "--root", str(repo)], capsys) == (0, f"{PREVENTION}\n{BLAME}\n0 errors, 2 warnings in 2 files\n", "")


def test_lint_strict_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["lint", "--root", str(repo), "--strict"], capsys)
    assert (code, out.splitlines()) == (1, [PREVENTION.replace(": warning: ", ": "), BLAME.replace(": warning: ", ": "),
                                            "2 errors, 0 warnings in 2 files"])


def test_lint_reports_only_the_files_given(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["lint", "--root", str(repo), str(repo / PROTOCOL_PATH)], capsys) == (
        0, f"{BLAME}\n0 errors, 1 warning in 2 files\n", "")


def test_lint_json_and_github(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["lint", "--root", str(repo), "--format", "json", str(repo / PROTOCOL_PATH)], capsys)
    assert code == 0
    assert json.loads(out) == {"files": 2, "errors": 0, "warnings": 1, "diagnostics": [{
        "path": "protocols/impresora.yml", "line": 12, "col": 14, "key": "steps[0].say.basic", "severity": "warning",
        "message": BLAME.split("steps[0].say.basic: ", 1)[1]}]}
    code, out, _ = run(["lint", "--root", str(repo), "--format", "github", str(repo / PROTOCOL_PATH)], capsys)
    assert out.splitlines()[0] == (
        "::warning file=protocols/impresora.yml,line=12,col=14,title=steps[0].say.basic::expected words that do not "
        "blame the customer, found 'Usted ha borrado'; describa lo que pasó, no quién lo hizo («se ha borrado…», "
        "«la configuración cambió…») [blame]")


def test_lint_prints_only_lint_findings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A validation error is `kb validate`'s to report; `kb lint` lints what loads."""
    text = (repo / PROTOCOL_PATH).read_text(encoding="utf-8")
    (repo / PROTOCOL_PATH).write_text(text.replace("start: cola", "start: colas"), encoding="utf-8")
    assert run(["lint", "--root", str(repo)], capsys) == (0, f"{PREVENTION}\n{BLAME}\n0 errors, 2 warnings in 2 files\n", "")
    code, out, _ = run(["validate", "--root", str(repo), "--today", "2026-11-23"], capsys)
    assert (code, out.splitlines()) == (1, [
        PREVENTION,
        "protocols/impresora.yml:7:8: start: expected the id of a step of this protocol, found 'colas'; did you mean 'cola'?",
        BLAME,
        "1 error, 2 warnings in 2 files"])


def test_validate_strict_fails_on_lint_and_kb_lint_yml_turns_rules_off(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--root", str(repo), "--today", "2026-11-23"], capsys)[0] == 0
    assert run(["validate", "--root", str(repo), "--today", "2026-11-23", "--strict"], capsys)[0] == 1
    (repo / "kb-lint.yml").write_text("rules:\n  blame: {severity: 'off'}\n  prevention: {severity: 'off'}\n",
                                      encoding="utf-8")
    assert run(["validate", "--root", str(repo), "--today", "2026-11-23", "--strict"], capsys) == (
        0, "0 errors, 0 warnings in 2 files\n", "")
    assert run(["lint", "--root", str(repo), "--strict"], capsys) == (0, "0 errors, 0 warnings in 2 files\n", "")


def test_a_broken_kb_lint_yml_is_a_content_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "kb-lint.yml").write_text("rules:\n  blame: {severity: warn}\n", encoding="utf-8")
    message = "kb-lint.yml:2:21: rules.blame.severity: expected one of 'warning', 'error' or 'off', found 'warn'"
    assert run(["lint", "--root", str(repo)], capsys) == (1, f"{message}\n1 error, 0 warnings in 2 files\n", "")
    code, out, _ = run(["validate", "--root", str(repo), "--today", "2026-11-23"], capsys)
    assert (code, out) == (1, f"{message}\n1 error, 0 warnings in 2 files\n")


def test_the_starter_content_passes_the_lint_strictly(kb_command: list[str]) -> None:
    result = subprocess.run([*kb_command, "lint", "--strict", "--root", str(REPO)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"0 errors, 0 warnings in {content_files()} files\n", "")
