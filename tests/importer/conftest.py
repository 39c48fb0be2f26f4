"""Fixtures for `kb import`: the help-centre folder, a content root to import into, one shared run."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from generator.importer import ImportOptions, ImportResult, import_folder

HELPCENTER = Path(__file__).parent / "fixtures" / "helpcenter"
TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
TODAY = date(2026, 11, 23)


def tree_digest(folder: Path) -> str:
    """sha256 over every file's relative path, bytes and modification time: any change shows."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        h.update(rel.encode() + b"\0")
        if path.is_file():
            h.update(path.read_bytes() + b"\0" + str(path.stat().st_mtime_ns).encode() + b"\0")
    return h.hexdigest()


def content_root(dest: Path) -> Path:
    """A copy of tests/fixtures/tiny (3 articles, protocol sin-conexion) to import into."""
    shutil.copytree(TINY, dest)
    return dest


@dataclass
class Imported:
    root: Path
    result: ImportResult
    source_digest_before: str

    def article(self, source: str) -> str:
        """The written text of the article imported from ``source`` (relative to the fixture folder)."""
        outcome = next(o for o in self.result.outcomes if o.source == source)
        return (self.root / "kb" / outcome.path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The fixture help centre imported once into a copy of the tiny repo (report in the root)."""
    root = content_root(tmp_path_factory.mktemp("imported") / "root")
    before = tree_digest(HELPCENTER)
    result = import_folder(ImportOptions(source=HELPCENTER, root=root, today=TODAY,
                                         report=root / "import-report.md"))
    return Imported(root, result, before)
