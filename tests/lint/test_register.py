"""The site's register (the kb plugin's `register` in mkdocs.yml) drives the lint's `address` rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model.register import RegisterError, site_register
from generator.pipeline.lint import load_config
from tests.sitebuild import copy_tiny, kb

TU = "plugins:\n  - kb:\n      register:\n        es: tú\n"


def _site(root: Path, plugins: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(f"site_name: x\ndocs_dir: kb\n{plugins}", encoding="utf-8")
    return root


def test_the_register_comes_from_mkdocs_yml(tmp_path: Path) -> None:
    config, _ = load_config(_site(tmp_path / "tu", TU))
    assert config is not None and config.rules.address.es == "tú"
    config, _ = load_config(_site(tmp_path / "default", "plugins:\n  - kb\n"))
    assert config is not None and config.rules.address.es == "usted"


def test_kb_lint_yml_still_wins_when_it_says_it(tmp_path: Path) -> None:
    root = _site(tmp_path, TU)
    (root / "kb-lint.yml").write_text("rules:\n  address: {es: usted}\n", encoding="utf-8")
    config, _ = load_config(root)
    assert config is not None and config.rules.address.es == "usted"


@pytest.mark.parametrize(("option", "message"), [
    ({"en": "tú"}, "English has no tú/usted"), ({"es": "vos"}, "expected one of usted, tú, found 'vos'")])
def test_a_bad_register_is_refused(option: dict[str, str], message: str) -> None:
    with pytest.raises(RegisterError, match=message):
        site_register(option)


def test_kb_lint_follows_the_site_register(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    before = kb("lint", "--root", str(root))
    assert "[address]" not in before.stdout + before.stderr
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("plugins:\n  - kb\n", TU), encoding="utf-8")
    after = kb("lint", "--root", str(root))
    assert "expected the register tú" in after.stdout + after.stderr


def test_a_config_file_given_with_f_sets_the_register(tmp_path: Path) -> None:
    """`kb validate -f other.yml` and `kb lint -f other.yml` read the register of that file, not of mkdocs.yml;
    so does a build from it (its validation, here through the function the build runs)."""
    from generator.pipeline.validation import validate_for_build

    root = copy_tiny(tmp_path / "repo")
    cfg = root / "mkdocs.yml"
    other = root / "tu.yml"
    other.write_text(cfg.read_text(encoding="utf-8").replace("plugins:\n  - kb\n", TU), encoding="utf-8")
    for command in ("lint", "validate"):
        plain = kb(command, "--root", str(root), "--no-cache") if command == "validate" else kb(command, "--root",
                                                                                                 str(root))
        assert "[address]" not in plain.stdout + plain.stderr
        args = ["--no-cache"] if command == "validate" else []
        given = kb(command, "-f", str(other), *args)
        assert "expected the register tú" in given.stdout + given.stderr, command
    result = validate_for_build(root, config_file=other)
    assert any("expected the register tú" in d.message for d in result.diagnostics)
    assert not any("[address]" in d.format() for d in validate_for_build(root).diagnostics)
