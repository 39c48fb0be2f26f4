"""Content-quality lint: clarity, empathy, sustainability and completeness (docs/lint.md).

A stage after the model, beside validation: it reads the typed catalog (and, for exact
positions inside YAML values, the files' text, given by the caller) and returns
:class:`Diagnostic` values. Reading kb-lint.yml and the files is the pipeline's
(generator/pipeline/lint.py).
``kb lint`` prints only these; ``kb validate`` adds them to its own, as warnings unless
kb-lint.yml makes a rule an error, so ``--strict`` fails on them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping

from generator.diagnostics import Diagnostic, sort_diagnostics
from generator.lint.config import CONFIG_FILE, LintConfig, parse_config
from generator.lint.overrides import article_config, unknown_rules
from generator.lint.rules import Findings, article_rules, protocol_rules, text_rules
from generator.lint.texts import article_texts, protocol_texts
from generator.model.article import Article
from generator.model.catalog import Catalog, ProtocolEntry

__all__ = ["CONFIG_FILE", "LintConfig", "Source", "lint_catalog", "lint_for_texts", "parse_config"]

Source = Callable[[str], str | None]


def _no_source(path: str) -> str | None:
    return None


# Findings depend only on one file (its path and text) and the config: they are remembered, so
# a process that validates again and again (kb serve, a watch loop) lints only what changed.
_MEMO: OrderedDict[tuple[str, str, str, bool], list[Diagnostic]] = OrderedDict()
_MEMO_SIZE = 20_000


def _memo_get(key: tuple[str, str, str, bool]) -> list[Diagnostic] | None:
    found = _MEMO.get(key)
    if found is not None:
        _MEMO.move_to_end(key)
    return found


def _memo_put(key: tuple[str, str, str, bool], value: list[Diagnostic]) -> None:
    _MEMO[key] = value
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)


def lint_catalog(catalog: Catalog, config: LintConfig, source: Source = _no_source) -> list[Diagnostic]:
    """Every lint finding on the catalog's articles and protocols, sorted.

    ``source(path)`` gives a file's text, so that findings inside multi-line YAML values point
    at the exact line; without it they point at the start of the value.
    """
    base, settings = Findings(config), config.model_dump_json()
    own: dict[str, Findings] = {}  # per article exceptions (front matter lint:), by their effective settings
    exact = source is not _no_source
    out: list[Diagnostic] = []
    items: list[Article | ProtocolEntry] = [*catalog.articles, *catalog.protocols]
    for item in items:
        located = catalog.positions.get(item.path)
        if located is None:
            continue
        cfg = article_config(config, item.meta.lint) if isinstance(item, Article) else config
        shown = settings if cfg is config else cfg.model_dump_json()
        key = (item.path, item.digest if isinstance(item, Article) else item.version, shown, exact)
        found = _memo_get(key)
        if found is None:
            raw = source(item.path)
            lines = raw.splitlines() if raw is not None else None
            f = base if cfg is config else own.setdefault(shown, Findings(cfg))
            f.out = []
            if isinstance(item, Article):
                text_rules(f, article_texts(item, located, lines, cfg))
                article_rules(f, item, located)
                if item.meta.lint is not None:
                    f.out += unknown_rules(item.meta.lint, item.path, located)
            else:
                text_rules(f, protocol_texts(item, located, lines))
                protocol_rules(f, item, located)
            found = f.out
            _memo_put(key, found)
        out += found
    return sort_diagnostics(out)


def lint_for_texts(catalog: Catalog, texts: Mapping[str, str], config: LintConfig | None = None) -> list[Diagnostic]:
    """The validation hook for in-memory files (path -> text): the default rules unless ``config`` is given."""
    return lint_catalog(catalog, config or LintConfig(), texts.get)
