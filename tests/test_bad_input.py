"""The bad-input corpus (tests/bad_input/<case>/, each a small content repo) and the `kb validate` CLI.

Every case is validated from disk (validate_tree) and, when its files are UTF-8, from memory
(validate_texts); both must report exactly the diagnostics listed here, in order, with their
``path:line:col: key: message``. The 2 MB file is made at run time instead of being committed.
"""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.content.sources import discover
from generator.diagnostics import Diagnostic, Severity
from generator.pipeline.validation import validate_texts, validate_tree

BAD_INPUT = Path(__file__).parent / "bad_input"


def read_content(root: Path) -> dict[str, str]:
    return {rel: (root / rel).read_text(encoding="utf-8") for rel in discover(root)}

EXPECTED: dict[str, list[str]] = {
    "alias-bomb": [
        'protocols/lol.yml:2:4: a: expected plain values, found an anchor (&a); anchors and aliases are not allowed',
    ],
    "alias-bomb-front-matter": [
        'kb/red/cable-suelto.md:11:5: xa: expected plain values, found an anchor (&a); anchors and aliases are not allowed',
    ],
    "anchor-on-list": [
        'protocols/sin-conexion.yml:6:7: tags: expected plain values, found an anchor (&t); anchors and aliases are not allowed',
    ],
    "article-area-reserved": [
        "kb/api/cable-suelto.md:2:5: id: expected an area folder name of lower-case letters, digits and hyphens, not one of the site's own sections, found 'api'",
    ],
    "article-outside-area": [
        'kb/cable-suelto.md:2:5: id: expected the article at kb/<area>/cable-suelto.md, found it at kb/cable-suelto.md',
    ],
    "broken-protocol-no-cascade": [
        "protocols/sin-conexion.yml:9:1: owner: expected each key once, found 'owner' again (first on line 8)",
    ],
    "complex-key": [
        'protocols/sin-conexion.yml:6:3: document: expected a plain key, found a list used as a key',
    ],
    "control-character": [
        'protocols/sin-conexion.yml:3:12: yaml: expected printable text, found the control character U+0007',
    ],
    "dangling-article-protocols": [
        "kb/red/dns-mal-configurado.md:10:13: protocols[0]: expected the id of a protocol in protocols/, found 'sin-conexio'; did you mean 'sin-conexion'?",
    ],
    "dangling-articles": [
        "protocols/sin-conexion.yml:21:16: steps[0].articles[0]: expected the id of an article in kb/, found 'cable-suelta'; did you mean 'cable-suelto'?",
    ],
    "dangling-after": [
        "protocols/sin-conexion.yml:31:13: steps[1].after[0]: expected the id of another step of this protocol, found 'comprobar-cabel'; did you mean 'comprobar-cable'?",
    ],
    "dangling-next": [
        "protocols/sin-conexion.yml:41:15: steps[1].options[1].next: expected the id of a step of this protocol, found 'escalado'; did you mean 'escalar'?",
    ],
    "dangling-start": [
        "protocols/sin-conexion.yml:12:8: start: expected the id of a step of this protocol, found 'comprobar-cables'; did you mean 'comprobar-cable'?",
    ],
    "dangling-translation-of": [
        "kb/red/cable-suelto.md:11:17: translation_of: expected the id of an article, found 'cable-flojo'",
    ],
    "date-february-30": [
        "kb/red/cable-suelto.md:9:11: reviewed: expected a date as YYYY-MM-DD, found '2026-02-30'",
    ],
    "date-in-future": [
        'protocols/sin-conexion.yml:9:11: reviewed: expected a date not after today (2026-11-23), found 2026-12-01',
    ],
    "date-month-13": [
        "protocols/sin-conexion.yml:9:11: reviewed: expected a date as YYYY-MM-DD, found '2026-13-45'",
    ],
    "date-short": [
        "protocols/sin-conexion.yml:9:11: reviewed: expected a date as YYYY-MM-DD, found '26-1-1'",
    ],
    "document-is-a-list": [
        'protocols/sin-conexion.yml:1:1: document: expected a mapping of keys, found a list',
    ],
    "document-is-text": [
        "protocols/sin-conexion.yml:1:1: document: expected a mapping of keys, found 'Sin conexión a Internet'",
    ],
    "duplicate-id-kb-and-protocols": [
        "protocols/sin-conexion.yml:1:5: id: expected an id unique across kb/ and protocols/, found 'sin-conexion' already used by kb/red/sin-conexion.md",
    ],
    "duplicate-key-front-matter": [
        "kb/red/cable-suelto.md:10:1: reviewed: expected each key once, found 'reviewed' again (first on line 9)",
    ],
    "duplicate-key-list-item": [
        "protocols/sin-conexion.yml:42:9: steps[1].options[1].label: expected each key once, found 'label' again (first on line 40)",
    ],
    "duplicate-key-nested": [
        "protocols/sin-conexion.yml:18:7: steps[0].say.basic: expected each key once, found 'basic' again (first on line 17)",
    ],
    "duplicate-key-top": [
        "protocols/sin-conexion.yml:9:1: owner: expected each key once, found 'owner' again (first on line 8)",
    ],
    "duplicate-step-id": [
        "protocols/sin-conexion.yml:45:9: steps[3].id: expected step ids unique in the protocol, found 'comprobar-dns' again (first at steps[1])",
    ],
    "empty-article": [
        'kb/red/cable-suelto.md:1:1: front matter: expected YAML front matter, found an empty file',
    ],
    "empty-protocol": [
        'protocols/sin-conexion.yml:1:1: document: expected a mapping of keys, found nothing',
    ],
    "enum-audience-tecnico": [
        "protocols/sin-conexion.yml:4:11: audience: expected one of 'technician', 'end-user' or 'both', found 'tecnico'",
    ],
    "enum-channel-fax": [
        "protocols/sin-conexion.yml:5:19: channels[1]: expected one of 'phone', 'chat', 'remote' or 'email', found 'fax'",
    ],
    "enum-lang-fr": [
        "kb/red/cable-suelto.md:11:7: lang: expected one of 'es' or 'en', found 'fr'",
    ],
    "enum-type-faq": [
        "kb/red/cable-suelto.md:4:7: type: expected one of 'solution' or 'guide', found 'faq'",
    ],
    "front-matter-list": [
        'kb/red/cable-suelto.md:1:1: document: expected a mapping of keys, found a list',
    ],
    "front-matter-missing": [
        "kb/red/cable-suelto.md:1:1: front matter: expected the file to start with a '---' line opening the YAML front matter, found 'id: cable-suelto'",
    ],
    "front-matter-unclosed": [
        "kb/red/cable-suelto.md:1:1: front matter: expected a closing '---' line after the front matter, found none",
    ],
    "guide-without-pasos": [
        'kb/cuentas/cambiar-contrasena.md:10:1: body: expected the section ## Pasos in a guide article (es), found Cómo se hace',
    ],
    "heading-level-1": [
        "kb/cuentas/cambiar-contrasena.md:10:1: warning: body: expected no '# ' heading (the title comes from the front matter), found '# Cambiar la contraseña'",
    ],
    "id-65-chars": [
        "protocols/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.yml:1:5: id: expected an id of at most 64 lower-case letters, digits and hyphens (^[a-z0-9][a-z0-9-]{0,63}$), found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (65 characters)",
    ],
    "id-not-file-name": [
        "protocols/sin-conexion.yml:1:5: id: expected the id to match the file name 'sin-conexion', found 'sin-red'",
    ],
    "id-not-file-name-article": [
        "kb/red/cable-suelto.md:2:5: id: expected the id to match the file name 'cable-suelto', found 'cable-flojo'",
    ],
    "id-path-traversal": [
        "protocols/x.yml:1:5: id: expected an id of at most 64 lower-case letters, digits and hyphens (^[a-z0-9][a-z0-9-]{0,63}$), found '../../etc/x'",
    ],
    "id-reserved-con-lower": [
        "protocols/con.yml:1:5: id: expected an id that can be a file name on every system, found the reserved name 'con'",
    ],
    "id-reserved-con-upper": [
        "protocols/con.yml:1:5: id: expected an id that can be a file name on every system, found the reserved name 'CON'",
    ],
    "id-step-upper-case": [
        "protocols/sin-conexion.yml:42:9: steps[2].id: expected an id of at most 64 lower-case letters, digits and hyphens (^[a-z0-9][a-z0-9-]{0,63}$), found 'Escalar'",
    ],
    "id-underscore": [
        "protocols/sin_conexion.yml:1:5: id: expected an id of at most 64 lower-case letters, digits and hyphens (^[a-z0-9][a-z0-9-]{0,63}$), found 'sin_conexion'",
    ],
    "id-upper-case": [
        "protocols/Sin-Conexion.yml:1:5: id: expected an id of at most 64 lower-case letters, digits and hyphens (^[a-z0-9][a-z0-9-]{0,63}$), found 'Sin-Conexion'",
    ],
    "list-instead-of-mapping": [
        'protocols/sin-conexion.yml:31:10: steps[1].say: expected a mapping, found a list',
    ],
    "loop-without-ending": [  # the lint's explain_prevent warnings come with the errors (all at once)
        "protocols/bucle.yml:14:9: warning: steps[0].options[0].explain: expected explain on an option that resolves, found none; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]",
        "protocols/bucle.yml:14:9: warning: steps[0].options[0].prevent: expected prevent on an option that resolves, found none; add one plain sentence on how to avoid it next time (it goes into the follow-up message) [explain_prevent]",
        "protocols/bucle.yml:17:9: steps[1].id: expected a way from 'paso-a' to an ending (resolve or escalate), found only loops",
        "protocols/bucle.yml:23:9: steps[2].id: expected a way from 'paso-b' to an ending (resolve or escalate), found only loops",
    ],
    "merge-key-alias": [
        'protocols/sin-conexion.yml:12:5: <<: expected plain values, found an alias (*base); anchors and aliases are not allowed',
    ],
    "minutes-boolean": [
        'protocols/sin-conexion.yml:7:20: estimated_minutes: expected a whole number, found true',
    ],
    "minutes-out-of-range": [
        'protocols/sin-conexion.yml:7:20: estimated_minutes: expected a number at most 480, found the number 600',
    ],
    "minutes-quoted": [
        "protocols/sin-conexion.yml:7:20: estimated_minutes: expected a whole number, found '15'",
    ],
    "missing-required-keys": [
        'protocols/sin-conexion.yml:1:1: owner: expected this required key, found it missing',
        'protocols/sin-conexion.yml:1:1: reviewed: expected this required key, found it missing',
    ],
    "multiple-documents": [
        'protocols/sin-conexion.yml:45:1: document: expected one YAML document, found a second one',
    ],
    "nesting-block-65": [
        'protocols/sin-conexion.yml:12:127: prerequisites[0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting',
    ],
    "nesting-flow-65": [
        'protocols/sin-conexion.yml:6:70: tags[0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting',
    ],
    "nesting-front-matter-65": [
        'kb/red/cable-suelto.md:10:259: tags.a.a...(64 levels): expected at most 64 levels of nesting, found deeper nesting',
    ],
    "non-utf8-bytes": [
        'kb/cuentas/cambiar-contrasena.md:13:27: file: expected UTF-8 text, found the byte 0xf1',
    ],
    "non-utf8-front-matter": [
        'kb/cuentas/cambiar-contrasena.md:3:27: file: expected UTF-8 text, found the byte 0xf1',
    ],
    "norway-audience-no": [
        "protocols/sin-conexion.yml:4:11: audience: expected one of 'technician', 'end-user' or 'both', found 'NO'",
    ],
    "norway-float-review-days": [
        "protocols/sin-conexion.yml:10:20: review_every_days: expected a whole number, found '1.10'",
    ],
    "norway-octal-minutes": [
        "protocols/sin-conexion.yml:7:20: estimated_minutes: expected a whole number, found '0777'",
    ],
    "norway-on-yes-stay-text": [],
    "norway-sexagesimal-reviewed": [
        "protocols/sin-conexion.yml:9:11: reviewed: expected a date as YYYY-MM-DD, found '12:30'",
    ],
    "option-explain-with-next": [
        'protocols/sin-conexion.yml:40:9: steps[1].options[1]: expected explain and prevent only on an option that resolves, found them on an option with next',
    ],
    "option-next-and-resolve": [
        'protocols/sin-conexion.yml:40:9: steps[1].options[1]: expected exactly one of next, resolve or escalate, found next and resolve',
    ],
    "option-next-to-own-step": [
        "protocols/sin-conexion.yml:41:15: steps[1].options[1].next: expected a different step, found 'comprobar-dns' pointing back to its own step",
        "protocols/sin-conexion.yml:42:9: steps[2].id: expected every step to be reachable from start 'comprobar-cable', found 'escalar' unreachable",
    ],
    "option-without-outcome": [
        'protocols/sin-conexion.yml:40:9: steps[1].options[1]: expected exactly one of next, resolve or escalate, found none of them',
    ],
    "review-overdue": [
        'protocols/sin-conexion.yml:9:11: warning: reviewed: expected a review by 2025-06-30 (every 180 days), found it 511 days overdue',
    ],
    "solution-en-missing-sections": [
        'kb/red/cable-suelto.md:26:1: body: expected the sections ## Symptoms, ## Cause, ## Solution, ## Prevention in a solution article (en), found Síntomas, Causa, Solución, Prevención',
    ],
    "solution-missing-section": [
        'kb/red/cable-suelto.md:25:1: body: expected the section ## Causa in a solution article (es), found Síntomas, Motivo, Solución, Prevención',
    ],
    "solution-without-cause": [
        'kb/red/cable-suelto.md:2:1: cause: expected a cause for a solution article, found none',
    ],
    "solution-without-symptoms": [
        'kb/red/cable-suelto.md:6:1: symptoms: expected at least one symptom for a solution article, found none',
    ],
    "step-options-and-escalate": [
        'protocols/sin-conexion.yml:29:5: steps[1]: expected either options or an ending, found options and escalate',
    ],
    "step-options-without-ask": [
        'protocols/sin-conexion.yml:14:5: steps[0]: expected an ask question for the options, found none',
    ],
    "step-without-options-or-ending": [
        'protocols/sin-conexion.yml:42:5: steps[2]: expected options (with ask) or an ending (resolve or escalate), found neither',
    ],
    "steps-as-text": [
        "protocols/sin-conexion.yml:13:8: steps: expected a list, found 'comprobar-cable, comprobar-dns'",
    ],
    "steps-empty": [
        'protocols/sin-conexion.yml:13:8: steps: expected at least 1 item, found 0',
    ],
    "tag-custom": [
        "protocols/sin-conexion.yml:2:8: title: expected an untagged value, found the tag '!include'; YAML tags are not allowed",
    ],
    "tag-python-object-apply": [
        "protocols/sin-conexion.yml:2:8: title: expected an untagged value, found the tag '!!python/object/apply:os.system'; YAML tags are not allowed",
    ],
    "title-as-number": [
        'protocols/sin-conexion.yml:2:8: title: expected a text, found the number 42',
    ],
    "title-empty": [
        'protocols/sin-conexion.yml:2:8: title: expected a non-empty text, found an empty text',
    ],
    "unknown-key-front-matter": [
        "kb/red/cable-suelto.md:6:1: symptom: expected a known key, found unknown key 'symptom'; did you mean 'symptoms'?",
    ],
    "unknown-key-in-option": [
        "protocols/sin-conexion.yml:41:9: steps[1].options[1].nxt: expected a known key, found unknown key 'nxt'; did you mean 'next'?",
    ],
    "unknown-key-in-step": [
        "protocols/sin-conexion.yml:30:5: steps[1].titulo: expected a known key, found unknown key 'titulo'; did you mean 'title'?",
    ],
    "unknown-key-summry": [
        "protocols/sin-conexion.yml:3:1: summry: expected a known key, found unknown key 'summry'; did you mean 'summary'?",
    ],
    "unknown-key-titel": [
        "protocols/sin-conexion.yml:2:1: titel: expected a known key, found unknown key 'titel'; did you mean 'title'?",
    ],
    "unreachable-step": [  # the option made to resolve has no explain or prevent: lint warnings
        "protocols/sin-conexion.yml:41:9: warning: steps[1].options[1].explain: expected explain on an option that resolves, found none; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]",
        "protocols/sin-conexion.yml:41:9: warning: steps[1].options[1].prevent: expected prevent on an option that resolves, found none; add one plain sentence on how to avoid it next time (it goes into the follow-up message) [explain_prevent]",
        "protocols/sin-conexion.yml:42:9: steps[2].id: expected every step to be reachable from start 'comprobar-cable', found 'escalar' unreachable",
    ],
    "yaml-syntax-bad-indent": [
        "protocols/sin-conexion.yml:30:4: yaml: expected valid YAML, found a syntax error: expected <block end>, but found '<block mapping start>' (while parsing a block collection started on line 14)",
    ],
    "yaml-syntax-tab-indent": [
        "protocols/sin-conexion.yml:30:1: yaml: expected valid YAML, found a syntax error: found character '\\t' that cannot start any token (while scanning for the next token)",
    ],
    "yaml-syntax-unclosed-list": [
        "protocols/sin-conexion.yml:7:18: yaml: expected valid YAML, found a syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence started on line 6)",
    ],
}

