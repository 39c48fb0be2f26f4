"""The browser scripts share one module of helpers (theme/assets/kb/kb.js): none writes its own copy.

kb.js holds the DOM builder `el`, `uuid`, every storage key, the page's language and the strings of a
language in the site's register; events.js, feedback.js, runner.js, support.js, ticket.js, search.js and
preview.js use them from `KB`. A second copy in another script fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ASSETS = Path(__file__).resolve().parents[1] / "theme" / "assets" / "kb"
SHARED = ASSETS / "kb.js"
OTHERS = sorted(p for p in ASSETS.glob("*.js") if p != SHARED)

# what only kb.js may contain: a pattern, and what it means
COPIES = {
    r"\bfunction\s+el\s*\(|\bel\s*=\s*function\b": "a DOM builder el() (use KB.el)",
    r"\bfunction\s+uuid\s*\(|getRandomValues|randomUUID": "a UUID maker (use KB.uuid)",
    r"""["']kb\.[A-Za-z]""": "a storage key (add it to KB.keys)",
    r"""meta\[name=["']?kb-register""": "the register lookup (use KB.text / KB.register)",
    r"""===\s*["']tú["']""": "the tú/usted swap (use KB.text)",
    r"documentElement\.lang": "the page's language (use KB.lang)",
}


def test_the_other_scripts_exist() -> None:
    names = {p.name for p in OTHERS}
    assert {"events.js", "feedback.js", "runner.js", "support.js", "ticket.js", "search.js"} <= names


@pytest.mark.parametrize("pattern", sorted(COPIES))
def test_kb_js_holds_the_shared_helper(pattern: str) -> None:
    """The pattern is live: kb.js itself matches it (so the check below cannot pass by a typo)."""
    assert re.search(pattern, SHARED.read_text(encoding="utf-8")), COPIES[pattern]


@pytest.mark.parametrize("script", OTHERS, ids=lambda p: p.name)
def test_no_second_copy_of_a_shared_helper(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    found = [f"{script.name}:{text.count(chr(10), 0, m.start()) + 1}: {what}"
             for pattern, what in COPIES.items() for m in re.finditer(pattern, text)]
    assert found == []


def test_shared_module_uses_text_only() -> None:
    assert "innerHTML" not in SHARED.read_text(encoding="utf-8")
