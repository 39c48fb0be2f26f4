"""The validation cache (generator/pipeline/vcache.py): a cached run gives exactly what a cold run gives,
and parses only the files that changed.

The content is the project's own kb/ and protocols/ (with kb-lint.yml and mkdocs.yml), copied, with
errors and warnings added; a seeded random sequence of edits is applied, and after each edit a run
with the cache is compared with a run without it, diagnostic for diagnostic, and the files the
cached run parsed are exactly the ones the edit touched."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from generator.content.sources import content_paths, read_tree
from generator.diagnostics import Severity
from generator.model.validate import ValidationResult, validate_with
from generator.pipeline.lint import lint_for_tree
from generator.pipeline.validation import read_and_lint, start_validation, validate_tree, validation_cache
from generator.pipeline.vcache import PACK

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
Edit = Callable[[Path], set[str]]  # applies an edit, returns the content files it touched


def _repo(dest: Path) -> Path:
    for name in ("kb", "protocols"):
        shutil.copytree(REPO / name, dest / name)
    for name in ("mkdocs.yml", "kb-lint.yml"):
        shutil.copy(REPO / name, dest / name)
    return dest


def _shown(result: ValidationResult) -> tuple[object, ...]:
    """Everything a run reports: each diagnostic with its severity, the files, the catalog's content."""
    catalog = result.catalog
    return ([f"{d.severity.value} {d.format()}" for d in result.diagnostics], result.files,
            [(a.path, a.meta, a.body, a.body_line, a.digest) for a in catalog.articles],
            [(p.path, p.model, p.version) for p in catalog.protocols])


def _plain(root: Path) -> ValidationResult:
    """The stages one after another, without the entries of the cache: read, model, rules, lint."""
    return validate_with(read_tree(root), TODAY, lambda catalog: lint_for_tree(catalog, root))


def _article(root: Path) -> Path:
    return root / "kb" / "red" / "dns-configurado-a-mano.md"


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def edit_body(root: Path) -> set[str]:
    path = _article(root)
    path.write_text(path.read_text(encoding="utf-8") + "\n# Un título de más\n\nObviamente es fácil, "
                    "simplemente reinicie.\n", encoding="utf-8")
    return {_rel(root, path)}


def edit_title(root: Path) -> set[str]:
    path = root / "kb" / "vpn" / "vpn-error-certificado-hora.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle: ", "\ntitle: Otra vez: ", 1), encoding="utf-8")
    return {_rel(root, path)}


def duplicate_key(root: Path) -> set[str]:
    path = root / "kb" / "impresion" / "impresora-sin-papel-o-toner.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\nowner: otro\ntitle: ", 1),
                    encoding="utf-8")
    return {_rel(root, path)}


def new_article(root: Path) -> set[str]:
    path = root / "kb" / "red" / "articulo-nuevo.md"
    path.write_text("---\nid: articulo-nuevo\ntitle: Artículo nuevo\ntype: solution\naudience: end-user\n"
                    "symptoms: [No navega]\ncause: Un cable.\nowner: equipo-redes\nreviewed: 2026-01-01\n"
                    "protocols: [no-existe]\n---\n## Síntomas\n\nNo navega.\n", encoding="utf-8")
    return {_rel(root, path)}


def delete_linked(root: Path) -> set[str]:
    """Deleting an article leaves the protocols that link it (unchanged files) with a dangling reference:
    a cross-file check, at a position the cached run takes from the cache."""
    gone = next(p for p in sorted((root / "kb").rglob("*.md")) if any(
        p.stem in q.read_text(encoding="utf-8") for q in (root / "protocols").glob("*.yml")))
    gone.unlink()
    return set()


def undecodable(root: Path) -> set[str]:
    path = root / "protocols" / "roto.yml"
    path.write_bytes(b"id: roto\ntitle: \xff\xfe\n")
    return {_rel(root, path)}


def bad_yaml(root: Path) -> set[str]:
    path = root / "protocols" / "equipo-lento.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - : [\n", encoding="utf-8")
    return {_rel(root, path)}


def lint_config(root: Path) -> set[str]:
    """Another lint configuration: every file is linted again."""
    path = root / "kb-lint.yml"
    text = path.read_text(encoding="utf-8")
    old = "  sentence_length:\n    severity: warning\n    max_words: {end_user: 30"
    assert old in text
    path.write_text(text.replace(old, old.replace("warning", "error").replace("30", "12")), encoding="utf-8")
    return set(content_paths(root)[0])


EDITS: list[Edit] = [edit_body, edit_title, duplicate_key, new_article, delete_linked, undecodable, bad_yaml,
                     lint_config]


