"""The kb plugin's options (`plugins: - kb: {...}` in mkdocs.yml), declared once with a default and a
one-line doc each, and the folders the plugin adds to the theme."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from generator.content.sources import PROTOCOLS_DIR

THEME_DIR = Path(__file__).resolve().parent.parent.parent / "theme"
NEEDED_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "pymdownx.details", "toc")


class KbConfig(Config):
    protocols_dir = c.Type(str, default=PROTOCOLS_DIR)
    """Folder of the protocol YAML files, relative to mkdocs.yml."""
    nav = c.Type(bool, default=True)
    """Set a small section nav when mkdocs.yml has none (a full nav makes builds quadratic)."""
    home = c.Type(bool, default=True)
    """Generate the home page when the docs folder has no index.md."""
    offline = c.Type(bool, default=True)
    """No web fonts from a CDN: the site works offline and sends no request to third parties."""
    runner_max_age_days = c.Type(int, default=30)
    """The protocol runner clears runs kept in the browser (finished or not) after this many days."""
    events_endpoint = c.Type(str, default="/api/events")
    """Where the browser's event queue delivers (feedback, searches, runs); empty: keep events in the browser."""
    feedback = c.ListOfItems(c.Choice(("solution", "guide")), default=["solution", "guide"])
    """Article types that show the "did this solve your problem?" widget (hide it per page: `hide: [feedback]`)."""
    search = c.Type(bool, default=True)
    """Our search in the header (static index, server when up) instead of Material's lunr search; related articles."""
    search_endpoint = c.Type(str, default="/api/search")
    """Where the search box asks first (typos, synonyms); empty: static search only."""
    search_server_index = c.Type(bool, default=True)
    """Write the whoosh index that `kb serve` and `kb search` read, into the private data folder."""
    build_cache = c.Type(bool, default=True)
    """Reuse unchanged pages and search indexes from the data folder's cache/build/ (env KB_BUILD_CACHE=0: off)."""
    data_dir = c.Type(str, default=".kb-data")
    """The private data folder, relative to mkdocs.yml (env KB_DATA_DIR wins): never deployed with site/."""
    search_synonyms = c.ListOfItems(c.Type(str), default=[])
    """More synonym files, relative to mkdocs.yml, added to the built-in generator/search/synonyms.yml."""
    related_articles = c.Type(int, default=5)
    """How many related articles each article shows (0: none)."""
    service_worker = c.Type(bool, default=True)
    """Write sw.js: visited pages, searches and protocol runs work offline (docs/operations.md#offline)."""
    support = c.Type(dict, default={})
    """Support contacts shown to end users who need a person (docs/operations.md#support-contacts)."""
    register = c.Type(dict, default={})
    """How the site addresses the reader per language: ``{es: usted}`` (default) or ``{es: tú}``; English has
    none. The interface, the widgets and the lint's ``address`` rule follow it (docs/authoring.md)."""
    site_names = c.Type(dict, default={})
    """The site's name in other languages, e.g. ``{en: Technical support}``: the header of English pages."""
    html_embeds = c.Type(bool, default=False)
    """Keep <iframe>, <video> and <audio> (http/https sources) in Markdown; scripts and event handlers never stay."""
    render_workers = c.Optional(c.Type(int))
    """Processes rendering Markdown beside the build's own during `kb build` (unset: one per CPU beyond the
    first; 0: none, every page is rendered in the build's process). The output is the same either way."""
