"""`kb import` on a help-centre folder of 20 real-world-style articles (tests/importer/fixtures/helpcenter).

The folder mixes exports of Zendesk Guide, Freshdesk, Confluence, Jekyll, GitBook, Docusaurus and
Hugo, plus odd cases (Windows-1252, BOM and CRLF, duplicate keys, no title, French, script
injection). Acceptance: every imported article passes `kb validate`, the source is unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from generator.content.yamlsafe import load
from generator.diagnostics import ContentError
from generator.importer import ImportOptions, import_folder
from generator.pipeline.validation import validate_tree
from tests.importer.conftest import HELPCENTER, TODAY, Imported, content_root, tree_digest

EXPECTED = {  # source -> (status, written file under kb/)
    "confluence/Outlook keeps asking for password.md": ("imported", "correo/outlook-keeps-asking-for-my-password.md"),
    "confluence/Teams-camara-negra.md": ("imported", "videollamadas/la-camara-se-ve-negra-en-teams.md"),
    "docusaurus/instalar-vpn-windows.md": ("imported", "vpn/instalar-cliente-vpn.md"),
    "freshdesk/borrador-wifi.md": ("skipped", ""),
    "freshdesk/impresora-no-imprime.md": ("imported", "impresion/la-impresora-de-la-planta-2-no-imprime.md"),
    "gitbook/cuenta-bloqueada.md": ("imported", "cuentas/mi-cuenta-esta-bloqueada.md"),
    "hugo/ordenador-lento.md": ("imported", "rendimiento/el-ordenador-va-muy-lento-al-arrancar.md"),
    "jekyll/_posts/2022-11-03-configurar-correo-movil.md": (
        "imported", "correo/configurar-el-correo-de-la-empresa-en-el-movil.md"),
    "misc/cable-suelto.md": ("imported", "general/cable-suelto-2.md"),
    "misc/disco-lleno.md": ("imported", "general/disk-almost-full-warning.md"),
    "misc/frances.md": ("failed", ""),
    "misc/front-matter-roto.md": ("failed", ""),
    "misc/phishing.md": ("imported", "seguridad/aviso-de-phishing-correos-que-piden-su-contrasena.md"),
    "misc/scanner-email-crlf.md": ("imported", "general/scanner-scan-to-email-fails.md"),
    "misc/seccion-reservada.md": ("imported", "general/buscar-en-la-base-de-conocimiento-no-devuelve.md"),
    "misc/sin-titulo.md": ("failed", ""),
    "misc/wifi-contrasena-latin1.md": ("imported", "vpn/el-wi-fi-de-la-oficina-pide-la-contrasena-cada-dia.md"),
    "zendesk/en-us/360001111-vpn-does-not-connect-error-809.md": ("imported", "vpn/vpn-does-not-connect-error-809.md"),
    "zendesk/es/360001111-la-vpn-no-conecta-error-809.md": ("imported", "vpn/la-vpn-no-conecta-error-809.md"),
    "zendesk/es/360002222-restablecer-contrasena.md": (
        "imported", "cuentas/como-restablecer-su-contrasena-desde-el-portal.md"),
}


def front(text: str) -> dict[str, object]:
    """The front matter of a written article, read with the hardened loader (dates stay text)."""
    data = load(text.split("---\n")[1], "article.md").data
    assert isinstance(data, dict)
    return data


def test_fixture_folder_is_varied() -> None:
    """At least 15 articles, from several tools, with the awkward parts a real export has."""
    articles = sorted(p for p in HELPCENTER.rglob("*.md"))
    assert len(articles) >= 15
    raw = b"\n".join(p.read_bytes() for p in articles)
    for needle in (b"<table", b"| --- |" if b"| --- |" in raw else b"|---|", b"![", b"<img", b"> [!WARNING]",
                   b":::tip", b"{% hint", b"> **Nota:**", b"<script>", b"<iframe", b"+++", b"\r\n", b"\xef\xbb\xbf"):
        assert needle in raw, needle
    assert len({p.relative_to(HELPCENTER).parts[0] for p in articles}) >= 7


def test_outcome_of_every_source_file(imported: Imported) -> None:
    got = {o.source: (o.status, o.path if o.status == "imported" else "") for o in imported.result.outcomes}
    assert got == EXPECTED
    assert imported.result.summary() == ("16 imported, 0 already there, 1 skipped, 3 failed of 20 files; "
                                         "3 errors, 30 warnings, 63 notes")


def test_every_imported_article_passes_kb_validate(imported: Imported, capsys: pytest.CaptureFixture[str]) -> None:
    """The acceptance test: `kb validate` on the content root with the imported articles: 0 errors."""
    capsys.readouterr()
    code = main(["validate", "--root", str(imported.root), "--today", TODAY.isoformat(), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["errors"]) == (0, 0), report["diagnostics"]
    assert report["files"] == 3 + 1 + 16  # tiny's 3 articles and 1 protocol, plus the imported ones
    result = validate_tree(imported.root, TODAY)
    ids = {a.path: a.id for a in result.catalog.articles}
    for source, (status, path) in EXPECTED.items():
        if status == "imported":
            assert ids[f"kb/{path}"] == Path(path).stem, source


def test_source_folder_is_byte_for_byte_unchanged(imported: Imported, tmp_path: Path) -> None:
    assert tree_digest(HELPCENTER) == imported.source_digest_before
    root = content_root(tmp_path / "root")  # and again through every mode of the command
    for extra in (["--dry-run"], [], ["--force"]):
        main(["import", str(HELPCENTER), "--root", str(root), "--today", TODAY.isoformat(), *extra])
    assert tree_digest(HELPCENTER) == imported.source_digest_before


def test_report_lists_what_could_not_be_mapped(imported: Imported) -> None:
    lines = imported.result.lines()
    for expected in [
        "freshdesk/impresora-no-imprime.md:13:1: warning: [unmapped-key] art_type: no field of ours takes this key "
        "(value 1); not imported. Map it under fields: in the mapping file, or to ignore",
        "freshdesk/impresora-no-imprime.md:16:1: warning: [missing-section] a solution needs ## Prevención, which "
        "the source does not have: imported as a guide (its fix under '## Pasos'); write them and set type: "
        "solution",
        "misc/frances.md:3:9: error: [unsupported-language] locale: expected a locale of es or en, found 'fr-FR'; "
        "map it under languages: in the mapping file. Not imported",
        "misc/front-matter-roto.md:3:1: error: [front-matter] title: expected each key once, found 'title' again "
        "(first on line 2): not imported",
        "misc/sin-titulo.md:1:1: error: [no-title] expected a title (front matter title or name, or a first '# ' "
        "heading), found none: not imported",
        "misc/phishing.md:12:1: warning: [unsafe-html] the event handler onerror= on <img> removed",
        "misc/phishing.md:14:1: warning: [unsafe-html] <script> removed with its content",
        "misc/phishing.md:25:36: warning: [unsafe-link] a javascript: link removed",
        "misc/phishing.md:28:1: warning: [unsafe-html] <iframe> (source https://www.youtube.com/embed/abc123) removed",
        "misc/phishing.md:32:1: warning: [unsafe-link] an embedded data: image removed",
        "misc/seccion-reservada.md:21:1: warning: [missing-image] image '../images/no-existe.png' does not exist: "
        "only its text was kept",
        "misc/seccion-reservada.md:3:10: warning: [bad-area] area: 'Search' cannot be an area (it is one of the "
        "site's own sections); used 'general'",
        "misc/seccion-reservada.md:4:7: warning: [future-date] date: 2030-01-01 is after today: reviewed is today",
        "misc/disco-lleno.md:8:12: warning: [unknown-protocol] protocols: no protocol protocolo-inexistente in "
        "protocols/: left out",
        "misc/wifi-contrasena-latin1.md:2:1: warning: [encoding] expected UTF-8, found the byte 0xf1; read the file "
        "as Windows-1252: check accents and symbols",
        "jekyll/_posts/2022-11-03-configurar-correo-movil.md:15:26: warning: [template-tag] template syntax "
        "'{{ site.soporte_telefono }}' is shown as text on our site; replace it with its content",
        "zendesk/es/360001111-la-vpn-no-conecta-error-809.md:49:1: warning: [broken-link] link target "
        "'360009999-vpn-l2tp-retirado.md' does not exist: only its text was kept",
    ]:
        assert expected in lines
    notes = imported.result.lines(levels=("info",))
    assert "freshdesk/borrador-wifi.md:4:1: info: [skipped-by-rule] status: draft matches the mapping's skip rule: " \
           "not imported" in notes
    assert "images/sin-usar.png:1:1: info: [not-imported-file] not a Markdown article and not linked from one: " \
           "left out" in notes


def test_json_and_markdown_reports(imported: Imported) -> None:
    data = json.loads((imported.root / "import-report.json").read_text(encoding="utf-8"))
    assert data["summary"] == imported.result.counts()
    assert data["summary"]["imported"] == 16
    assert {a["source"]: a["status"] for a in data["articles"]} == {k: v[0] for k, v in EXPECTED.items()}
    assert len(data["findings"]) == len(imported.result.findings)
    assert set(data["findings"][0]) == {"source", "line", "col", "level", "code", "message", "key"}
    md = (imported.root / "import-report.md").read_text(encoding="utf-8")
    assert md.startswith(f"# Import report: {HELPCENTER}\n")
    assert "| warning | unsafe-html | 8 |" in md
    assert "## `misc/sin-titulo.md`: failed" in md
    assert "- `misc/phishing.md:14:1` **warning** `unsafe-html` &lt;script> removed with its content" in md


def test_front_matter_is_mapped(imported: Imported) -> None:
    es = front(imported.article("zendesk/es/360001111-la-vpn-no-conecta-error-809.md"))
    assert es == {
        "id": "la-vpn-no-conecta-error-809", "title": "La VPN no conecta: error 809", "type": "guide",
        "audience": "end-user",
        "symptoms": ["La VPN se queda conectando y da error 809", "No puedo conectar la VPN desde casa"],
        "cause": "El router de casa o la red del hotel bloquea los puertos UDP 500 y 4500 que usa la VPN IKEv2. "
                 "Pasa sobre todo en redes de invitados y con routers antiguos.",
        "tags": ["vpn", "conexión remota", "error-809"], "owner": "equipo-redes",
        "reviewed": "2024-05-18", "review_every_days": 180, "lang": "es"}
    en = front(imported.article("zendesk/en-us/360001111-vpn-does-not-connect-error-809.md"))
    assert (en["lang"], en["translation_of"]) == ("en", "la-vpn-no-conecta-error-809")
    printer = front(imported.article("freshdesk/impresora-no-imprime.md"))
    assert printer["summary"] == "Qué hacer cuando los trabajos se quedan en la cola y la impresora no imprime."
    assert (printer["owner"], printer["reviewed"]) == ("equipo-puesto", "2024-03-14")  # 14/03/2024 in the source
    assert printer["tags"] == ["impresoras", "cola de impresión", "spooler"]
    scanner = front(imported.article("misc/scanner-email-crlf.md"))
    assert (scanner["title"], scanner["lang"], scanner["reviewed"], scanner["tags"]) == (
        'Scanner: "Scan to email" fails', "en", "2024-03-04", ["printer", "scanner"])
    disk = front(imported.article("misc/disco-lleno.md"))
    assert (disk["audience"], disk["products"], disk["protocols"]) == ("technician", ["Windows 11"], ["sin-conexion"])
    guide = front(imported.article("docusaurus/instalar-vpn-windows.md"))
    assert (guide["id"], guide["type"]) == ("instalar-cliente-vpn", "guide")
    assert front(imported.article("misc/phishing.md"))["audience"] == "technician"
    assert imported.article("hugo/ordenador-lento.md").startswith("---\n# kb import: hugo/ordenador-lento.md\n")


def test_sections_are_renamed_and_never_invented(imported: Imported) -> None:
    """A solution without Prevención in the source is imported as a guide: its fix is the Pasos, the page
    shows what the source had, and no "to be completed" text is published."""
    es = imported.article("zendesk/es/360001111-la-vpn-no-conecta-error-809.md")
    assert re.findall(r"^## .*", es, re.M) == ["## Síntomas", "## Causa", "## Pasos"]
    assert "Pendiente de completar" not in es and "Prevención" not in es
    assert '!!! note "Nota"\n    Si el error persiste con SSL' in es
    assert "[Restablecer la contraseña](../cuentas/como-restablecer-su-contrasena-desde-el-portal.md)" in es
    assert "\nel artículo antiguo sobre L2TP." in es  # the link to an article that was not exported
    guide = imported.article("jekyll/_posts/2022-11-03-configurar-correo-movil.md")
    assert re.findall(r"^##+ .*", guide, re.M) == ["## Pasos", "### Android", "### iPhone"]
    assert "{% raw %}" not in guide and "# Configurar el correo" not in guide
    teams = imported.article("confluence/Teams-camara-negra.md")  # setext headings, Confluence macro
    assert re.findall(r"^## .*", teams, re.M) == ["## Síntomas", "## Causa", "## Solución", "## Prevención"]
    assert "Pendiente de completar" not in teams  # every section was in the source: still a solution
    assert '!!! warning "Importante"\n    No desinstale' in teams and "ac:" not in teams
    lonely = imported.article("misc/cable-suelto.md")
    assert re.findall(r"^## .*", lonely, re.M) == ["## Causa", "## Pasos"]
    assert "## Causa\n\nEl conector RJ45 no encaja bien en el puerto.\n" in lonely  # from the front matter


def test_callouts_become_admonitions(imported: Imported) -> None:
    assert '!!! tip "Consejo"\n    Use una frase' in imported.article("zendesk/es/360002222-restablecer-contrasena.md")
    docu = imported.article("docusaurus/instalar-vpn-windows.md")
    assert '!!! tip "Antes de empezar"\n    Necesita permisos' in docu
    assert '!!! danger "Peligro"\n    No instale' in docu
    gitbook = imported.article("gitbook/cuenta-bloqueada.md")
    assert '!!! warning "Advertencia"\n    El bloqueo dura 30 minutos.' in gitbook
    assert '!!! info "Información"\n    Cuando cambie' in gitbook
    disk = imported.article("misc/disco-lleno.md")
    assert '!!! warning "Warning"\n    Do not delete files' in disk and '!!! note "Note"\n    The technician' in disk


def test_code_is_never_touched(imported: Imported) -> None:
    disk = imported.article("misc/disco-lleno.md")
    assert ("```powershell\n# This is a comment, not a heading\ncleanmgr /sageset:1\n"
            "<script>this is code, not HTML</script>\n```") in disk
    assert "    dir C:\\Users /s <not-a-tag>\n" in disk
    assert "msiexec /i VPNClient-x64.msi /qn <no-es-html>" in imported.article("docusaurus/instalar-vpn-windows.md")


def test_unsafe_html_is_removed_safe_html_kept(imported: Imported) -> None:
    text = imported.article("misc/phishing.md")
    for bad in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<iframe", "<form", "<input",
                "data:image", "<!--"):
        assert bad not in text, bad
    assert "<div>No haga clic en ningún enlace del correo.</div>" in text
    assert "Nunca use enlaces como Verificar cuenta ni" in text
    outlook = imported.article("confluence/Outlook keeps asking for password.md")
    assert '<tr><td>Outlook 2016</td><td colspan="1">File &gt; Account Settings</td></tr>' in outlook
    assert "class=" not in outlook
    assert "<kbd>Ctrl</kbd>+<kbd>Mayús</kbd>" in imported.article("hugo/ordenador-lento.md")


def test_images_and_attachments_are_copied(imported: Imported) -> None:
    kb = imported.root / "kb"
    copies = {
        "vpn/img/la-vpn-no-conecta-error-809/vpn-error-809.png": "images/vpn-error-809.png",
        "correo/img/outlook-keeps-asking-for-my-password/outlook-credenciales.png":
            "confluence/attachments/outlook-credenciales.png",
        "correo/img/outlook-keeps-asking-for-my-password/guia-outlook.pdf": "confluence/attachments/guia-outlook.pdf",
    }
    for new, old in copies.items():
        assert (kb / new).read_bytes() == (HELPCENTER / old).read_bytes()
    assert "![Mensaje de error 809 en Windows](img/la-vpn-no-conecta-error-809/vpn-error-809.png)" in \
        imported.article("zendesk/es/360001111-la-vpn-no-conecta-error-809.md")
    assert "*(imagen no disponible: Buscador vacío)*" in imported.article("misc/seccion-reservada.md")
    assert not list(kb.rglob("sin-usar.png"))


def test_dry_run_writes_only_the_report(tmp_path: Path) -> None:
    root = content_root(tmp_path / "root")
    before = tree_digest(root / "kb")
    result = import_folder(ImportOptions(source=HELPCENTER, root=root, dry_run=True, today=TODAY,
                                         report=tmp_path / "r.md"))
    assert tree_digest(root / "kb") == before
    assert result.counts()["would-import"] == 16
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.md", "root"]


def test_existing_files_are_kept_unless_force(imported: Imported, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(imported.root, root)
    target = root / "kb" / "vpn" / "la-vpn-no-conecta-error-809.md"
    edited = target.read_text(encoding="utf-8") + "\nEdited by a maintainer.\n"
    target.write_text(edited, encoding="utf-8")
    again = import_folder(ImportOptions(source=HELPCENTER, root=root, today=TODAY))
    assert again.counts()["exists"] == 16 and again.counts()["imported"] == 0  # same ids: no "-2" copies
    assert target.read_text(encoding="utf-8") == edited
    assert not list((root / "kb").rglob("*-2-2.md"))
    forced = import_folder(ImportOptions(source=HELPCENTER, root=root, today=TODAY, force=True))
    assert forced.counts()["imported"] == 16
    assert target.read_text(encoding="utf-8") == imported.article("zendesk/es/360001111-la-vpn-no-conecta-error-809.md")
    # A file without the importer's provenance line belongs to a person: the import takes a new id.
    target.write_text(edited.replace("# kb import: ", "# "), encoding="utf-8")
    third = import_folder(ImportOptions(source=HELPCENTER, root=root, today=TODAY, force=True))
    assert (root / "kb/vpn/la-vpn-no-conecta-error-809-2.md").is_file()
    assert target.read_text(encoding="utf-8") == edited.replace("# kb import: ", "# ")
    assert third.counts()["imported"] == 16


def test_hand_written_article_keeps_its_id(imported: Imported) -> None:
    """tiny's kb/red/cable-suelto.md is untouched; the imported 'Cable suelto' becomes cable-suelto-2."""
    assert (imported.root / "kb/red/cable-suelto.md").read_bytes() == \
        (Path(__file__).parent.parent / "fixtures/tiny/kb/red/cable-suelto.md").read_bytes()
    assert "misc/cable-suelto.md:1:1: info: [id-changed] id: id 'cable-suelto' is taken: the article is " \
           "'cable-suelto-2'" in imported.result.lines(levels=("info",))