BINARY_CASES = {"non-utf8-bytes", "non-utf8-front-matter"}  # cannot be given as text


def formatted(diags: list[Diagnostic]) -> list[str]:
    return [d.format() for d in diags]


def test_the_corpus_and_the_table_agree() -> None:
    on_disk = sorted(p.name for p in BAD_INPUT.iterdir() if p.is_dir())
    assert on_disk == sorted(EXPECTED)
    broken = [name for name, msgs in EXPECTED.items() if any(": warning: " not in m for m in msgs)]
    assert len(broken) >= 40
    assert len(broken) == 88  # the others: two warnings only, one valid 'on'/'yes' control case
    for name in on_disk:  # each case is a content repo: files only under kb/ and protocols/
        files = [p.relative_to(BAD_INPUT / name).parts[0] for p in (BAD_INPUT / name).rglob("*") if p.is_file()]
        assert files and set(files) <= {"kb", "protocols"}, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_from_disk(name: str, today: date) -> None:
    result = validate_tree(BAD_INPUT / name, today=today)
    assert formatted(result.diagnostics) == EXPECTED[name]
    assert result.ok == all(": warning: " in m for m in EXPECTED[name])


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - BINARY_CASES))
def test_case_from_texts(name: str, today: date) -> None:
    result = validate_texts(read_content(BAD_INPUT / name), today=today)
    assert formatted(result.diagnostics) == EXPECTED[name]


