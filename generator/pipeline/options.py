"""The kb plugin's options as the pipeline needs them, read from mkdocs.yml without the engine.

The hardened loader reads the file: a tag (``!!python/name:...``, which MkDocs configurations
may carry) or any other problem gives the defaults here; the build reports a bad mkdocs.yml.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from generator.content.yamlsafe import load
from generator.diagnostics import ContentError

DATA_DIR_ENV = "KB_DATA_DIR"
DEFAULT_DATA_DIR = ".kb-data"


def plugin_options(root: Path | None, config_file: Path | None = None) -> dict[str, Any]:
    """The options of the ``kb`` entry under ``plugins:`` of ``config_file`` (``root/mkdocs.yml``), or {}."""
    file = config_file or (root / "mkdocs.yml" if root is not None else None)
    try:
        located = load(file.read_text(encoding="utf-8-sig"), file.name) if file is not None else None
    except (OSError, UnicodeDecodeError, ContentError):
        located = None
    plugins = located.data.get("plugins") if located and isinstance(located.data, dict) else None
    for entry in plugins if isinstance(plugins, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("kb"), dict):
            return dict(entry["kb"])
    return {}


def data_folder(root: Path, configured: str = DEFAULT_DATA_DIR) -> Path:
    """The private data folder: ``KB_DATA_DIR`` (a build in another process), else the option, from the root."""
    return (root / (os.environ.get(DATA_DIR_ENV) or configured)).resolve()


def configured_data_folder(root: Path, config_file: Path | None = None) -> Path:
    """:func:`data_folder` with the ``data_dir`` option of mkdocs.yml (the default when absent or not a text)."""
    option = plugin_options(root, config_file).get("data_dir")
    return data_folder(root, option if isinstance(option, str) and option else DEFAULT_DATA_DIR)


def cache_folder(data: Path, name: str) -> Path:
    """Where the cache ``name`` lives in the private data folder ``data``."""
    return data / "cache" / name
