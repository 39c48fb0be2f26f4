"""Real Spanish and English word lists beside the site's vocabulary: what the typo corrector spares.

The corrector (``query.expand``) replaces a query word that is not in the site's vocabulary by
the closest vocabulary words. A correctly spelled word the site happens not to use ("cobrando",
"cajas", "orden") must not become another word ("comando", "caras", the English "order"): a word
of either language's list is never corrected. The lists are ``wordfreq``'s (offline data, many
sources); a word counts when its Zipf frequency is at least ``MIN_ZIPF`` of Spanish or English
(2.3 and 3.0: rarer forms in those lists are often misspellings themselves).

Without ``wordfreq`` the corrector works as before (every unknown word may be corrected) and
:func:`available` says so; ``kb build`` logs it once.
"""

from __future__ import annotations

import bisect
import logging
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Final

from generator.search.analysis import LANGS, fold, max_edits

# Spanish forms are often written without their accent, so an accented form counts from a lower
# frequency; English lists hold common misspellings ("definately" 2.87, "recieve" 2.75) below 3.
MIN_ZIPF: Final = {"es": 2.3, "en": 3.0}
TOP_WORDS: Final = 120_000  # per language, most frequent first
log = logging.getLogger("kb.search")


def available() -> bool:
    try:
        import wordfreq  # noqa: F401
    except ImportError:
        return False
    return True


def _cache_file(version: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cut = "-".join(f"{lang}{z}" for lang, z in MIN_ZIPF.items())
    return base / "kb" / f"known-words-{version}-{cut}.txt"


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Folded words (no case, no accents) of the Spanish and English lists at or above ``MIN_ZIPF``.

    Reading wordfreq's lists takes seconds: the result is kept in ``~/.cache/kb/`` (per version)."""
    try:
        import wordfreq
    except ImportError:
        log.warning("kb: the Python package wordfreq is not installed: the typo corrector may rewrite "
                    "correctly spelled words (pip install wordfreq)")
        return frozenset()
    cache = _cache_file(getattr(wordfreq, "__version__", "0"))
    try:
        return frozenset(cache.read_text(encoding="utf-8").split())
    except OSError:
        pass
    out: set[str] = set()
    for lang in LANGS:
        ranked = wordfreq.top_n_list(lang, TOP_WORDS)  # most frequent first: cut where Zipf < MIN_ZIPF
        end = bisect.bisect_left(ranked, True, key=lambda w: wordfreq.zipf_frequency(w, lang) < MIN_ZIPF[lang])
        out.update(fold(w) for w in ranked[:end] if w.isalpha() and " " not in fold(w))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(sorted(out)), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home: read the lists again next time
    return frozenset(out)


KNOWN_BUCKETS: Final = 256


def bucket(word: str, buckets: int = KNOWN_BUCKETS) -> int:
    """The ``k/<n>.json`` file of a word: a 32-bit polynomial hash (search.js computes the same)."""
    h = 0
    for c in word:
        h = (h * 31 + ord(c)) & 0xFFFFFFFF
    return h % buckets


def by_bucket(words: Iterable[str], buckets: int = KNOWN_BUCKETS) -> list[list[str]]:
    """Words the corrector would consider (4 letters or more) in ``buckets`` hashed groups: the static
    index's ``k/<n>.json`` files, about a kilobyte each once compressed."""
    out: list[list[str]] = [[] for _ in range(buckets)]
    for w in sorted(words):
        if max_edits(w):
            out[bucket(w, buckets)].append(w)
    return out


def is_word(word: str) -> bool:
    """A folded query word that is a correctly spelled Spanish or English word."""
    return word in known_words()