def test_on_and_yes_stay_text(today: date) -> None:
    result = validate_tree(BAD_INPUT / "norway-on-yes-stay-text", today=today)
    (entry,) = result.catalog.protocols
    assert entry.model.steps[0].ask == "on"
    assert entry.model.steps[0].options[0].label == "yes"


def test_a_broken_file_is_not_also_reported_as_missing(today: date) -> None:
    """The article refers to a protocol whose file is broken: one error, on the protocol only."""
    result = validate_tree(BAD_INPUT / "broken-protocol-no-cascade", today=today)
    assert [d.path for d in result.diagnostics] == ["protocols/sin-conexion.yml"]
    # The same reference to a protocol that does not exist at all is reported.
    texts = read_content(BAD_INPUT / "broken-protocol-no-cascade")
    del texts["protocols/sin-conexion.yml"]
    assert formatted(validate_texts(texts, today=today).diagnostics) == [
        "kb/red/dns-mal-configurado.md:10:13: protocols[0]: expected the id of a protocol in protocols/, found 'sin-conexion'"]
    # A broken *article* of that name does not excuse a dangling *protocol* reference.
    texts["kb/red/sin-conexion.md"] = ""
    assert formatted(validate_texts(texts, today=today).diagnostics) == [
        "kb/red/dns-mal-configurado.md:10:13: protocols[0]: expected the id of a protocol in protocols/, found 'sin-conexion'",
        "kb/red/sin-conexion.md:1:1: front matter: expected YAML front matter, found an empty file",
    ]


