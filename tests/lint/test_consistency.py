"""Consistency: one register per document (address) and nothing left from `kb new` (leftovers)."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

from pathlib import Path

from generator.pipeline.scaffold import new_article, new_protocol
from tests.lint.samples import ARTICLE, PROTOCOL, config, edit, lint, lint_article, lint_protocol
from tests.sitebuild import kb

A = "kb/impresion/impresora-atascada.md"
P = "protocols/impresora.yml"
STEP = "1. Abra la lista de documentos pendientes."


def test_address_fails_on_an_article_mixing_tu_and_usted() -> None:
    assert lint_article(edit(ARTICLE, STEP, "1. Abra la lista; si no puedes verla, siga igual.")) == [
        f"{A}:22:25: warning: body: expected one register, usted (found 'Abra'), found 'puedes' (tú) in the same document; write every part as usted in section 'Solución' [address]"]


def test_address_passes_one_register_and_ambiguous_words() -> None:
    assert lint_article(edit(ARTICLE, STEP, "1. Abra la lista; si no puede verla, su equipo le ayudará.")) == []
    # 'estas' (these) is not 'estás'; 'abre' can be 'it opens'
    assert lint_article(edit(ARTICLE, STEP, "1. Abra la lista: estas hojas se quedan. El programa abre otra.")) == []


def test_address_follows_the_configured_register() -> None:
    tu = edit(ARTICLE, STEP, "1. Si puedes, mira la lista.")
    tu = tu.replace("2. Cancele todos.", "2. Cancélalos todos.").replace("No envíe documentos", "No envíes documentos")
    assert lint_article(tu, config("rules:\n  address: {es: tú}\n")) == []
    assert lint_article(tu) == [
        f"{A}:22:7: warning: body: expected the register usted (register in mkdocs.yml, rules.address.es in kb-lint.yml, or the article's lint.address), found 'puedes' (tú); address the reader as usted in section 'Solución' [address]"]
    assert lint_article(tu, config("rules:\n  address: {severity: 'off'}\n")) == []


def test_address_reads_a_protocols_script() -> None:
    mixed = edit(PROTOCOL, "basic: Vamos a borrar los documentos pendientes.",
                 "basic: Pulse el botón. Si tienes dudas, me dice.")
    assert lint_protocol(mixed) == [
        f"{P}:12:33: warning: steps[0].say.basic: expected one register, usted (found 'Pulse'), found 'tienes' (tú) in the same document; write every part as usted [address]"]


def test_leftovers_of_kb_new_are_found(tmp_path: Path) -> None:
    assert lint_article(edit(ARTICLE, "Un documento anterior bloquea a los demás.", "Escriba aquí.")) == [
        f"{A}:18:1: warning: body: expected your own text, found 'Escriba aquí.' from 'kb new'; replace it in section 'Causa' [leftovers]"]
    root = tmp_path / "repo"
    (root / "kb").mkdir(parents=True)
    new_article(root, title="La pantalla parpadea", area="pantallas")
    new_protocol(root, title="Pantalla negra")
    result = kb("lint", "--root", str(root))
    found = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if "[leftovers]" in line]
    assert any("summary: expected your own text, found 'Una frase que resume" in line for line in found), found
    assert any("found 'Escriba aquí.'" in line for line in found)
    assert any("pantalla-negra.yml" in line and "say.basic" in line for line in found)


# --- an article's own exceptions: front matter lint: (kb import writes them from its mapping) ------

OWN = "reviewed: 2026-10-01\n"


def test_an_articles_lint_exceptions_turn_its_rules_off_or_change_them() -> None:
    mixed = edit(ARTICLE, STEP, "1. Abra la lista; si no puedes verla, siga igual.")
    assert lint_article(mixed) != []
    assert lint_article(edit(mixed, OWN, OWN + "lint:\n  disable: [address]\n")) == []
    assert lint_article(edit(mixed, OWN, OWN + "lint:\n  severity: {address: error}\n")) == [
        f"{A}:24:25: body: expected one register, usted (found 'Abra'), found 'puedes' (tú) in the same document; write every part as usted in section 'Solución' [address]"]
    # Only this article: kb-lint.yml's settings still hold for the others.
    other = edit(mixed, "id: impresora-atascada", "id: impresora-atascada-2")
    assert lint({A: edit(mixed, OWN, OWN + "lint:\n  disable: [address]\n"),
                 "kb/impresion/impresora-atascada-2.md": other}) == [
        "kb/impresion/impresora-atascada-2.md:22:25: warning: body: expected one register, usted (found 'Abra'), found 'puedes' (tú) in the same document; write every part as usted in section 'Solución' [address]"]


def test_an_articles_register_switch_checks_it_for_tu() -> None:
    tu = edit(ARTICLE, STEP, "1. Si puedes, mira la lista.")
    tu = tu.replace("2. Cancele todos.", "2. Cancélalos todos.").replace("No envíe documentos", "No envíes documentos")
    assert lint_article(tu) != []
    assert lint_article(edit(tu, OWN, OWN + "lint:\n  address: tú\n")) == []
    assert lint_article(edit(ARTICLE, OWN, OWN + "lint:\n  address: tú\n")) == [
        f"{A}:24:4: warning: body: expected the register tú (register in mkdocs.yml, rules.address.es in kb-lint.yml, or the article's lint.address), found 'Abra' (usted); address the reader as tú in section 'Solución' [address]"]


def test_an_unknown_rule_in_an_articles_lint_is_an_error_with_its_position() -> None:
    bad = edit(ARTICLE, OWN, OWN + "lint:\n  disable: [readabilty]\n  severity:\n    adress: 'off'\n")
    assert lint_article(bad) == [
        f"{A}:12:13: lint.disable[0]: expected a lint rule, found 'readabilty'; did you mean 'readability'?",
        f"{A}:14:5: lint.severity.adress: expected a lint rule, found 'adress'; did you mean 'address'?"]
