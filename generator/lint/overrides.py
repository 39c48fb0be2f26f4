"""An article's own lint exceptions (its front matter's ``lint:``) over kb-lint.yml. Pure: no I/O.

``kb import`` writes them from the mapping's ``lint:`` (imported prose is the old help centre's:
a first build should not fail on sentences nobody has edited yet); a maintainer removes them as
the article is reviewed. Rule names are kb-lint.yml's (``Rules``): a name that is not one is an
error at its ``file:line:col``, with a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from generator.content.yamlsafe import Located
from generator.diagnostics import Diagnostic, Severity
from generator.lint.config import LintConfig, Rules
from generator.model.article import ArticleLint


class Exceptions(Protocol):
    """What names rules under ``lint:``: an article's front matter, an import mapping."""

    @property
    def disable(self) -> Sequence[str]: ...

    @property
    def severity(self) -> Mapping[str, str]: ...

RULE_NAMES = tuple(Rules.model_fields)


def unknown_rules(lint: Exceptions, path: str, located: Located) -> Iterator[Diagnostic]:
    """An error for every name in ``lint.disable`` or ``lint.severity`` that is not a lint rule (an
    article's front matter or an import mapping: both hold them under ``lint:``)."""
    named: list[tuple[tuple[str, str, int | str], str, str, bool]] = [
        (("lint", "disable", i), f"lint.disable[{i}]", name, False) for i, name in enumerate(lint.disable)]
    named += [(("lint", "severity", name), f"lint.severity.{name}", name, True) for name in lint.severity]
    for where, key, name, is_key in named:
        if name in RULE_NAMES:
            continue
        line, col = located.key_pos(where) if is_key else located.pos(where)
        close = difflib.get_close_matches(name, RULE_NAMES, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(RULE_NAMES)}"
        yield Diagnostic(path, line, col, key, f"expected a lint rule, found '{name}'{hint}", Severity.ERROR)


def article_config(config: LintConfig, lint: ArticleLint | None) -> LintConfig:
    """kb-lint.yml's config with one article's exceptions applied (unknown rule names are ignored)."""
    if lint is None:
        return config
    levels = dict.fromkeys((n for n in lint.disable if n in RULE_NAMES), "off")
    levels |= {n: v for n, v in lint.severity.items() if n in RULE_NAMES}
    changed = {n: getattr(config.rules, n).model_copy(update={"severity": v}) for n, v in levels.items()}
    if lint.address is not None:
        address = changed.get("address", config.rules.address)
        changed["address"] = address.model_copy(update={"es": lint.address})
    if not changed:
        return config
    return config.model_copy(update={"rules": config.rules.model_copy(update=changed)})