def test_file_over_the_size_limit(tmp_path: Path, tiny_root: Path, today: date) -> None:
    proto = (tiny_root / "protocols" / "sin-conexion.yml").read_text(encoding="utf-8")
    big = proto + "# " + "x" * (2 * 1024 * 1024 - len(proto.encode()) - 3) + "\n"
    assert len(big.encode()) == 2 * 1024 * 1024
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "sin-conexion.yml").write_text(big, encoding="utf-8")
    expected = ["protocols/sin-conexion.yml:1:1: file: expected at most 1,048,576 bytes, found 2,097,152 bytes"]
    assert formatted(validate_tree(tmp_path, today=today).diagnostics) == expected
    assert formatted(validate_texts({"protocols/sin-conexion.yml": big}, today=today).diagnostics) == expected
    # A small front matter does not let a 2 MB body through (14 + 2,097,152 bytes).
    article = "---\nid: x\n---\n" + "x" * (2 * 1024 * 1024)
    assert formatted(validate_texts({"kb/a/x.md": article}, today=today).diagnostics) == [
        "kb/a/x.md:1:1: file: expected at most 1,048,576 bytes, found 2,097,166 bytes"]


# --- kb validate ------------------------------------------------------------------------------------

def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    if argv[:1] == ["validate"]:  # the fixtures are read-only: no validation cache is written into them
        argv = ["validate", "--no-cache", *argv[1:]]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_clean_repo_exits_0(tiny_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", "--root", str(tiny_root), "--today", "2026-11-23"], capsys) == (
        0, "0 errors, 0 warnings in 4 files\n", "")


