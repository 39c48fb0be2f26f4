"""The engine's side of the live preview (generator/preview.py): one full build that keeps MkDocs'
state (configuration, files, navigation, template environment and the kb plugin), then MkDocs'
page pipeline for single pages.

The page pipeline is rebuilt from MkDocs' public API (``Page.read_source``, ``Page.render``,
``Page.validate_anchor_links``, ``get_context``, the plugins' page events, ``File.copy_file``):
no copy of ``mkdocs.commands.build._populate_page`` / ``_build_page``. The one private piece it
depends on is ``MkDocsConfig._current_page`` (declared on the config class in MkDocs 1.6): MkDocs
sets it around each page, and the ``!relative`` YAML tag of mkdocs.yml (``mkdocs/utils/yaml.py``)
reads it to resolve paths relative to the page being built; we set it the same way so a
Markdown extension configured with ``!relative`` behaves as in a full build.

MkDocs only: ProperDocs runs in a subprocess (generator/mkdocs/build.py), so the live preview
(`kb serve --watch`) builds with MkDocs in this process (docs/architecture.md says which feature
needs which engine).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.mkdocs.build import build_into, hand_off, kb_plugin, load, setup_logging, use_data_dir
from generator.model.validate import ValidationResult


class LiveSite:
    """A site built once with MkDocs whose pages can be rebuilt one at a time."""

    def __init__(self, config: Any, plugin: Any, site: Path) -> None:
        self.config = config
        self.plugin = plugin  # KbPlugin: catalog, renderer, generated pages, search (our objects)
        self.site = site

    @classmethod
    def build(cls, config_file: Path, result: ValidationResult, site: Path | None = None,
              data_dir: Path | None = None) -> LiveSite:
        """A full build of ``config_file`` with the validated ``result``, into ``site`` (default: the
        configured site_dir), swapped in whole. Raises ContentError."""
        setup_logging()
        config = load(config_file)
        plugin = kb_plugin(config, config_file.name)
        plugin.preview = True
        hand_off(config, result)
        use_data_dir(config, data_dir)
        target = site or Path(config.site_dir).resolve()
        build_into(config, target, config_file.name)
        config.site_dir = str(target)
        for f in plugin.files:  # where each file goes: now the swapped-in folder (File's documented override)
            f.abs_dest_path = os.path.normpath(os.path.join(target, f.dest_uri))
        if plugin.search_build is not None:
            plugin.search_build.start_live(target)
        return cls(config, plugin, target)

    @property
    def directory_urls(self) -> bool:
        return bool(self.config.use_directory_urls)

    @property
    def theme_dirs(self) -> list[Path]:
        return [Path(d) for d in self.config.theme.dirs]

    def page_count(self) -> int:
        return len(self.plugin.files.documentation_pages())

    def is_source(self, path: Path) -> bool:
        """Whether ``path`` is one of the files the site was built from."""
        return any(f.abs_src_path and Path(f.abs_src_path) == path for f in self.plugin.files)

    def copy_assets(self, wanted: set[Path]) -> int:
        """Copy the site's static files whose sources are in ``wanted`` (resolved paths) again."""
        n = 0
        for f in self.plugin.files:
            if f.abs_src_path and Path(f.abs_src_path).resolve() in wanted and Path(f.abs_src_path).is_file():
                f.copy_file()
                n += 1
        return n

    def rebuild(self, srcs: Iterable[str], markdown: dict[str, str]) -> int:
        """Run MkDocs' page pipeline for the pages ``srcs`` (generated ones get their new ``markdown``)."""
        config, files = self.config, self.plugin.files
        built = []
        for src in sorted(srcs):
            file = files.get_file_from_path(src)
            if file is None or file.page is None:
                continue
            if src in markdown:
                file.content_string = markdown[src]
            _populate(file.page, config, files)
            built.append(file.page)
        doc_files = files.documentation_pages()
        for page in built:
            _write(page, config, doc_files, self.plugin.nav, self.plugin.env)
        for page in built:
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        return len(built)


def _populate(page: Any, config: Any, files: Any) -> None:
    """Read and render one page with the plugins' page events, as a full build does."""
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
        page.render(config, files)
        page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
    finally:
        config._current_page = None


def _write(page: Any, config: Any, doc_files: Any, nav: Any, env: Any) -> None:
    """Render one page's template and write it atomically: the server may be sending the old
    version to a browser at that very moment."""
    from mkdocs.commands.build import get_context

    config._current_page = page
    try:
        page.active = True
        context = get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        output = config.plugins.on_post_page(template.render(context), page=page, config=config)
        if output.strip():
            target = Path(page.file.abs_dest_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.kb-tmp")
            tmp.write_bytes(output.encode("utf-8", errors="xmlcharrefreplace"))
            os.replace(tmp, target)
    finally:
        page.active = False
        config._current_page = None
