"""Fixtures for the search tests: the starter content's search indexes, built once per session."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.pipeline.validation import validate_tree
from generator.search.build import SearchBuild
from tests.sitebuild import REPO, kb

QUERIES = Path(__file__).parent / "queries.yml"


@pytest.fixture(scope="session")
def starter_build() -> SearchBuild:
    """The repository's kb/ and protocols/ analysed for search (no MkDocs)."""
    result = validate_tree(REPO, date(2026, 11, 23))
    assert result.ok, [d.format() for d in result.diagnostics]
    return SearchBuild.prepare(result.catalog)


@pytest.fixture(scope="session")
def starter_indexes(starter_build: SearchBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding search/ (static shards) and search/server/ (whoosh) of the starter content."""
    site = tmp_path_factory.mktemp("starter-indexes")
    starter_build.write_static(site)
    starter_build.write_server(site)
    return site


@pytest.fixture(scope="session")
def starter_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter content built with `kb build --strict` (the real plugin); returns the site folder."""
    root = tmp_path_factory.mktemp("starter") / "repo"
    root.mkdir()
    for name in ("kb", "protocols"):
        shutil.copytree(REPO / name, root / name)
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("custom_dir: theme",
                                                                     f"custom_dir: {REPO / 'theme'}")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = kb("build", "--strict", "--root", str(root))
    assert result.returncode == 0, result.stderr
    return root / "site"
