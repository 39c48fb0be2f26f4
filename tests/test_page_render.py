"""KbPage and Rendered (generator/mkdocs/page.py): a page's render as JSON data, applied without Markdown."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from generator.mkdocs.page import KbPage, Rendered, nav_titles

SOURCE = "# Título\n\n## Uno {#uno}\n\nVea [dos](dos.md#falta), [tres](tres.md) y [uno](#uno).\n"


def config(tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir(exist_ok=True)
    cfg = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    cfg.load_dict({"site_name": "t", "docs_dir": str(tmp_path / "docs"), "site_dir": str(tmp_path / "site"),
                   "markdown_extensions": ["toc", "attr_list"]})
    errors, _ = cfg.validate()
    assert errors == []
    return cfg


def source_file(cfg: MkDocsConfig, src: str, text: str) -> File:
    Path(cfg.docs_dir, src).write_text(text, encoding="utf-8")
    return File(src, cfg.docs_dir, cfg.site_dir, cfg.use_directory_urls)


def page(cfg: MkDocsConfig) -> tuple[KbPage, Files]:
    files = Files([source_file(cfg, "uno.md", SOURCE), source_file(cfg, "dos.md", "# Dos\n")])
    one = KbPage(None, files.get_file_from_path("uno.md"), cfg)
    one.read_source(cfg)
    return one, files


def test_a_render_applied_from_json_is_the_render(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = config(tmp_path)
    first, files = page(cfg)
    with caplog.at_level(logging.WARNING):
        first.render(cfg, files)
    assert first.finish(first.content or "") == first.content
    rendered = first.rendered
    assert rendered is not None and not first.applied
    emitted = [r.getMessage() for r in caplog.records]
    assert any("'tres.md'" in m for m in emitted)
    assert rendered.lookups == {"dos.md": "dos.md", "tres.md": None, "uno/tres.md": None}  # and the guesses
    assert rendered.links_to_anchors == {"dos.md": {"falta": "dos.md#falta"}, "uno.md": {"uno": "#uno"}}

    again = Rendered.from_json(json.loads(json.dumps(rendered.to_json())))
    assert again == rendered
    second, files2 = page(cfg)
    second.rendered = again
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        second.render(cfg, files2)
    assert second.applied
    assert [r.getMessage() for r in caplog.records] == emitted  # replayed: --strict fails the same way
    assert (second.content, second.title, second.present_anchor_ids) == (first.content, "Título",
                                                                           first.present_anchor_ids)
    assert [a.id for a in second.toc] == [a.id for a in first.toc]
    assert {f.src_uri: v for f, v in (second.links_to_anchors or {}).items()} == rendered.links_to_anchors


def test_a_stale_render_is_not_applied(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    first, files = page(cfg)
    first.render(cfg, files)
    first.finish("<p>sanitised</p>")
    assert first.rendered is not None
    second, files2 = page(cfg)
    second.rendered = first.rendered
    second.markdown = (second.markdown or "") + "\nMás.\n"  # another plugin changed the Markdown
    second.render(cfg, files2)
    assert not second.applied and "Más." in (second.content or "")
    third, files3 = page(cfg)
    files3.append(source_file(cfg, "tres.md", "# Tres\n"))  # a lookup finds something else now
    third.rendered = first.rendered
    third.render(cfg, files3)
    assert not third.applied


@pytest.mark.parametrize("data", [{}, {"content": 1}, {**Rendered("h", "c", [], None, [], {}, {}, []).to_json(),
                                                          "content": 3}])
def test_foreign_json_is_refused(data: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        Rendered.from_json(data)


def test_nav_titles() -> None:
    nav = [{"Inicio": "index.md"}, "a.md", {"Sección": [{"B": "/b.md"}, {"Otra": "index.md"}]}]
    assert nav_titles(nav) == {"index.md": "Inicio", "b.md": "B"}


@pytest.mark.parametrize("text", [
    SOURCE,
    '# T\n\n<a name="aqui"></a>\n\n<div markdown id="caja">\n\nTexto *x*.\n\n</div>\n\nUna medida id en el texto.\n',
    "Sin título, <IPAddress> y `<code id=\"no\">`.\n\n## Dos\n\n[uno](uno.md#aqui)\n",
])
def test_kb_page_renders_as_mkdocs_page(tmp_path: Path, text: str) -> None:
    """One reused Markdown instance (and the skipped raw-HTML scan) give what MkDocs' Page.render gives."""
    from mkdocs.structure.pages import Page

    cfg = config(tmp_path)
    cfg.markdown_extensions.append("md_in_html")
    files = Files([source_file(cfg, "uno.md", text), source_file(cfg, "dos.md", "# Dos\n")])
    ours, theirs = [], []
    for _ in range(2):  # the second render reuses the instance
        kb_page = KbPage(None, files.get_file_from_path("uno.md"), cfg)
        kb_page.read_source(cfg)
        kb_page.render(cfg, files)
        ours.append((kb_page.content, kb_page.title, kb_page.present_anchor_ids, [a.id for a in kb_page.toc]))
        page = Page(None, files.get_file_from_path("uno.md"), cfg)
        page.read_source(cfg)
        page.render(cfg, files)
        theirs.append((page.content, page.title, page.present_anchor_ids, [a.id for a in page.toc]))
    assert ours == theirs
