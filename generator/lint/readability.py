"""Readability: words, sentences, syllables and the two reading-ease scores. Pure: no I/O.

* Spanish: Fernández-Huerta (1959), in the corrected form of Law (2011) that the Spanish
  readability literature and tools use (legible.es, textstat)::

      L = 206.84 - 60 * (syllables / words) - 1.02 * (words / sentences)

* English: Flesch Reading Ease (Flesch 1948)::

      FRE = 206.835 - 84.6 * (syllables / words) - 1.015 * (words / sentences)

Both read on the same scale: 90-100 very easy, 80-90 easy, 70-80 fairly easy, 60-70 plain,
50-60 fairly difficult, 30-50 difficult, below 30 very difficult.

Syllables are counted with documented heuristics (no dictionary): Spanish syllabification is
regular, so counting vowel nuclei with its diphthong and hiatus rules is close to exact;
English uses vowel groups with corrections for a silent final ``e`` and ``-ed``/``-es``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# A word: letters or digits, joined by inner apostrophes or hyphens (Wi-Fi, don't).
WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_LETTER_RE = re.compile(r"[^\W\d_]")

# Sentence ends: . ! ? … (several allowed), then closing quotes or brackets, then a space or the end.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s|$)")
# Abbreviations whose period does not end a sentence (lower-cased, without the final period).
ABBREVIATIONS = frozenset({
    "p", "ej", "etc", "sr", "sra", "srta", "dr", "dra", "ud", "uds", "núm", "pág", "aprox", "tel", "ext",
    "e.g", "i.e", "vs", "approx", "fig", "mr", "mrs",
})

_ES_STRONG = frozenset("aeoáéíóú")  # accented í and ú break a diphthong: they are nuclei of their own
_ES_WEAK = frozenset("iuü")
_ES_VOWELS = _ES_STRONG | _ES_WEAK


def words(text: str) -> list[str]:
    """The words of ``text`` (letters or digits; inner hyphens and apostrophes kept)."""
    return WORD_RE.findall(text)


@lru_cache(maxsize=65536)
def syllables_es(word: str) -> int:
    """Spanish syllables: vowel nuclei, where a diphthong (a weak vowel i/u/ü without accent
    next to another vowel) is one nucleus and two strong vowels (a, e, o or accented) are two.
    'y' is a vowel at the end of a word or before a consonant (hay, muy, y). At least 1."""
    w = word.lower()
    count = 0
    prev: str | None = None  # the previous vowel, if the previous letter was one
    for i, ch in enumerate(w):
        if ch == "y":
            nxt = w[i + 1] if i + 1 < len(w) else ""
            vowel = "i" if nxt not in _ES_VOWELS else None  # y: a vowel unless a vowel follows (yo, leyes)
        else:
            vowel = ch if ch in _ES_VOWELS else None
        if vowel is None:
            prev = None
            continue
        if prev is None or (prev in _ES_STRONG and vowel in _ES_STRONG) or prev == vowel:
            count += 1  # a new nucleus: a first vowel, two strong vowels (hiatus), or a doubled vowel
        prev = vowel
    return max(1, count)


_EN_GROUP = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=65536)
def syllables_en(word: str) -> int:
    """English syllables: groups of vowels (y included), minus a silent final 'e' (not in
    '-le' after a consonant), minus '-ed' not after t/d, minus '-es' not after a sibilant. At least 1."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 1
    count = len(_EN_GROUP.findall(w))
    if len(w) > 2 and w.endswith("e") and not w.endswith(("le", "ee", "ye")) and w[-2] not in "aeiouy":
        count -= 1  # make, phone
    elif len(w) > 3 and w.endswith("le") and w[-3] in "aeiouy":
        count -= 1  # while, mile (a vowel before -le: the e is silent)
    elif len(w) > 3 and w.endswith("ed") and w[-3] not in "td" and w[-3] not in "aeiouy":
        count -= 1  # jumped, called (but: wanted, needed)
    elif len(w) > 3 and w.endswith("es") and w[-3] not in "aeiouy" and not w.endswith(
            ("ses", "xes", "zes", "ches", "shes", "ges", "ces")):
        count -= 1  # makes, tapes (but: boxes, pages)
    return max(1, count)


SYLLABLES = {"es": syllables_es, "en": syllables_en}