def test_cli_content_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["validate", "--root", str(BAD_INPUT / "loop-without-ending"), "--today",
                               "2026-11-23"], capsys)
    assert (code, err) == (1, "")
    assert out == "\n".join([*EXPECTED["loop-without-ending"], "2 errors, 2 warnings in 1 file"]) + "\n"


def test_cli_counts_unreadable_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["validate", "--root", str(BAD_INPUT / "non-utf8-bytes")], capsys)
    assert code == 1
    assert out.splitlines()[-1] == "1 error, 0 warnings in 1 file"


@pytest.mark.parametrize(("argv", "message"), [
    (["--root", "/nonexistent/kb-root"], "kb: error: --root: expected a directory, found nothing at /nonexistent/kb-root\n"),
    (["-f", "/nonexistent/mkdocs.yml"], "kb: error: -f: expected an mkdocs.yml file, found no file at /nonexistent/mkdocs.yml\n"),
    (["--today", "2026-13-01"], "kb: error: --today: expected a date as YYYY-MM-DD, found '2026-13-01'\n"),
])
def test_cli_usage_errors_exit_2(argv: list[str], message: str, tiny_root: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", "--root", str(tiny_root), *argv], capsys) == (2, "", message)


def test_cli_bad_format_is_a_usage_error(tiny_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "--root", str(tiny_root), "--format", "xml"])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("kb validate: error: argument --format: invalid choice: 'xml' (choose from 'github', 'json', 'text')\n")


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["validate", "--root", str(BAD_INPUT / "loop-without-ending"), "--format", "json",
                             "--today", "2026-11-23"], capsys)
    assert code == 1
    assert json.loads(out) == {"files": 1, "errors": 2, "warnings": 2, "diagnostics": [
        {"path": "protocols/bucle.yml", "line": 14, "col": 9, "key": "steps[0].options[0].explain",
         "severity": "warning", "message": "expected explain on an option that resolves, found none; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]"},
        {"path": "protocols/bucle.yml", "line": 14, "col": 9, "key": "steps[0].options[0].prevent",
         "severity": "warning", "message": "expected prevent on an option that resolves, found none; add one plain sentence on how to avoid it next time (it goes into the follow-up message) [explain_prevent]"},
        {"path": "protocols/bucle.yml", "line": 17, "col": 9, "key": "steps[1].id", "severity": "error",
         "message": "expected a way from 'paso-a' to an ending (resolve or escalate), found only loops"},
        {"path": "protocols/bucle.yml", "line": 23, "col": 9, "key": "steps[2].id", "severity": "error",
         "message": "expected a way from 'paso-b' to an ending (resolve or escalate), found only loops"},
    ]}


