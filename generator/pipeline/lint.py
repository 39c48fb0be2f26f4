"""The lint as the pipeline runs it on a repository on disk: kb-lint.yml and the files' text read here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.content.sources import decode, read_tree
from generator.diagnostics import ContentError, Diagnostic
from generator.lint import Source, lint_catalog
from generator.lint.config import CONFIG_FILE, LintConfig, parse_config
from generator.model.build import build_catalog
from generator.model.catalog import Catalog
from generator.model.register import RegisterError, site_register
from generator.pipeline.options import plugin_options


def load_config(root: Path | None, config_file: Path | None = None) -> tuple[LintConfig | None, list[Diagnostic]]:
    """``root/kb-lint.yml``, or the defaults when there is no such file (or no root); the ``address``
    rule's register comes from the site's ``register`` (``config_file``, else ``root/mkdocs.yml``)
    unless kb-lint.yml sets it."""
    if root is None or not (root / CONFIG_FILE).is_file():
        return _with_site_register(LintConfig(), root, config_file), []
    try:
        text = decode((root / CONFIG_FILE).read_bytes(), CONFIG_FILE)
    except ContentError as exc:
        return None, exc.diagnostics
    config, problems = parse_config(text)
    return (_with_site_register(config, root, config_file) if config is not None else None), problems


def site_register_of(root: Path | None, config_file: Path | None = None) -> dict[str, str]:
    """The kb plugin's ``register`` option in ``config_file`` (else ``root/mkdocs.yml``; defaults when
    absent or unreadable: the build reports a bad mkdocs.yml, not the lint)."""
    options = plugin_options(root, config_file)
    try:
        return site_register(options.get("register"))
    except RegisterError:
        return site_register(None)


def _with_site_register(config: LintConfig, root: Path | None, config_file: Path | None) -> LintConfig:
    address = config.rules.address
    if "es" in address.model_fields_set:  # kb-lint.yml says it: that wins
        return config
    wanted = site_register_of(root, config_file)["es"]
    rules = config.rules.model_copy(update={"address": address.model_copy(update={"es": wanted})})
    return config.model_copy(update={"rules": rules})


def _read(root: Path) -> Source:
    def source(path: str) -> str | None:
        try:
            return (root / path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
    return source


def lint_for_tree(catalog: Catalog, root: Path) -> list[Diagnostic]:
    """The validation hook for a content repository on disk: kb-lint.yml of ``root``, files from disk."""
    config, problems = load_config(root)
    if config is None:
        return problems
    return lint_catalog(catalog, config, _read(root))


@dataclass(frozen=True)
class LintResult:
    diagnostics: list[Diagnostic]
    files: int  # articles and protocols linted


def lint_tree(root: Path, config_file: Path | None = None) -> LintResult:
    """`kb lint`: read and model every content file under ``root`` and lint what loads.

    Files that do not load are left to `kb validate`; only kb-lint.yml's own problems and
    lint findings are returned.
    """
    config, problems = load_config(root, config_file)
    catalog, _ = build_catalog(read_tree(root))
    files = len(catalog.articles) + len(catalog.protocols)
    if config is None:
        return LintResult(problems, files)
    return LintResult(lint_catalog(catalog, config, _read(root)), files)