def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of each sentence of one block of prose (no paragraph breaks inside).

    A sentence ends at . ! ? or … followed by a space or the end; a period after a known
    abbreviation (p. ej., etc., e.g.) does not end one. Spans without a letter are dropped.
    Remembered per distinct block: the same paragraphs, list items and say lines recur.
    """
    return _split_sentences(text)


@lru_cache(maxsize=4096)
def _split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        if text[end] == "." and m.group().count(".") == 1:
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            last = text[max(cut + 1, start):end].lstrip("(«\"“")
            if last.lower() in ABBREVIATIONS:
                continue
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    spans = []
    for s, e in bounds:
        piece = text[s:e]
        stripped = piece.lstrip()
        s += len(piece) - len(stripped)
        e = s + len(stripped.rstrip())
        if _LETTER_RE.search(text, s, e):
            spans.append((s, e))
    return tuple(spans)


@dataclass(frozen=True)
class Stats:
    """Counts over a passage: words, sentences and syllables."""

    words: int
    sentences: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words if self.words else 0.0


def stats(sentences: list[str], lang: str) -> Stats:
    """Counts over the given sentences; numbers (words of digits only) are not counted as words here."""
    n_words = n_syll = n_sent = 0
    for sentence in sentences:
        words_here, syllables_here = _counts(sentence, lang)
        if not words_here:
            continue
        n_sent += 1
        n_words += words_here
        n_syll += syllables_here
    return Stats(n_words, n_sent, n_syll)


@lru_cache(maxsize=4096)
def _counts(sentence: str, lang: str) -> tuple[int, int]:
    """(words, syllables) of one sentence, numbers left out; remembered per distinct sentence."""
    ws = [w for w in WORD_RE.findall(sentence) if not w.isdigit()]
    return len(ws), sum(map(SYLLABLES[lang], ws))


def word_count(text: str) -> int:
    """How many :func:`words` ``text`` holds."""
    return len(WORD_RE.findall(text))


@dataclass(frozen=True)
class BlockSentences:
    """The sentences of one block of prose, offsets inside the block, with their word counts."""

    spans: tuple[tuple[int, int], ...]
    words: tuple[int, ...]  # :func:`word_count` of each sentence
    chars: int  # characters the sentences cover
    longest: int  # words of the longest sentence (0 without sentences)
    sentence_words: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)  # :func:`words` of each
    _stats: dict[str, tuple[int, int, int]] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def stats(self, lang: str) -> tuple[int, int, int]:
        """(words, sentences, syllables) of :func:`stats` over these sentences, from their words
        (found once with the sentences); remembered per language."""
        got = self._stats.get(lang)
        if got is None:
            syllables = SYLLABLES[lang]
            n_words = n_sent = n_syll = 0
            for found in self.sentence_words:
                ws = [w for w in found if not w.isdigit()]
                if ws:
                    n_sent += 1
                    n_words += len(ws)
                    n_syll += sum(map(syllables, ws))
            got = self._stats[lang] = (n_words, n_sent, n_syll)
        return got


@lru_cache(maxsize=4096)
def block_sentences(chunk: str) -> BlockSentences:
    """:func:`split_sentences` and the words of each sentence of one block; remembered per distinct block."""
    spans = _split_sentences(chunk)
    findall = WORD_RE.findall
    found = tuple(tuple(findall(chunk, s, e)) for s, e in spans)  # words(chunk[s:e]), without the copy
    counts = tuple(map(len, found))
    return BlockSentences(spans, counts, sum(e - s for s, e in spans), max(counts, default=0), found)


def fernandez_huerta(s: Stats) -> float:
    """Fernández-Huerta reading ease for Spanish (Law's correction): higher is easier."""
    return 206.84 - 60.0 * s.syllables_per_word - 1.02 * s.words_per_sentence


def flesch(s: Stats) -> float:
    """Flesch Reading Ease for English: higher is easier."""
    return 206.835 - 84.6 * s.syllables_per_word - 1.015 * s.words_per_sentence


SCORES = {"es": fernandez_huerta, "en": flesch}
SCORE_NAMES = {"es": "Fernández-Huerta", "en": "Flesch"}


def score(sentences: list[str], lang: str) -> tuple[float, Stats]:
    """The reading-ease score of ``lang`` for these sentences, with the counts it came from."""
    s = stats(sentences, lang)
    return SCORES[lang](s), s


def band(value: float) -> str:
    """The usual reading of a Flesch-scale score."""
    for limit, name in ((90, "very easy"), (80, "easy"), (70, "fairly easy"), (60, "plain"),
                        (50, "fairly difficult"), (30, "difficult")):
        if value >= limit:
            return name
    return "very difficult"