def test_cli_json_keeps_warnings_apart(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["validate", "--root", str(BAD_INPUT / "heading-level-1"), "--format", "json",
                             "--today", "2026-11-23"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert (payload["errors"], payload["warnings"]) == (0, 1)
    assert [d["severity"] for d in payload["diagnostics"]] == ["warning"]


def test_cli_github(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["validate", "--root", str(BAD_INPUT / "dangling-next"), "--format", "github",
                             "--today", "2026-11-23"], capsys)
    assert code == 1
    assert out.splitlines() == [
        "::error file=protocols/sin-conexion.yml,line=41,col=15,title=steps[1].options[1].next::expected the id "
        "of a step of this protocol, found 'escalado'; did you mean 'escalar'?",
        "1 error, 0 warnings in 1 file",
    ]


def test_cli_github_escapes_properties_and_newlines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["validate", "--root", str(BAD_INPUT / "review-overdue"), "--format", "github",
                             "--today", "2026-11-23"], capsys)
    assert code == 0
    assert out.splitlines()[0] == (
        "::warning file=protocols/sin-conexion.yml,line=9,col=11,title=reviewed::expected a review by "
        "2025-06-30 (every 180 days), found it 511 days overdue")


def test_cli_strict_turns_the_overdue_warning_into_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    root = str(BAD_INPUT / "review-overdue")
    warning = EXPECTED["review-overdue"][0]
    assert run_main(["validate", "--root", root, "--today", "2026-11-23"], capsys) == (
        0, f"{warning}\n0 errors, 1 warning in 1 file\n", "")
    assert run_main(["validate", "--root", root, "--today", "2026-11-23", "--strict"], capsys) == (
        1, f"{warning.replace(': warning: ', ': ')}\n1 error, 0 warnings in 1 file\n", "")
    code, out, _ = run_main(["validate", "--root", root, "--today", "2026-11-23", "--strict", "--format", "json"],
                            capsys)
    assert code == 1
    assert [d["severity"] for d in json.loads(out)["diagnostics"]] == ["error"]


def test_cli_real_subprocess(kb_command: list[str], tiny_root: Path) -> None:
    def kb(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*kb_command, "validate", "--no-cache", *args], capture_output=True, text=True, timeout=60,
                              check=False)

    ok = kb("--root", str(tiny_root), "--today", "2026-11-23")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "0 errors, 0 warnings in 4 files\n", "")
    bad = kb("--root", str(BAD_INPUT / "alias-bomb"), "--today", "2026-11-23", "--format", "github")
    assert (bad.returncode, bad.stderr) == (1, "")
    assert bad.stdout == (
        "::error file=protocols/lol.yml,line=2,col=4,title=a::expected plain values, found an anchor (&a); "
        "anchors and aliases are not allowed\n1 error, 0 warnings in 1 file\n")
    usage = kb("--root", str(BAD_INPUT / "no-such-case"))
    assert usage.returncode == 2
    assert usage.stdout == ""
    assert usage.stderr == f"kb: error: --root: expected a directory, found nothing at {BAD_INPUT / 'no-such-case'}\n"
    unknown = kb("--format", "xml")
    assert unknown.returncode == 2
    assert "invalid choice: 'xml'" in unknown.stderr


def test_every_error_is_an_error_severity(today: date) -> None:
    """Warnings are only the review and heading nudges and the content-quality lint (docs/lint.md);
    everything else fails the build."""
    for name in EXPECTED:
        for d in validate_tree(BAD_INPUT / name, today=today).diagnostics:
            if d.severity is Severity.WARNING:
                assert name in {"review-overdue", "heading-level-1"} or d.message.endswith("[explain_prevent]"), name
