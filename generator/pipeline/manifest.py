"""Reads the site manifest a build wrote (generator/model/manifest.py; the file name is layout's)."""

from __future__ import annotations

import logging
from pathlib import Path

from generator.layout import MANIFEST
from generator.model.manifest import Manifest

log = logging.getLogger("kb.manifest")


def read_manifest(site: Path) -> Manifest | None:
    """The manifest of the site built in ``site``; None (with a warning) when there is none or it is broken."""
    path = site / MANIFEST
    if not path.is_file():
        log.warning("no %s in %s: event ids of articles and protocols are not checked", MANIFEST, site)
        return None
    try:
        return Manifest.parse(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        log.warning("%s: %s", path, exc)
        return None
