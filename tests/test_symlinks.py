"""Symbolic links: nothing outside the content repository is read or published (issue #13, finding 1).

A link whose target leaves the repository is an error naming the link, for `kb validate`, `kb build`
(MkDocs' own walk of kb/ follows links), the live preview's re-read and `kb import`; a link whose
target stays inside is followed.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from generator.content.sources import read_tree, reread
from generator.importer import ImportOptions, import_folder
from tests.sitebuild import copy_tiny, kb

SECRET = "KB_SECRET_TOKEN_do_not_publish"


def _outside(tmp_path: Path) -> Path:
    """A folder next to the repository holding a secret, as /etc or a CI workspace would."""
    out = tmp_path / "elsewhere"
    (out / "inner").mkdir(parents=True)
    (out / "secret.txt").write_text(SECRET, encoding="utf-8")
    (out / "inner" / "more.txt").write_text(SECRET, encoding="utf-8")
    article = (Path(__file__).parent / "fixtures" / "tiny" / "kb" / "red" / "cable-suelto.md").read_text("utf-8")
    (out / "fuera.md").write_text(article.replace("id: cable-suelto", "id: fuera"), encoding="utf-8")
    return out


def _hostile_repo(tmp_path: Path) -> Path:
    root = copy_tiny(tmp_path / "repo")
    out = _outside(tmp_path)
    os.symlink("/proc/self/environ", root / "kb" / "red" / "env.txt")
    os.symlink("/etc/passwd", root / "kb" / "red" / "passwd.txt")
    os.symlink(out / "secret.txt", root / "kb" / "red" / "secret.txt")
    os.symlink(out / "fuera.md", root / "kb" / "red" / "fuera.md")
    os.symlink(out, root / "kb" / "ext")
    os.symlink(out / "secret.txt", root / "protocols" / "secret.yml")
    return root


EXPECTED_LINKS = ["kb/ext", "kb/red/env.txt", "kb/red/fuera.md", "kb/red/passwd.txt", "kb/red/secret.txt",
                  "protocols/secret.yml"]


def test_validate_names_every_link_leaving_the_repository(tmp_path: Path) -> None:
    root = _hostile_repo(tmp_path)
    done = kb("validate", "--root", str(root), "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    diags = json.loads(done.stdout)["diagnostics"]
    links = sorted(d["path"] for d in diags if "symbolic link" in d["message"])
    assert links == EXPECTED_LINKS
    env_diag = next(d for d in diags if d["path"] == "kb/red/env.txt")
    assert env_diag["severity"] == "error" and env_diag["line"] == 1 and env_diag["col"] == 1
    assert "/proc/self/environ" in env_diag["message"] and "outside" in env_diag["message"]
    assert SECRET not in done.stdout and "PATH=" not in done.stdout


def test_build_publishes_nothing_from_outside(tmp_path: Path) -> None:
    root = _hostile_repo(tmp_path)
    done = kb("build", "--root", str(root))
    assert done.returncode == 1
    assert "kb/red/env.txt" in done.stdout + done.stderr
    site = root / "site"
    leaked = [p for p in site.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()] if site.exists() else []
    assert leaked == []
    assert not (site / "red" / "env.txt").exists()


def test_links_inside_the_repository_are_followed(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    shared = root / "shared"
    (shared / "img").mkdir(parents=True)
    (shared / "img" / "router.txt").write_text("inside", encoding="utf-8")
    article = (root / "kb" / "red" / "cable-suelto.md").read_text(encoding="utf-8")
    (shared / "otro.md").write_text(article.replace("id: cable-suelto", "id: otro"), encoding="utf-8")
    os.symlink(shared / "img", root / "kb" / "red" / "img")
    os.symlink("../../shared/otro.md", root / "kb" / "red" / "otro.md")
    result = read_tree(root)
    assert [d for d in result.diagnostics if "symbolic link" in d.message] == []
    assert "kb/red/otro.md" in {a.path for a in result.articles}
    done = kb("build", "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "red" / "img" / "router.txt").read_text(encoding="utf-8") == "inside"
    assert (root / "site" / "red" / "otro" / "index.html").is_file()


def test_preview_reread_refuses_a_link_made_after_the_first_build(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    first = read_tree(root)
    out = _outside(tmp_path)
    target = root / "kb" / "red" / "cable-suelto.md"
    target.unlink()
    os.symlink(out / "fuera.md", target)
    again = reread(first, root, ["kb/red/cable-suelto.md"])
    assert [d.path for d in again.diagnostics if "symbolic link" in d.message] == ["kb/red/cable-suelto.md"]
    assert "kb/red/cable-suelto.md" not in {a.path for a in again.articles}


def test_import_reads_only_inside_its_folder(tmp_path: Path) -> None:
    source = tmp_path / "helpcentre"
    source.mkdir()
    out = _outside(tmp_path)
    (source / "bueno.md").write_text("---\ntitle: Reiniciar el router\n---\nApague y encienda el router.\n",
                                     encoding="utf-8")
    os.symlink(out / "fuera.md", source / "fuera.md")
    os.symlink(out, source / "carpeta")
    root = copy_tiny(tmp_path / "repo")
    result = import_folder(ImportOptions(source=source, root=root, today=date(2026, 11, 23)))
    sources = {o.source: o.status for o in result.outcomes}
    assert sources.get("fuera.md") == "failed"
    assert not any(s.startswith("carpeta/") for s in sources)
    written = "".join(p.read_text(encoding="utf-8") for p in (root / "kb").rglob("*.md"))
    assert SECRET not in written and "id: fuera" not in written