def test_out_folder(tmp_path: Path) -> None:
    root = content_root(tmp_path / "root")
    result = import_folder(ImportOptions(source=HELPCENTER, root=root, out=tmp_path / "staging", today=TODAY))
    assert result.counts()["imported"] == 16
    assert (tmp_path / "staging/vpn/la-vpn-no-conecta-error-809.md").is_file()
    assert not (root / "kb/vpn").exists()


def test_cli_import(tmp_path: Path, kb_command: list[str]) -> None:
    root = content_root(tmp_path / "root")
    done = subprocess.run([*kb_command, "import", str(HELPCENTER), "--root", str(root), "--today",
                           TODAY.isoformat(), "--report", str(tmp_path / "informe.md")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # three articles could not be imported
    out = done.stdout.splitlines()
    assert out[-2] == ("16 imported, 0 already there, 1 skipped, 3 failed of 20 files; 3 errors, 30 warnings, "
                       "63 notes")
    assert out[-1] == f"report: {tmp_path / 'informe.md'} (and informe.json)"
    assert f"{HELPCENTER}/misc/sin-titulo.md:1:1: error: [no-title] expected a title" in done.stdout
    assert (tmp_path / "informe.json").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "{src}/out"], "is inside the imported folder"),
    (["--report", "{src}/informe.md"], "is inside the imported folder"),
])
def test_writing_into_the_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                            message: str) -> None:
    src = tmp_path / "src"
    shutil.copytree(HELPCENTER / "gitbook", src)
    root = content_root(tmp_path / "root")
    code = main(["import", str(src), "--root", str(root), *(a.format(src=src) for a in args)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in src.iterdir()) == ["cuenta-bloqueada.md"]


def test_missing_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "nada"), "--root", str(tmp_path)]) == 2
    assert "expected a folder of Markdown articles, found nothing at" in capsys.readouterr().err


