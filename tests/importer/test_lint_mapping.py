"""The mapping's ``lint:``: imported articles carry their lint exceptions in their front matter, so a
first ``kb build --strict`` passes on prose nobody has edited yet, without a separate kb-lint.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import ContentError
from generator.importer import ImportOptions, import_folder
from tests.importer.conftest import HELPCENTER as EMPTY  # any folder: the mapping fails first
from tests.importer.conftest import TODAY
from tests.sitebuild import copy_tiny, kb

# An old help centre's article: one very long sentence, and tú beside usted.
SOURCE = """---
title: El pedido no aparece en el panel
locale: es
---

## Pasos

Cuando un pedido no aparece en el panel de administración es posible que la integración con el sistema \
externo todavía no haya terminado de enviar la información, de modo que conviene esperar unos minutos antes \
de volver a consultar el listado y comprobar que el pedido tiene un número asignado por la tienda.

1. Pulse el botón Actualizar del panel.
2. Si no puedes verlo, escribe al equipo de soporte con el número del pedido.
"""
LINT = "lint:\n  disable: [sentence_length, readability, jargon, blame, address]\n"


def _import(tmp_path: Path, mapping: str) -> Path:
    source = tmp_path / "export"
    source.mkdir()
    (source / "pedido.md").write_text(SOURCE, encoding="utf-8")
    (source / "import-map.yml").write_text(mapping, encoding="utf-8")
    root = copy_tiny(tmp_path / "root")
    result = import_folder(ImportOptions(source=source, root=root, today=TODAY))
    assert result.counts()["imported"] == 1, result.lines()
    return root


def test_without_lint_exceptions_a_strict_build_fails_on_the_imported_prose(tmp_path: Path) -> None:
    root = _import(tmp_path, "reviewed_from: today\n")
    done = kb("validate", "--strict", "--root", str(root))
    assert done.returncode == 1
    assert "[sentence_length]" in done.stdout + done.stderr and "[address]" in done.stdout + done.stderr


def test_the_mappings_lint_is_written_into_each_article_and_the_strict_build_passes(tmp_path: Path) -> None:
    root = _import(tmp_path, "reviewed_from: today\n" + LINT)
    text = (root / "kb" / "general" / "el-pedido-no-aparece-en-el-panel.md").read_text(encoding="utf-8")
    assert "lang: es\n" + LINT + "---\n" in text
    built = kb("build", "--strict", "--root", str(root))
    assert built.returncode == 0, built.stderr
    assert "[sentence_length]" not in built.stderr and "[address]" not in built.stderr


def test_the_register_switch_and_severities_reach_the_article(tmp_path: Path) -> None:
    mapping = ("reviewed_from: today\nlint:\n  disable: [sentence_length, readability]\n"
               "  severity: {address: error}\n  address: tú\n")
    root = _import(tmp_path, mapping)
    text = (root / "kb" / "general" / "el-pedido-no-aparece-en-el-panel.md").read_text(encoding="utf-8")
    assert 'lint:\n  disable: [sentence_length, readability]\n  severity: {address: "error"}\n  address: tú\n' in text
    done = kb("validate", "--root", str(root))  # an error even without --strict: the register is tú here
    assert done.returncode == 1
    assert ("kb/general/el-pedido-no-aparece-en-el-panel.md:20:4: body: expected one register, tú (found 'puedes'), "
            "found 'Pulse' (usted) in the same document") in done.stdout + done.stderr


def test_a_bad_lint_section_in_the_mapping_is_reported_with_positions(tmp_path: Path) -> None:
    bad = tmp_path / "map.yml"
    bad.write_text("lint:\n  disable: [readabilty]\n  severity:\n    adress: 'off'\n    blame: never\n"
                   "  address: vos\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        import_folder(ImportOptions(source=EMPTY, root=copy_tiny(tmp_path / "root"), mapping=bad))
    assert [d.format() for d in err.value.diagnostics] == [
        f"{bad.as_posix()}:5:12: lint.severity.blame: expected one of 'warning', 'error' or 'off', found 'never'",
        f"{bad.as_posix()}:6:12: lint.address: expected one of 'usted' or 'tú', found 'vos'",
    ]
    bad.write_text("lint:\n  disable: [readabilty]\n  severity:\n    adress: 'off'\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        import_folder(ImportOptions(source=EMPTY, root=copy_tiny(tmp_path / "root2"), mapping=bad))
    assert [d.format() for d in err.value.diagnostics] == [
        f"{bad.as_posix()}:2:13: lint.disable[0]: expected a lint rule, found 'readabilty'; did you mean "
        "'readability'?",
        f"{bad.as_posix()}:4:5: lint.severity.adress: expected a lint rule, found 'adress'; did you mean 'address'?",
    ]
