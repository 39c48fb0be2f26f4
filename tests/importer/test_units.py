"""The importer's pieces on small inputs: dates, languages, keys, callouts, headings, HTML, links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.importer.body import Ln, arrange, normalize, to_lines
from generator.importer.convert import detect_lang, make_id
from generator.importer.htmlclean import clean_html
from generator.importer.links import LinkContext, rewrite_links
from generator.importer.mapping import Mapping, norm_key
from generator.importer.meta import as_list, parse_date
from generator.importer.source import read_source

MAPPING = Mapping()


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-18", date(2024, 5, 18)),
    ("2024-05-18T16:02:10Z", date(2024, 5, 18)),
    ("2022-11-03 10:00:00 +0100", date(2022, 11, 3)),
    ("2024/05/18", date(2024, 5, 18)),
    ("14/03/2024", date(2024, 3, 14)),
    ("03/02/2024", date(2024, 2, 3)),  # day first by default (day_first: false reads 2 March)
    ("12/31/2024", date(2024, 12, 31)),  # 31 cannot be a month
    ("4 de mayo de 2023", date(2023, 5, 4)),
    ("March 4, 2024", date(2024, 3, 4)),
    ("Tue, 04 Jun 2024 10:00:00 +0000", date(2024, 6, 4)),
    (1717171717, date(2024, 5, 31)),
    (1717171717000, date(2024, 5, 31)),
    (20240518, date(2024, 5, 18)),
    ("2024-02-30", None),
    ("pronto", None),
    (True, None),
])
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_day_first_can_be_turned_off() -> None:
    assert parse_date("03/02/2024", day_first=False) == date(2024, 3, 2)


@pytest.mark.parametrize(("key", "normal"), [
    ("Last-Modified", "last_modified"), ("lastModified", "last_modified"), ("translationKey", "translation_key"),
    ("Problem Filters", "problem_filters"), ("label_names", "label_names"),
])
def test_norm_key(key: str, normal: str) -> None:
    assert norm_key(key) == normal


@pytest.mark.parametrize(("value", "lang"), [
    ("es", "es"), ("es-ES", "es"), ("es_419", "es"), ("ES-mx", "es"), ("Spanish", "es"), ("Español", "es"),
    ("en-us", "en"), ("en-GB", "en"), ("English", "en"), ("fr-FR", None), ("pt-BR", None),
])
def test_language_from_locale(value: str, lang: str | None) -> None:
    assert MAPPING.lang_of(value) == lang


def test_language_from_text() -> None:
    assert detect_lang("Abra la configuración de la red y pulse el botón para que el equipo se conecte") == "es"
    assert detect_lang("Open the network settings and click the button so that your computer can connect") == "en"
    assert detect_lang("VPN 809") is None


def test_ids_are_cut_at_a_word() -> None:
    assert make_id("Cómo restablecer su contraseña desde el portal de autoservicio") == \
        "como-restablecer-su-contrasena-desde-el-portal"
    assert make_id("¿Qué hago?") == "que-hago"


def test_lists_from_text() -> None:
    assert as_list("vpn, red; wifi") == ["vpn", "red", "wifi"]
    assert as_list([{"name": "vpn"}, "red"]) == ["vpn", "red"]
    assert as_list("No navega, pero el Wi-Fi conecta", split=False) == ["No navega, pero el Wi-Fi conecta"]


def body(text: str, lang: str = "es") -> str:
    lines, _, _ = normalize(to_lines(text, 1), "Título", lang, MAPPING, "a.md")
    return "\n".join(ln.text for ln in lines)


@pytest.mark.parametrize(("source", "expected"), [
    ("> [!WARNING]\n> No borre nada.", '!!! warning "Advertencia"\n    No borre nada.\n'),
    ("> [!IMPORTANT]\n> Lea esto.", '!!! warning "Importante"\n    Lea esto.\n'),
    ("> **Nota:** texto\n> más", '!!! note "Nota"\n    Texto\n    más\n'),
    ("> ⚠️ **Cuidado**\n> texto", '!!! warning "Cuidado"\n    Texto\n'),
    (":::tip Antes\nUno\n:::", '!!! tip "Antes"\n    Uno\n'),
    (":::note\nUno\n:::", '!!! note "Nota"\n    Uno\n'),
    ('{% hint style="danger" %}\nUno\n{% endhint %}', '!!! danger "Peligro"\n    Uno\n'),
    ("**Consejo:** reinicie antes.\nY espere.", '!!! tip "Consejo"\n    Reinicie antes.\n    Y espere.\n'),
    ("> Una cita normal.", "> Una cita normal."),
    ("**Importante** en medio de una frase.", "**Importante** en medio de una frase."),
])
def test_callouts(source: str, expected: str) -> None:
    assert body(source) == expected


def test_headings_are_normalized() -> None:
    text = "# Título\n\n<h2>Problema</h2>\n\nuno\n\n**Causa**\n\ndos\n\n##Solución\n\nSub\n---\n\n```\n# no\n```"
    assert body(text) == "\n## Problema\n\nuno\n\n## Causa\n\ndos\n\n## Solución\n\n## Sub\n\n```\n# no\n```"
    # Sections written as level 1 (Confluence) or level 3 (Zendesk) start at level 2.
    assert body("# Título\n\n# Problema\n\n## Detalle") == "\n## Problema\n\n### Detalle"
    assert body("### Problema\n\n#### Detalle") == "## Problema\n\n### Detalle"


def arranged(text: str, kind: str, symptoms: list[str] | None = None, cause: str | None = None) -> list[str]:
    lines, _, _ = normalize(to_lines(text, 1), "Título", "es", MAPPING, "a.md")
    done = arrange(lines, kind, "es", MAPPING, "a.md", 1, symptoms or [], cause)
    return [ln.text for ln in done.lines if ln.text.startswith("#")]


def test_sections_are_created_from_the_text_never_invented() -> None:
    assert arranged("Intro.\n\n## Resolución\n\nHaga esto.", "solution") == ["## Síntomas", "## Solución"]
    assert arranged("Solo texto.", "solution") == ["## Solución"]
    assert arranged("Intro.\n\n## Android\n\n### Detalle\n\n## iPhone", "guide") == [
        "## Pasos", "### Android", "#### Detalle", "### iPhone"]
    assert arranged("1. Uno\n2. Dos", "guide") == ["## Pasos"]


def test_missing_sections_use_the_front_matter() -> None:
    lines, _, _ = normalize(to_lines("## Solución\n\nHaga esto.", 1), "T", "es", MAPPING, "a.md")
    done = arrange(lines, "solution", "es", MAPPING, "a.md", 1, ["No navega"], "El DNS falla.")
    assert [ln.text for ln in done.lines][:8] == ["## Síntomas", "", "- No navega", "", "## Causa", "",
                                                  "El DNS falla.", ""]
    assert done.missing == ["Prevención"]
    assert "Pendiente" not in "\n".join(ln.text for ln in done.lines)


def html(text: str) -> str:
    return clean_html(to_lines(text, 1), "a.md")[0]


@pytest.mark.parametrize(("source", "expected"), [
    ("a<b then\n\nmore", "a&lt;b then\n\nmore"),
    ("x < y > z", "x < y > z"),
    ("Vea <https://example.com> o <ana@example.com>", "Vea <https://example.com> o <ana@example.com>"),
    ("Use `<br>` y <br/>", "Use `<br>` y <br>"),
    ('<img/src=x onerror=alert(1)>', '<img src="x">'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ("<SCRIPT>alert(1)</SCRIPT>fin", "fin"),
    ("<style>p{}</style>\n<p>hola</p>", "\n<p>hola</p>"),
    ('<font color="red">rojo</font>', "rojo"),
    ("<table>\n<tr><td>a & b</td></tr>\n</table>", "<table>\n<tbody><tr><td>a &amp; b</td></tr>\n</tbody></table>"),
    ("**a** & b > c", "**a** & b > c"),
])
def test_html_is_sanitized(source: str, expected: str) -> None:
    assert html(source) == expected


def test_links_follow_the_source_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "otro.md").write_text("x", encoding="utf-8")
    (tmp_path / "docs" / "foto 1.PNG").write_bytes(b"png")
    (tmp_path / "secreto.txt").write_text("x", encoding="utf-8")
    ctx = LinkContext(tmp_path, "docs/a.md", "red/a.md", "img/a", "es", {"docs/otro.md": "vpn/otro.md"})
    lines = to_lines("[Otro](otro.md#paso-2) ![Foto](foto%201.PNG \"t\") [x](../../etc/passwd) "
                     "[s](../secreto.txt) [w](https://example.com) `[c](no.md)` [j](javascript:x())", 1)
    out = rewrite_links(lines, ctx)[0].text
    assert out == ("[Otro](../vpn/otro.md#paso-2) ![Foto](img/a/foto-1.png \"t\") x [s](img/a/secreto.txt) "
                   "[w](https://example.com) `[c](no.md)` j")
    assert ctx.copies == {"red/img/a/foto-1.png": (tmp_path / "docs" / "foto 1.PNG").resolve(),
                          "red/img/a/secreto.txt": (tmp_path / "secreto.txt").resolve()}
    assert [f.code for f in ctx.findings] == ["broken-link", "unsafe-link"]


@pytest.mark.parametrize(("raw", "problem"), [
    (b"---\ntitle: a\n", "expected a closing '---' line after the front matter, found none: not imported"),
    (b"---\ntitle: &a x\n---\n", "expected plain values, found an anchor (&a); anchors and aliases are not allowed: "
                                 "not imported"),
    (b"---\n- a\n---\n", "expected the front matter to be a mapping of keys, found list: not imported"),
    (b"+++\ntitle = \n+++\n", "expected valid TOML front matter, found Invalid value (at line 1, column 9): "
                              "not imported"),
    (b"\x00\x01", "expected text, found NUL bytes: not imported"),
])
def test_unreadable_sources(raw: bytes, problem: str) -> None:
    found = read_source(raw, "a.md")
    assert isinstance(found, list)
    assert found[-1].message == problem


def test_front_matter_variants() -> None:
    doc = read_source(b"\n\n---  \r\ntitle: x\r\n---\r\nbody\r\n", "a.md")
    assert not isinstance(doc, list)
    assert (doc.data, doc.body, doc.body_line) == ({"title": "x"}, "body\n", 6)
    toml = read_source(b'+++\ntitle = "t"\ndate = 2024-01-02\n+++\nb\n', "a.md")
    assert not isinstance(toml, list)
    assert toml.data == {"title": "t", "date": "2024-01-02"}
    assert toml.located.key_pos(("date",)) == (3, 1)
    none = read_source(b"# Solo\n\ntexto\n", "a.md")
    assert not isinstance(none, list) and none.data == {} and none.body_line == 1


def test_lines_keep_their_source_line() -> None:
    lines = to_lines("a\n\n```\n<b>\n```\n    code <x>", 10)
    assert [(ln.no, ln.code) for ln in lines] == [(10, False), (11, False), (12, True), (13, True), (14, True),
                                                 (15, True)]
    assert isinstance(lines[0], Ln)
