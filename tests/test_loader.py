"""The read stage: hardened YAML loading, front matter, decoding, headings; safety limits."""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.content.sources import (
    decode,
    markdown_headings,
    read_article,
    read_tree,
    split_front_matter,
)
from generator.content.yamlsafe import MAX_BYTES, MAX_DEPTH, Located, key_name, load, resolve_plain
from generator.diagnostics import ContentError, Diagnostic
from generator.pipeline.validation import validate_texts

DEEP = 100_000


def problems(text: str, path: str = "p.yml", **kw: int) -> list[str]:
    """The formatted diagnostics ``load`` raises for ``text`` (fails if it loads)."""
    with pytest.raises(ContentError) as info:
        load(text, path, **kw)
    return [d.format() for d in info.value.diagnostics]


def billion_laughs(first_key: str = "id: lol\n") -> str:
    """The classic: 9 levels of 9 aliases, about 10**9 strings once expanded."""
    text = first_key + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{cur}: &{cur} [{','.join(['*' + prev] * 9)}]\n"
    return text


# --- scalars: only true/false, null, plain decimal integers; everything else stays text ------------

@pytest.mark.parametrize(("plain", "expected"), [
    ("true", True), ("false", False),
    ("null", None), ("~", None), ("", None),
    ("15", 15), ("0", 0), ("-3", -3), ("+7", 7), ("123456789012345678", 123456789012345678),
    # YAML 1.1 "Norway" values that safe_load would change: all stay the text as written.
    ("NO", "NO"), ("no", "no"), ("yes", "yes"), ("Yes", "Yes"), ("on", "on"), ("off", "off"),
    ("y", "y"), ("True", "True"), ("FALSE", "FALSE"), ("Null", "Null"),
    ("0777", "0777"), ("00", "00"), ("0o17", "0o17"), ("0x1F", "0x1F"), ("1_000", "1_000"),
    ("1.10", "1.10"), ("1.5", "1.5"), ("1e3", "1e3"), (".inf", ".inf"), (".nan", ".nan"),
    ("12:30", "12:30"), ("190:20:30", "190:20:30"), ("2026-10-01", "2026-10-01"),
    ("1234567890123456789", "1234567890123456789"),  # 19 digits: too big to be a count
    ("-", "-"), ("+", "+"),
])
def test_resolve_plain(plain: str, expected: object) -> None:
    got = resolve_plain(plain)
    assert got == expected
    assert type(got) is type(expected)


def test_norway_values_load_as_text() -> None:
    text = "a: NO\nb: 0777\nc: 1.10\nd: 12:30\ne: on\nf: yes\ng: 2026-10-01\nh: '15'\ni: 15\nj: true\n"
    assert load(text, "x.yml").data == {
        "a": "NO", "b": "0777", "c": "1.10", "d": "12:30", "e": "on", "f": "yes", "g": "2026-10-01",
        "h": "15", "i": 15, "j": True,
    }


def test_quoted_scalars_are_always_text() -> None:
    assert load("a: 'true'\nb: \"15\"\nc: 'null'\nd: ''\n", "x.yml").data == {
        "a": "true", "b": "15", "c": "null", "d": ""}


# --- positions -----------------------------------------------------------------------------------

def test_positions_of_keys_and_values() -> None:
    text = textwrap.dedent("""\
        id: x
        steps:
          - id: uno
            options: [{label: Sí, next: dos}]
          - id: dos
            escalate: N2
        """)
    loc = load(text, "x.yml")
    assert loc.keys[("id",)] == (1, 1)
    assert loc.values[("id",)] == (1, 5)
    assert loc.keys[("steps",)] == (2, 1)
    assert loc.values[("steps",)] == (3, 3)
    assert loc.values[("steps", 0)] == (3, 5)
    assert loc.keys[("steps", 0, "id")] == (3, 5)
    assert loc.values[("steps", 0, "id")] == (3, 9)
    assert loc.values[("steps", 0, "options", 0)] == (4, 15)
    assert loc.keys[("steps", 0, "options", 0, "next")] == (4, 27)
    assert loc.values[("steps", 0, "options", 0, "next")] == (4, 33)
    assert loc.keys[("steps", 1, "escalate")] == (6, 5)
    # Unknown paths fall back to their closest located ancestor.
    assert loc.pos(("steps", 1, "title")) == (5, 5)
    assert loc.key_pos(("steps", 1, "title")) == (5, 5)
    assert loc.pos(("nothing", "here")) == (1, 1)