def test_cached_runs_equal_cold_runs_across_edits(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    first = read_and_lint(root, cache=cache)
    assert first.parsed == content_paths(root)[0]  # an empty cache: every file
    assert read_and_lint(root, cache=cache).parsed == []  # nothing changed: none
    edits = list(EDITS)
    random.Random(18).shuffle(edits)
    for edit in edits:
        touched = edit(root)
        before = tmp_path / "cache-before"
        shutil.rmtree(before, ignore_errors=True)
        shutil.copytree(cache, before)
        parsed = read_and_lint(root, cache=before).parsed
        assert set(parsed) == touched, edit.__name__
        cached = validate_tree(root, TODAY, cache=cache)
        cold = validate_tree(root, TODAY)
        assert _shown(cached) == _shown(cold) == _shown(_plain(root)), edit.__name__
    found = validate_tree(root, TODAY, cache=cache).diagnostics
    assert any(d.severity is Severity.ERROR for d in found) and any(d.severity is Severity.WARNING for d in found)
    assert any(d.path.startswith("protocols/") and "expected the id of an article" in d.message and d.line > 1
               for d in found)  # a dangling reference in an unchanged file, at its position


def test_a_cached_run_parses_only_the_changed_file(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    validate_tree(root, TODAY, cache=cache)
    edit_body(root)
    assert read_and_lint(root, cache=cache).parsed == [_rel(root, _article(root))]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign-version", "malformed-entry", "wrong-types"])
def test_a_damaged_cache_is_ignored(tmp_path: Path, damage: str) -> None:
    root = _repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    cold = _plain(root)
    validate_tree(root, TODAY, cache=cache)
    pack = cache / PACK
    data = json.loads(pack.read_text(encoding="utf-8"))
    if damage == "truncated":
        pack.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    elif damage == "garbage":
        pack.write_bytes(b"\x00\xff not json")
    elif damage == "foreign-version":
        data["code"] = "0" * 64
        pack.write_text(json.dumps(data), encoding="utf-8")
    elif damage == "malformed-entry":
        rel = _rel(root, _article(root))
        data["entries"][rel] = {"sha": data["entries"][rel]["sha"], "lint_key": data["entries"][rel]["lint_key"]}
        pack.write_text(json.dumps(data), encoding="utf-8")
    else:
        for entry in data["entries"].values():
            entry["diags"] = "no"
        pack.write_text(json.dumps(data), encoding="utf-8")
    assert _shown(validate_tree(root, TODAY, cache=cache)) == _shown(cold)
    assert _shown(validate_tree(root, TODAY, cache=cache)) == _shown(cold)  # rebuilt, and right again
    assert read_and_lint(root, cache=cache).parsed == []


def test_the_build_validation_shares_the_cache(tmp_path: Path) -> None:
    """`kb build` validates in a forked process (start_validation) through the same cache: after
    `kb validate`, it parses nothing and gives what a cold run gives."""
    root = _repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    validate_tree(root, TODAY, cache=cache)
    stamp = (cache / PACK).read_bytes()
    built = start_validation(root, TODAY, lint=False, cache=cache)()
    assert (cache / PACK).read_bytes() == stamp  # every entry reused: nothing to write
    assert [d.format() for d in built.diagnostics] == [d.format() for d in validate_tree(root, TODAY, lint=False)
                                                        .diagnostics]


def _kb(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "KB_TODAY": TODAY.isoformat(), **(env or {})}, timeout=300)


def test_kb_validate_keeps_its_cache_in_the_private_data_folder(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    cold = _kb(root, "validate", "--no-cache")
    assert not (root / ".kb-data").exists()
    first, second = _kb(root, "validate"), _kb(root, "validate")
    assert (root / ".kb-data" / "cache" / "validate" / PACK).is_file()
    assert validation_cache(root) == (root / ".kb-data" / "cache" / "validate").resolve()
    assert cold.stdout == first.stdout == second.stdout and cold.returncode == first.returncode == second.returncode
    # the kb plugin's data_dir option, and KB_DATA_DIR over it
    cfg = root / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "\n  - kb:\n" in text
    cfg.write_text(text.replace("\n  - kb:\n", "\n  - kb:\n      data_dir: private\n", 1), encoding="utf-8")
    assert validation_cache(root) == (root / "private" / "cache" / "validate").resolve()
    _kb(root, "validate")
    assert (root / "private" / "cache" / "validate" / PACK).is_file()
    _kb(root, "validate", env={"KB_DATA_DIR": str(tmp_path / "elsewhere")})
    assert (tmp_path / "elsewhere" / "cache" / "validate" / PACK).is_file()
