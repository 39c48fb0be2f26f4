"""The step field `warning:` (one line the technician must read before a risky step): in the model and
the JSON Schema, linted and indexed by its field metadata, in the runner's data and in `kb new`.
The page, print and the runner are tested in Chromium (tests/browser/test_warning.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.model.schema import schema_text
from generator.pipeline.validation import validate_tree
from generator.render.runner import RunnerOptions, runner_data
from generator.search.build import SearchBuild
from generator.search.server import ServerIndex
from generator.search.static import StaticIndex
from tests.lint.samples import PROTOCOL, PROTOCOL_PATH, edit, lint_protocol
from tests.sitebuild import TINY, copy_tiny

WARNING = "Esto desconectará la sesión remota durante un minuto."


def _with_warning(text: str, warning: str = WARNING, after: str = "    title: Vaciar la cola\n") -> str:
    return edit(text, after, f"{after}    warning: {warning}\n")


def test_the_schema_has_the_warning_as_a_plain_line() -> None:
    step = json.loads(schema_text("protocol"))["$defs"]["Step"]["properties"]["warning"]
    assert {"type": "string", "maxLength": 200, "minLength": 1} in step["anyOf"]
    assert "risky step" in step["description"]


def test_a_clear_warning_passes_the_lint() -> None:
    assert lint_protocol(_with_warning(PROTOCOL)) == []


def test_the_warning_is_linted_for_clarity_with_the_technicians_limits() -> None:
    long = " ".join(["Si no va"] * 13) + " y pare."  # 41 words, under 200 characters
    found = lint_protocol(_with_warning(PROTOCOL, long))
    assert found == [f"{PROTOCOL_PATH}:11:14: warning: steps[0].warning: expected sentences of at most 40 words for "
                     "technicians, found one of 41 words; split it into shorter sentences [sentence_length]"]


def test_a_warning_longer_than_one_line_is_an_error_with_its_position(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    proto = root / "protocols" / "sin-conexion.yml"
    proto.write_text(proto.read_text(encoding="utf-8").replace(
        "    title: Comprobar la conexión física\n",
        "    title: Comprobar la conexión física\n    warning: " + "x" * 201 + "\n"), encoding="utf-8")
    result = validate_tree(root, date(2026, 11, 23))
    assert [d.format() for d in result.diagnostics] == [
        "protocols/sin-conexion.yml:16:14: steps[0].warning: expected at most 200 characters, found 201"]


ROUTER = "Esto apagará el enrutador del cliente durante un minuto."  # words found nowhere else in tiny


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_tiny(tmp_path_factory.mktemp("warned") / "repo")
    proto = root / "protocols" / "sin-conexion.yml"
    proto.write_text(proto.read_text(encoding="utf-8").replace(
        "    title: Comprobar el DNS\n", f"    title: Comprobar el DNS\n    warning: {ROUTER}\n"), encoding="utf-8")
    return root


def test_search_finds_the_protocol_by_its_warnings_words(warned: Path, tmp_path: Path) -> None:
    plain = SearchBuild.prepare(validate_tree(TINY, date(2026, 11, 23)).catalog)
    plain.write_server(tmp_path / "plain")
    assert ServerIndex(tmp_path / "plain" / "search" / "server").search("apagar el enrutador").hits == ()
    build = SearchBuild.prepare(validate_tree(warned, date(2026, 11, 23)).catalog)
    site = tmp_path / "site"
    build.write_static(site)
    build.write_server(site)
    for index in (ServerIndex(site / "search" / "server"), StaticIndex(site / "search")):
        hits = index.search("apagar el enrutador").hits
        assert [h.id for h in hits][:1] == ["sin-conexion"], index


def test_the_runner_data_leaves_the_warning_to_the_step_template(warned: Path) -> None:
    """The runner shows the server's step section (theme/fragments/step.md), callout included."""
    catalog = validate_tree(warned, date(2026, 11, 23)).catalog
    entry = catalog.protocol_by_id["sin-conexion"]
    steps = runner_data(entry, catalog, "protocolos/sin-conexion.md", RunnerOptions())["steps"]
    assert "callouts" not in steps[1] and "warning" not in steps[1]  # shown once, in the step's section


def test_kb_new_protocol_shows_the_warning_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "protocol", "La impresora no imprime", "--root", str(tmp_path)]) == 0
    path = tmp_path / capsys.readouterr().out.strip()
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "warning:" in x)
    assert line.strip().startswith("# warning: ")
    # uncommented, the example is valid content and passes the lint (only the scaffold's own texts are pointed out)
    path.write_text(text.replace("    # warning: ", "    warning: ").replace(
        "   # one line to read before a risky step (optional)", ""), encoding="utf-8")
    result = validate_tree(tmp_path)
    assert result.ok and all(d.format().endswith("[leftovers]") for d in result.diagnostics), [
        d.format() for d in result.diagnostics]
    assert "warning: Esto desconectará la sesión remota" in path.read_text(encoding="utf-8")