def test_line_offset_shifts_every_position() -> None:
    loc = load("id: x\ntags: [a, b]\n", "kb/a/x.md", line_offset=1)
    assert loc.keys[("id",)] == (2, 1)
    assert loc.values[("tags", 1)] == (3, 11)


def test_positions_with_crlf_and_bom(tiny_root: Path, tmp_path: Path) -> None:
    raw = (tiny_root / "protocols" / "sin-conexion.yml").read_bytes()
    (tmp_path / "protocols").mkdir()
    target = tmp_path / "protocols" / "sin-conexion.yml"
    target.write_bytes(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n").replace(b"audience: both", b"audience: NO"))
    result = read_tree(tmp_path)
    assert result.diagnostics == []
    (src,) = result.protocols
    assert src.located.data["audience"] == "NO"
    assert src.located.values[("audience",)] == (4, 11)
    assert src.located.keys[("steps", 2, "escalate")] == (46, 5)


def test_key_name() -> None:
    assert key_name(()) == ""
    assert key_name(("steps", 2, "options", 0, "next")) == "steps[2].options[0].next"
    assert key_name(("a",) * 9) == "a.a.a...(9 levels)"


# --- what is rejected, and where ------------------------------------------------------------------

def test_duplicate_keys_are_all_reported_with_both_lines() -> None:
    text = textwrap.dedent("""\
        id: x
        title: Uno
        say:
          basic: a
          basic: b
        steps:
          - id: s
            id: t
        title: Dos
        """)
    assert problems(text) == [
        "p.yml:5:3: say.basic: expected each key once, found 'basic' again (first on line 4)",
        "p.yml:8:5: steps[0].id: expected each key once, found 'id' again (first on line 7)",
        "p.yml:9:1: title: expected each key once, found 'title' again (first on line 2)",
    ]


def test_duplicate_key_keeps_the_first_value_until_rejected() -> None:
    # PyYAML's own loaders keep the last value silently; we never return such a document.
    assert yaml.safe_load("a: 1\na: 2\n") == {"a": 2}
    assert problems("a: 1\na: 2\n") == ["p.yml:2:1: a: expected each key once, found 'a' again (first on line 1)"]


@pytest.mark.parametrize(("text", "expected"), [
    ("a: &x 1\nb: *x\n",
     "p.yml:1:4: a: expected plain values, found an anchor (&x); anchors and aliases are not allowed"),
    ("a: [1, *x]\n",
     "p.yml:1:8: a[1]: expected plain values, found an alias (*x); anchors and aliases are not allowed"),
    ("a: 1\n<<: *base\n",
     "p.yml:2:5: <<: expected plain values, found an alias (*base); anchors and aliases are not allowed"),
    ("a: !!python/object/apply:os.system ['echo pwned']\n",
     "p.yml:1:4: a: expected an untagged value, found the tag '!!python/object/apply:os.system'; "
     "YAML tags are not allowed"),
    ("a: !!str 15\n",
     "p.yml:1:4: a: expected an untagged value, found the tag '!!str'; YAML tags are not allowed"),
    ("a:\n  - !include otro.yml\n",
     "p.yml:2:5: a[0]: expected an untagged value, found the tag '!include'; YAML tags are not allowed"),
    ("!mapa\na: 1\n",
     "p.yml:1:1: document: expected an untagged value, found the tag '!mapa'; YAML tags are not allowed"),
    ("? [a, b]\n: c\n",
     "p.yml:1:3: document: expected a plain key, found a list used as a key"),
    ("a: 1\n---\nb: 2\n",
     "p.yml:2:1: document: expected one YAML document, found a second one"),
    ("a: [1, 2\nb: 3\n",
     "p.yml:2:2: yaml: expected valid YAML, found a syntax error: expected ',' or ']', but got ':' "
     "(while parsing a flow sequence started on line 1)"),
    ("a:\n\t- 1\n",
     "p.yml:2:1: yaml: expected valid YAML, found a syntax error: found character '\\t' that cannot start "
     "any token (while scanning for the next token)"),
    ("a: b: c\n",
     "p.yml:1:5: yaml: expected valid YAML, found a syntax error: mapping values are not allowed here"),
    ("a: x\n  b: \x07\n",
     "p.yml:2:6: yaml: expected printable text, found the control character U+0007"),
])
def test_rejected(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_single_document_markers_are_fine() -> None:
    assert load("---\na: 1\n...\n", "x.yml").data == {"a": 1}


def test_depth_limit_is_exact() -> None:
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    data = load(ok, "x.yml").data
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == []
    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert problems(too_deep) == [
        "p.yml:1:65: [0][0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting"]


def test_size_limit_counts_bytes_not_characters() -> None:
    fits = "a: " + "x" * (MAX_BYTES - 4) + "\n"
    assert len(fits.encode()) == MAX_BYTES
    assert load(fits, "x.yml").data == {"a": "x" * (MAX_BYTES - 4)}
    over = "a: " + "ñ" * (MAX_BYTES // 2) + "\n"  # fewer characters than MAX_BYTES, more bytes
    assert len(over) < MAX_BYTES
    assert problems(over) == ["p.yml:1:1: file: expected at most 1,048,576 bytes, found 1,048,580 bytes"]


# --- files: decoding and front matter ----------------------------------------------------------------

def test_decode_strips_bom_and_reports_bad_bytes_where_they_are() -> None:
    assert decode("\ufeffid: x\n".encode(), "p.yml") == "id: x\n"
    with pytest.raises(ContentError) as info:
        decode(b"id: x\ntitle: Contrase\xf1a\n", "p.yml")
    assert info.value.diagnostics == [Diagnostic("p.yml", 2, 16, "file", "expected UTF-8 text, found the byte 0xf1")]


@pytest.mark.parametrize(("raw", "line", "col", "byte"), [
    (b"\xef\xbb\xbfid: x\ntitle: Contrase\xf1a\n", 2, 16, "0xf1"),  # a BOM shifts nothing
    (b"\xef\xbb\xbfid\xf1: x\n", 1, 3, "0xf1"),
    (b"id: x\ntitle: \xc2\xabContrase\xf1a\n", 2, 17, "0xf1"),  # columns count characters, not bytes
    (b"title: caf\xe9\n", 1, 11, "0xe9"),  # Latin-1
    (b"title: \xe2\x82", 1, 8, "0xe2"),  # a sequence cut short at the end
])
def test_decode_positions(raw: bytes, line: int, col: int, byte: str) -> None:
    with pytest.raises(ContentError) as info:
        decode(raw, "p.yml")
    message = f"expected UTF-8 text, found the byte {byte}"
    assert info.value.diagnostics == [Diagnostic("p.yml", line, col, "file", message)]


def test_decode_size_limit() -> None:
    with pytest.raises(ContentError) as info:
        decode(b"x" * (MAX_BYTES + 1), "p.yml")
    assert [d.format() for d in info.value.diagnostics] == [
        "p.yml:1:1: file: expected at most 1,048,576 bytes, found 1,048,577 bytes"]


def test_split_front_matter() -> None:
    assert split_front_matter("---\nid: x\n---\n## A\n", "a.md") == ("id: x\n", "## A\n", 4)
    assert split_front_matter("---\r\nid: x\r\n...\r\nbody\r\n", "a.md") == ("id: x\r\n", "body\r\n", 4)
    assert split_front_matter("---\n---\n", "a.md") == ("", "", 3)


@pytest.mark.parametrize(("text", "expected"), [
    ("", "a.md:1:1: front matter: expected YAML front matter, found an empty file"),
    ("id: x\n---\n", "a.md:1:1: front matter: expected the file to start with a '---' line opening the YAML "
                     "front matter, found 'id: x'"),
    ("---\nid: x\n", "a.md:1:1: front matter: expected a closing '---' line after the front matter, found none"),
])
def test_split_front_matter_problems(text: str, expected: str) -> None:
    with pytest.raises(ContentError) as info:
        split_front_matter(text, "a.md")
    assert [d.format() for d in info.value.diagnostics] == [expected]


def test_article_positions_are_file_lines() -> None:
    src = read_article("---\nid: x\ntitle: T\n---\n\n## Pasos\n```\n## no\n```\n### Sub\n", "kb/area/x.md")
    assert src.area == "area"
    assert src.located.keys[("title",)] == (3, 1)
    assert src.body_line == 5
    assert [(h.level, h.text, h.line) for h in src.headings] == [(2, "Pasos", 6), (3, "Sub", 10)]


def test_markdown_headings_skip_fenced_code() -> None:
    body = "## Uno\n~~~\n## dentro\n```\n## dentro también\n~~~\n## Dos ##\n#sin espacio\n"
    assert [(h.level, h.text, h.line) for h in markdown_headings(body, 10)] == [(2, "Uno", 10), (2, "Dos", 16)]


def test_located_default() -> None:
    assert Located(data=None).pos(("a",)) == (1, 1)


# --- safety acceptance: alias bomb, 100,000-deep nesting -----------------------------------------------

def test_alias_bomb_is_rejected_fast_and_small(today: date) -> None:
    bomb = billion_laughs()
    assert len(bomb.encode()) < 1000
    expected = ["protocols/lol.yml:2:4: a: expected plain values, found an anchor (&a); "
                "anchors and aliases are not allowed"]
    validate_texts({"protocols/lol.yml": "id: lol\n"}, today=today)  # warm up imports and caches

    start = time.perf_counter()
    result = validate_texts({"protocols/lol.yml": bomb}, today=today)
    elapsed = time.perf_counter() - start
    assert [d.format() for d in result.diagnostics] == expected
    assert elapsed < 0.100, f"alias bomb took {elapsed * 1000:.1f} ms"

    tracemalloc.start()
    try:
        result = validate_texts({"protocols/lol.yml": bomb}, today=today)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.format() for d in result.diagnostics] == expected
    assert peak < 50 * 1024 * 1024, f"alias bomb peaked at {peak / 1e6:.1f} MB"


DEEP_CASES = {
    # name: (file, text, expected message after 'path:')
    "flow": ("protocols/x.yml", "id: x\nsteps: " + "[" * DEEP + "\n",
             "2:71: steps[0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting"),
    "block": ("protocols/x.yml", "id: x\nsteps:\n" + "- " * DEEP + "x\n",
              "3:127: steps[0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting"),
    "flow-mapping": ("protocols/x.yml", "id: x\nsteps: " + "{a: " * DEEP + "\n",
                     "2:260: steps.a.a...(64 levels): expected at most 64 levels of nesting, found deeper nesting"),
    "mixed": ("protocols/x.yml", "id: x\nsteps:\n" + "- " * 40 + "[" * DEEP + "\n",
              "3:104: steps[0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting"),
    "front-matter": ("kb/red/x.md", "---\nid: x\ntags: " + "[" * DEEP + "\n---\n## Pasos\n",
                     "3:70: tags[0][0]...(64 levels): expected at most 64 levels of nesting, found deeper nesting"),
}


@pytest.mark.parametrize("name", sorted(DEEP_CASES))
def test_deep_nesting_in_process(name: str, today: date) -> None:
    path, text, message = DEEP_CASES[name]
    result = validate_texts({path: text}, today=today)
    assert [d.format() for d in result.diagnostics] == [f"{path}:{message}"]


@pytest.mark.parametrize("name", sorted(DEEP_CASES))
def test_deep_nesting_cli_subprocess(name: str, tmp_path: Path, kb_command: list[str]) -> None:
    """A real `kb validate` on 100,000 levels: a clean error and exit code 1, in well under 2 s of CPU.

    The second is the child's own CPU time (user + system, from wait4), interpreter start-up
    included: unlike wall-clock time it does not grow when other processes load the machine."""
    path, text, message = DEEP_CASES[name]
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_text(text, encoding="utf-8")
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen([*kb_command, "validate", "--root", str(tmp_path), "--today", "2026-11-23"],
                                stdout=fo, stderr=fe)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    assert proc.returncode == 1, (proc.returncode, err.read_text()[-2000:])
    assert err.read_text() == ""
    assert out.read_text() == f"{path}:{message}\n1 error, 0 warnings in 1 file\n"
    assert cpu < 1.5, f"kb validate used {cpu:.2f} s of CPU"  # ~0.8 s here; a runaway takes minutes