def test_bad_mapping_file_is_reported_with_positions(tmp_path: Path) -> None:
    bad = tmp_path / "map.yml"
    bad.write_text("feilds:\n  name: title\nfields:\n  label_names: etiquetas\nsections:\n  Solucion: [Fix]\n"
                   "type_rules:\n  - {field: title, match: '(', type: guide}\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        import_folder(ImportOptions(source=HELPCENTER, root=content_root(tmp_path / "root"), mapping=bad))
    assert [d.format() for d in err.value.diagnostics] == [
        f"{bad.as_posix()}:1:1: feilds: expected a known key, found unknown key 'feilds'; did you mean 'fields'?",
        f"{bad.as_posix()}:4:16: fields.label_names: expected one of 'title', 'id', 'source_id', 'summary', 'lang', "
        "'tags', 'symptoms', 'cause', 'products', 'area', 'type', 'audience', 'owner', 'author', 'reviewed', "
        "'review_every_days', 'protocols', 'translation_key' or 'ignore', found 'etiquetas'",
    ]
    bad.write_text("sections:\n  Solucion: [Fix]\ntype_rules:\n  - {field: title, match: '(', type: guide}\n",
                   encoding="utf-8")
    with pytest.raises(ContentError) as err:
        import_folder(ImportOptions(source=HELPCENTER, root=content_root(tmp_path / "root2"), mapping=bad))
    assert [d.format() for d in err.value.diagnostics] == [
        f"{bad.as_posix()}:2:3: sections.Solucion: expected one of our section headings, found 'Solucion'; "
        "did you mean 'Solución'?",
        f"{bad.as_posix()}:4:27: type_rules[0].match: expected a regular expression, found '(' "
        "(missing ), unterminated subpattern at position 0)",
    ]


def test_mapping_file_uses_the_hardened_loader(tmp_path: Path) -> None:
    bad = tmp_path / "map.yml"
    bad.write_text("default_owner: &o equipo\nareas:\n  x: *o\n", encoding="utf-8")
    with pytest.raises(ContentError, match="anchors and aliases are not allowed"):
        import_folder(ImportOptions(source=HELPCENTER, root=content_root(tmp_path / "root"), mapping=bad))
