"""The build cache's shortcut (generator/mkdocs/uptodate.py): a rebuild whose inputs are those of the last
build, with the site on disk exactly the one it swapped in, keeps that site (no engine run, no swap); any
change to the site on disk or to an input is a normal build, equal to a clean one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sitebuild import copy_tiny
from tests.test_build_cache import files, kb_build, stats


def _ino(path: Path) -> int:
    return path.stat().st_ino


def test_an_unchanged_site_is_kept_and_a_changed_one_rebuilt(tmp_path: Path, kb_command: list[str]) -> None:
    root = copy_tiny(tmp_path / "repo")
    site = root / "site"
    kb_build(kb_command, root, site)
    reference = files(site)
    assert (root / ".kb-data" / "cache" / "build" / "site.json").is_file()  # recorded: no warning
    page = next(site.rglob("index.html"))
    before = _ino(site), _ino(page)

    messages = kb_build(kb_command, root, site)
    assert stats(root).get("up_to_date") is True and stats(root)["rendered"] == []
    assert "up to date" in messages
    assert (_ino(site), _ino(page)) == before  # not swapped: the very same folder and files
    assert files(site) == reference

    page.write_bytes(page.read_bytes() + b"<!-- edited on the server -->")  # the site on disk changed
    kb_build(kb_command, root, site)
    assert stats(root).get("up_to_date") is None
    assert files(site) == reference

    (site / "stray.html").write_text("x", encoding="utf-8")  # a file the build did not write
    kb_build(kb_command, root, site)
    assert stats(root).get("up_to_date") is None
    assert files(site) == reference

    kb_build(kb_command, root, site, "--strict")  # another option: another input digest
    assert stats(root).get("up_to_date") is None
    kb_build(kb_command, root, site, "--strict")
    assert stats(root).get("up_to_date") is True


def test_a_build_with_warnings_is_not_recorded(tmp_path: Path, kb_command: list[str]) -> None:
    """A rebuild prints the warnings again: only a build that logged none is recorded."""
    root = copy_tiny(tmp_path / "repo")
    art = root / "kb" / "red" / "dns-mal-configurado.md"
    art.write_text(art.read_text(encoding="utf-8").replace("(cable-suelto.md)", "(cable-suelto.md#no-anchor)"),
                   encoding="utf-8")
    messages = kb_build(kb_command, root, root / "site")
    assert "no-anchor" in messages
    assert not (root / ".kb-data" / "cache" / "build" / "site.json").exists()
    again = kb_build(kb_command, root, root / "site")
    assert "no-anchor" in again
    assert json.loads((root / ".kb-data" / "cache" / "build" / "stats.json").read_text()).get("up_to_date") is None
