"""Import fidelity for the formats real help centres use: one small fixture per problem class.

Each fixture is a help-centre folder of one or two articles written here (DocFX / Microsoft Learn,
GitHub, help-centre exports). The article is imported, its body rendered with the site's Markdown
extensions, and the visible text must show what the source meant: no ``:::``, ``[!NOTE]``,
``-->``, backslash escapes or "to be completed" text; every loss is reported with ``path:line``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import markdown  # type: ignore[import-untyped]
from bs4 import BeautifulSoup

from generator.importer import ImportOptions, ImportResult, import_folder
from generator.importer.convert import make_id
from generator.render.runner import EXTENSIONS
from tests.importer.conftest import content_root

TODAY = date(2026, 11, 23)
FRONT = "---\ntitle: {title}\nms.date: 03/04/2024\nlocale: en-us\n---\n\n"
# A complete solution, so that the article keeps its type and only the class under test differs.
BODY = """## Symptoms

Outlook shows an error when it starts.

## Cause

The profile is damaged.

## Resolution

{resolution}

## Prevention

Keep a backup of the profile.
"""
ARTIFACTS = re.compile(r":::|\[!(?:INCLUDE|NOTE|TIP|IMPORTANT|WARNING|CAUTION)|-->|<!--|\\[-<>:]|"
                       r"To be completed|Pendiente de completar")


class Done:
    def __init__(self, root: Path, result: ImportResult) -> None:
        self.root, self.result = root, result

    def text(self, source: str = "a.md") -> str:
        outcome = next(o for o in self.result.outcomes if o.source == source)
        assert outcome.status == "imported", self.result.lines()
        return (self.root / "kb" / outcome.path).read_text(encoding="utf-8")

    def html(self, source: str = "a.md") -> BeautifulSoup:
        body = self.text(source).split("\n---\n", 1)[1]
        return BeautifulSoup(markdown.markdown(body, extensions=EXTENSIONS), "html.parser")

    def visible(self, source: str = "a.md") -> str:
        return self.html(source).get_text(" ")

    def findings(self, code: str) -> list[str]:
        return [ln for ln in self.result.lines(levels=("error", "warning", "info")) if f"[{code}]" in ln]


def run(tmp_path: Path, files: dict[str, str], mapping: str | None = None) -> Done:
    source = tmp_path / "export"
    for rel, text in files.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text, encoding="utf-8")
    if mapping is not None:
        (source / "import-map.yml").write_text(mapping, encoding="utf-8")
    root = content_root(tmp_path / "root")
    return Done(root, import_folder(ImportOptions(source=source, root=root, today=TODAY)))


def article(resolution: str, title: str = "Outlook does not start") -> str:
    return FRONT.format(title=title) + BODY.format(resolution=resolution)


def test_docfx_image_keeps_alt_text_and_the_list_after_it(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article(
        "1. Open **Control Panel**.\n"
        '   :::image type="content" source="media/a/panel.png" alt-text="Screenshot of Control Panel.":::\n'
        "2. Select **Mail**.\n"
        '   :::image type="content" source="media/a/mail.png"\n'
        '   alt-text="Screenshot of the Mail dialog." border="false":::\n'
        "3. Select **Show Profiles**.\n"), "a/media/x.txt": ""})
    page = done.html()
    assert [li.get_text(" ", strip=True).split(" (")[0] for li in page.select("ol > li")] == [
        "Open Control Panel .", "Select Mail .", "Select Show Profiles ."]
    assert "Screenshot of Control Panel." in page.select("ol > li")[0].get_text()
    assert "Screenshot of the Mail dialog." in page.select("ol > li")[1].get_text()
    assert not ARTIFACTS.search(done.visible())
    assert any("a.md:18:" in ln and "media/a/panel.png" in ln for ln in done.findings("missing-image"))


def test_docfx_image_found_becomes_an_img_with_alt(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article(':::image type="content" source="media/p.png" alt-text="The dialog.":::'),
                          "media/p.png": "png"})
    img = done.html().select_one("img")
    assert img is not None and img["alt"] == "The dialog." and str(img["src"]).startswith("img/")


def test_include_is_resolved_from_the_source_folder_or_reported(tmp_path: Path) -> None:
    done = run(tmp_path, {
        "docs/a.md": article("[!INCLUDE [Registry alert](../includes/registry.md)]\n\n"
                             "[!INCLUDE [Gone](../includes/missing.md)]\n\nRestart Outlook."),
        "includes/registry.md": "---\nms.topic: include\n---\n\n> [!IMPORTANT]\n> Back up the registry first.\n"})
    visible = done.visible("docs/a.md")
    assert "Back up the registry first." in visible and "Restart Outlook." in visible
    assert [t.get_text() for t in done.html("docs/a.md").select(".admonition-title")] == ["Important"]
    assert not ARTIFACTS.search(visible)
    assert any(ln.startswith("docs/a.md:19:1: warning: [missing-include]") and "../includes/missing.md" in ln
               for ln in done.result.lines())
    assert {o.source: o.status for o in done.result.outcomes}["includes/registry.md"] == "skipped"


def test_note_inside_a_list_step_stays_in_the_step(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article(
        "1. Exit Outlook.\n2. Open the subkey:\n\n   `HKEY_CURRENT_USER\\Software`\n\n"
        "    > [!NOTE]\n    > The **x.0** placeholder is your version.\n\n3. Delete **TCOTrace**.\n")})
    page = done.html()
    steps = page.select("ol > li")
    assert len(steps) == 3 and len(page.select("ol")) == 1
    note = steps[1].select_one(".admonition.note")
    assert note is not None and "placeholder is your version" in note.get_text()
    assert not ARTIFACTS.search(done.visible())


def test_github_alerts_become_admonitions(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article("> [!WARNING]\n> Do not delete the OST file.\n\n"
                                          "- Start in safe mode:\n\n  > [!Tip]\n  > Hold Ctrl.\n\n"
                                          "- Repair the file.\n\n> [!CAUTION]\n> Data loss.\n")})
    page = done.html()
    assert page.select_one("ul > li .admonition.tip") is not None and len(page.select("ul > li")) == 2
    assert [(d["class"][1], d.select_one(".admonition-title").get_text()) for d in page.select(".admonition")] == [
        ("warning", "Warning"), ("tip", "Tip"), ("warning", "Caution")]
    assert not ARTIFACTS.search(done.visible())


def test_emoji_callouts_become_admonitions(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": FRONT.format(title="Cómo exportar pedidos").replace("en-us", "es") + (
        "## Pasos\n\n1. Abra el módulo de pedidos.\n\n>ℹ️ Solo el usuario titular puede exportar.\n\n"
        "> ⚠️ **OBS:** la exportación no incluye pedidos cancelados.\n\n> ❗ No comparta el archivo.\n")})
    page = done.html()
    kinds = [(d["class"][1], d.select_one(".admonition-title").get_text()) for d in page.select(".admonition")]
    assert kinds == [("info", "Información"), ("warning", "OBS"), ("danger", "Peligro")]
    assert "ℹ️" not in done.visible() and page.select("blockquote") == []


def test_html_comments_are_removed_whole(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article("<!--- Editor: check this with the\n\nExchange team --->\n"
                                          "Run the repair tool. <!-- inline -->Then restart.")})
    text = done.text()
    assert "Exchange team" not in text and "-->" not in text and "inline" not in text
    assert "Run the repair tool. Then restart." in done.visible()


def test_two_space_hard_breaks_are_kept(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article("Key: `HKEY_CURRENT_USER\\Software`  \nDWORD: TCOTrace  \nValue: 1\n")})
    paragraph = next(p for p in done.html().select("p") if "DWORD" in p.get_text())
    assert len(paragraph.select("br")) == 2


def test_markdown_escapes_are_not_visible(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": FRONT.format(title="Error \\- 0x800 when you sync") + BODY.format(
        resolution="Type \\<yes\\> and press Enter\\: the file \\- if any \\- is removed.\n")})
    visible = done.visible()
    assert "Type <yes> and press Enter: the file - if any - is removed." in " ".join(visible.split())
    assert not ARTIFACTS.search(visible)
    assert "\\" not in done.text().split("\n---\n")[0]  # title and symptoms: plain text


def test_angle_bracket_placeholders_stay_visible(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article("Run `ping \\<IPAddress>` or ping \\<IPAddress or Hostname> to test.\n\n"
                                          "Set the value to <integer value in minutes> and keep <b>bold</b>.\n")})
    visible = " ".join(done.visible().split())
    assert "ping <IPAddress>" in visible and "ping <IPAddress or Hostname> to test" in visible
    assert "Set the value to <integer value in minutes> and keep bold." in done.html().get_text()
    assert done.html().select_one("b") is not None


def test_sloppy_front_matter_is_recovered_with_a_warning(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": '---\ntitle: "Server Busy" error message when you open a file\nlocale: en-us\n'
                                  "---\n\n" + BODY.format(resolution="Wait and retry.")})
    assert '"\\"Server Busy\\" error message when you open a file"' in done.text()
    assert [ln.split(": warning")[0] for ln in done.findings("front-matter-recovered")] == ["a.md:2:1"]


def test_ids_keep_words_whole() -> None:
    assert make_id("Outlook can't connect to Exchange") == "outlook-cant-connect-to-exchange"
    assert make_id("You don’t have permission") == "you-dont-have-permission"
    assert make_id("Outlook can't connect to Exchange through a proxy server or another network device") == \
        "outlook-cant-connect-to-exchange-through-a-proxy-server"
    assert make_id("Cannot open the shared calendar of a user on a different Exchange forest") == \
        "cannot-open-the-shared-calendar-of-a-user"


def test_apostrophe_id_on_import(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article("Retry.", title="Outlook can't open the doesn't-exist folder")})
    assert done.result.outcomes[0].id == "outlook-cant-open-the-doesnt-exist-folder"


def test_site_relative_links_go_to_the_imported_article_or_the_old_site(tmp_path: Path) -> None:
    mapping = "old_site_url: https://help.example.com\nskip: {}\n"
    done = run(tmp_path, {
        "outlook/a.md": article("See [the profile fix](/troubleshoot/outlook/b) and "
                                "[Connect-SPOService](/powershell/module/connect-sposervice)."),
        "outlook/b.md": article("Recreate the profile.", title="Outlook profile is damaged")}, mapping)
    page = done.html("outlook/a.md")
    hrefs = {a.get_text(): a["href"] for a in page.select("a")}
    assert hrefs == {"the profile fix": "outlook-profile-is-damaged.md",
                     "Connect-SPOService": "https://help.example.com/powershell/module/connect-sposervice"}
    assert any(ln.startswith("outlook/a.md:17:") for ln in done.findings("old-site-link"))


def test_site_relative_link_without_old_site_is_reported(tmp_path: Path) -> None:
    done = run(tmp_path, {"a.md": article("See [Set-SPOTenant](/powershell/module/set-spotenant).")})
    assert "See Set-SPOTenant." in done.visible()
    assert [ln.split(": warning")[0] for ln in done.findings("broken-link")] == ["a.md:17:5"]


def test_path_type_rule_matches_a_folder(tmp_path: Path) -> None:
    mapping = 'type_rules:\n  - {field: path, match: "^guias/", type: guide}\n'
    done = run(tmp_path, {"guias/a.md": article("Retry."), "b.md": article("Retry.", title="Other")}, mapping)
    assert {o.source: o.type for o in done.result.outcomes} == {"guias/a.md": "guide", "b.md": "solution"}
