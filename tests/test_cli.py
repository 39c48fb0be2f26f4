"""`kb new`, `kb schema`, `kb build` and `kb serve` from the command line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.model.schema import schema_text
from generator.pipeline.validation import validate_tree
from tests.sitebuild import REPO, copy_tiny, env, kb


@pytest.mark.parametrize("name", ["protocol", "article"])
def test_committed_schema_is_current(name: str) -> None:
    """schema/*.json is generated from the models; regenerate with `kb schema` after a model change."""
    committed = (REPO / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name)


def test_schema_describes_the_fields() -> None:
    schema = json.loads(schema_text("protocol"))
    assert sorted(schema["required"]) == ["audience", "id", "owner", "reviewed", "start", "steps", "summary", "title"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["audience"]["enum"] == ["technician", "end-user", "both"]
    assert schema["properties"]["reviewed"] == {
        "description": "Date of the last review, YYYY-MM-DD.", "format": "date", "title": "Reviewed",
        "type": "string"}
    article = json.loads(schema_text("article"))
    assert article["properties"]["type"]["enum"] == ["solution", "guide"]


def test_schema_command_writes_and_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--root", str(tmp_path)]) == 0
    assert sorted(p.name for p in (tmp_path / "schema").iterdir()) == ["article.schema.json", "protocol.schema.json"]
    capsys.readouterr()
    assert main(["schema", "--print", "article"]) == 0
    assert json.loads(capsys.readouterr().out)["$id"] == "article.schema.json"


def test_protocol_files_point_editors_at_the_schema() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {"./schema/protocol.schema.json": "protocols/*.yml"}
    protocols = sorted((REPO / "protocols").glob("*.yml"))
    assert len(protocols) >= 8
    for proto in protocols:
        first = proto.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/protocol.schema.json", proto


@pytest.mark.parametrize(("kind", "extra", "path"), [
    ("article", ["--area", "impresion"], "kb/impresion/la-impresora-no-imprime.md"),
    ("article", ["--area", "impresion", "--type", "guide"], "kb/impresion/la-impresora-no-imprime.md"),
    ("protocol", [], "protocols/la-impresora-no-imprime.yml"),
])
def test_new_scaffolds_valid_content(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
                                     extra: list[str], path: str) -> None:
    assert main(["new", kind, "La impresora no imprime", "--root", str(tmp_path), *extra]) == 0
    assert capsys.readouterr().out.strip() == path
    text = (tmp_path / path).read_text(encoding="utf-8")
    assert f"reviewed: {date.today().isoformat()}" in text
    result = validate_tree(tmp_path)
    # valid; only the scaffold's own sentences are pointed out until the author replaces them
    assert result.ok and result.diagnostics
    assert all(d.format().endswith("[leftovers]") for d in result.diagnostics), [d.format() for d in result.diagnostics]
    if kind == "article" and "guide" not in extra:
        assert [line for line in text.splitlines() if line.startswith("## ")] == [
            "## Síntomas", "## Causa", "## Solución", "## Prevención"]


def test_new_picks_a_fresh_id_and_refuses_a_taken_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        assert main(["new", "protocol", "VPN no conecta", "--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == ["protocols/vpn-no-conecta.yml", "protocols/vpn-no-conecta-2.yml"]
    assert main(["new", "article", "Otra", "--id", "vpn-no-conecta", "--root", str(tmp_path)]) == 1
    assert "expected a new id, found 'vpn-no-conecta' already in use" in capsys.readouterr().err
    assert main(["new", "article", "Otra", "--id", "../x", "--root", str(tmp_path)]) == 1
    assert main(["new", "article", "Otra", "--area", "../../etc", "--root", str(tmp_path)]) == 1
    assert not (tmp_path.parent / "etc").exists()


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(tmp_path / "missing")]) == 2
    assert main(["build", "--root", str(tmp_path)]) == 2
    assert "expected an mkdocs.yml" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_build_with_config_file_flag(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    result = kb("build", "-f", str(root / "mkdocs.yml"), "-d", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "protocolos" / "sin-conexion" / "index.html").is_file()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_builds_and_serves_over_http(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--root", str(root),
                                 "--port", str(port)], env=env(), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/protocolos/sin-conexion/", timeout=2) as r:
                    body = r.read().decode()
                    headers = r.headers
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert "Comprobar la conexión física" in body
        assert headers.get("set-cookie") is None
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
            assert json.loads(r.read()) == {"status": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_starter_content_is_valid_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "generator.cli", "validate", "--strict", "--root", str(REPO)],
                            env=env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().startswith("0 errors, 0 warnings in ")
    result_tree = validate_tree(REPO, date(2026, 11, 23))
    assert len(result_tree.catalog.protocols) >= 8
    assert len(result_tree.catalog.articles) >= 24
