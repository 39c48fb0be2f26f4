"""The lint rules: clarity, empathy, sustainability and completeness. Pure: no I/O.

Every finding is a :class:`Diagnostic` in the house style, ending with the rule's name in
brackets so an author knows what to configure in kb-lint.yml::

    path:line:col: warning: key: expected …, found …; suggestion [rule]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from generator.content.html import Removed, unsafe_html
from generator.content.yamlsafe import Located, PathKey, key_name
from generator.diagnostics import Diagnostic
from generator.lint import readability as rd
from generator.lint.address import address, leftovers
from generator.lint.config import LintConfig, PhraseEntry, Reader, Rule, SectionRule, TermEntry
from generator.lint.lists import PhraseSet, builtin_phrases, builtin_terms, fold, phrase_set, placeholders
from generator.lint.prose import Block, Masked, mask, words_in
from generator.lint.texts import Text
from generator.model.article import REQUIRED_SECTIONS, Article
from generator.model.catalog import ProtocolEntry

READERS: dict[Reader, str] = {"end_user": "end users", "technician": "technicians"}
SECTION_INDEX = {"symptoms": 0, "cause": 1, "prevention": 3}  # in REQUIRED_SECTIONS["solution"]


def _shown(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Findings:
    """Collects the diagnostics of one lint run."""

    def __init__(self, config: LintConfig) -> None:
        self.config = config
        self.out: list[Diagnostic] = []
        self._terms: dict[str, tuple[list[TermEntry], PhraseSet]] = {}
        self._phrases: dict[str, tuple[list[PhraseEntry], PhraseSet]] = {}
        self.allowed_terms = frozenset(fold(a) for a in config.rules.jargon.allow)
        self.allowed_phrases = frozenset(fold(a) for a in config.rules.blame.allow)

    def terms(self, lang: str) -> tuple[list[TermEntry], PhraseSet]:
        """Jargon of ``lang``: the built-in list less rules.jargon.allow, plus rules.jargon.extra."""
        if lang not in self._terms:
            rule = self.config.rules.jargon
            chosen = [e for e in (*builtin_terms(), *rule.extra)
                      if e.lang == lang and fold(e.term) not in self.allowed_terms]
            self._terms[lang] = chosen, phrase_set(tuple((e.term, e.match_case) for e in chosen))
        return self._terms[lang]

    def phrases(self, lang: str) -> tuple[list[PhraseEntry], PhraseSet]:
        """Blaming phrases of ``lang``: the built-in list less rules.blame.allow, plus rules.blame.extra."""
        if lang not in self._phrases:
            rule = self.config.rules.blame
            chosen = [e for e in (*builtin_phrases(), *rule.extra)
                      if e.lang == lang and fold(e.phrase) not in self.allowed_phrases]
            self._phrases[lang] = chosen, phrase_set(tuple((e.phrase, False) for e in chosen))
        return self._phrases[lang]

    def add(self, rule_name: str, rule: Rule, path: str, pos: tuple[int, int], key: str, message: str) -> None:
        self.out.append(Diagnostic(path, pos[0], pos[1], key, f"{message} [{rule_name}]", rule.level))


# --- clarity -------------------------------------------------------------------------------------

Prose = list[tuple[int, int, rd.BlockSentences]]  # (start, end, its sentences) of each prose block


def sentences(text: Text) -> Prose:
    """The sentences of every prose block of ``text`` (see :func:`readability.block_sentences`)."""
    mask = text.masked.mask
    return [(b.start, b.end, rd.block_sentences(mask[b.start:b.end])) for b in text.blocks if b.kind == "prose"]


def sentence_length(f: Findings, text: Text, prose: Prose) -> None:
    rule = f.config.rules.sentence_length
    limit = getattr(rule.max_words, text.reader)
    for base, _, found in prose:
        if found.longest <= limit:
            continue
        for (start, _), n in zip(found.spans, found.words, strict=True):
            if n > limit:
                f.add("sentence_length", rule, text.path, text.at(base + start), text.key,
                      f"expected sentences of at most {limit} words for {READERS[text.reader]}, found one of "
                      f"{n} words{text.where}; split it into shorter sentences")


def _stats(text: Text, prose: Prose) -> rd.Stats:
    """:func:`readability.stats` of the sentences of ``prose`` in the text's bare mask, block by block."""
    mask, bare, lang = text.masked.mask, text.masked.bare, text.lang
    n_words = n_sent = n_syll = 0
    for base, end, found in prose:
        if bare is mask or bare[base:end] == mask[base:end]:  # no name shown on screen in it: the block's counts
            w, n, syl = found.stats(lang)
        else:
            st = rd.stats([bare[base + s:base + e] for s, e in found.spans], lang)
            w, n, syl = st.words, st.sentences, st.syllables
        n_words, n_sent, n_syll = n_words + w, n_sent + n, n_syll + syl
    return rd.Stats(n_words, n_sent, n_syll)


def readability(f: Findings, text: Text, prose: Prose) -> None:
    """The score of the text's prose, names shown on screen left out (see Masked.bare)."""
    rule = f.config.rules.readability
    if sum(found.chars for _, _, found in prose) < 2 * rule.min_words - 1 or text.lang not in rd.SCORES:
        return  # too short to hold min_words words (a word and a space take two characters)
    st = _stats(text, prose)
    if st.words < rule.min_words:
        return
    value = rd.SCORES[text.lang](st)
    least = getattr(rule.min_score, text.reader)
    if round(value) >= least:
        return
    long_words = st.syllables_per_word > (2.1 if text.lang == "es" else 1.5)
    long_sentences = st.words_per_sentence > 18
    if long_words == long_sentences:
        advice = "shorter sentences and shorter, everyday words"
    else:
        advice = "shorter, everyday words" if long_words else "shorter sentences"
    first = next(base + found.spans[0][0] for base, _, found in prose if found.spans)
    f.add("readability", rule, text.path, text.at(first), text.key,
          f"expected a {rd.SCORE_NAMES[text.lang]} reading ease of at least {least} for "
          f"{READERS[text.reader]}, found {round(value)} ({rd.band(value)}: {st.words_per_sentence:.1f} words "
          f"per sentence, {st.syllables_per_word:.2f} syllables per word){text.where}; use {advice}")


# --- jargon and blame: patterns matched in the masked text ----------------------------------------

def _explained(text: Text, start: int, end: int) -> bool:
    """'DNS (la guía que…)' or 'el aparato de Internet (el router)', within one paragraph."""
    block = next((b for b in text.blocks if b.start <= start < b.end), None)
    lo, hi = (block.start, block.end) if block is not None else (0, len(text.masked.text))
    source = text.masked.text
    if re.match(r"\s*\(", source[end:hi]):
        return True
    opened = source.rfind("(", lo, start)
    return opened >= 0 and ")" not in source[opened:start] and ")" in source[end:hi]


def jargon(f: Findings, texts: Iterable[Text]) -> None:
    """Per document: the first use of a term must be plain, explained in brackets, or a label on screen."""
    rule = f.config.rules.jargon
    seen: set[int] = set()
    for text in texts:
        if not text.jargon:
            continue
        entries, matcher = f.terms(text.lang)
        source = text.masked.text
        for i, start, end in matcher.find(text.masked.mask, text.spans, text.words, text.block_words):
            if i in seen or text.masked.in_label(start, end) or (
                    f.allowed_terms and fold(source[start:end]) in f.allowed_terms):
                continue
            seen.add(i)
            if _explained(text, start, end):
                continue
            f.add("jargon", rule, text.path, text.at(start), text.key,
                  f"expected plain words for {READERS['end_user']}, found '{_shown(source[start:end])}'"
                  f"{text.where}; say '{entries[i].plain}', or explain the term in brackets where it first appears")


def blame(f: Findings, text: Text) -> None:
    rule = f.config.rules.blame
    entries, matcher = f.phrases(text.lang)
    source = text.masked.text
    for i, start, end in matcher.find(text.masked.mask, text.spans, text.words, text.block_words):
        if f.allowed_phrases and fold(source[start:end]) in f.allowed_phrases:
            continue
        f.add("blame", rule, text.path, text.at(start), text.key,
              f"expected words that do not blame the customer, found '{_shown(source[start:end])}'{text.where}; "
              f"{entries[i].suggestion}")


@lru_cache(maxsize=64)
def _unsafe_html(md: str, embeds: bool) -> tuple[Removed, ...]:
    """:func:`unsafe_html`, remembered for the few last texts (the parts of a body share theirs)."""
    return tuple(unsafe_html(md, embeds=embeds))


def raw_html(f: Findings, text: Text) -> None:
    """HTML the site's sanitiser removes from this Markdown (generator/content/html.py): said where it is."""
    for removed in _unsafe_html(text.masked.text, f.config.html_embeds):
        f.add("raw_html", f.config.rules.raw_html, text.path, text.at(removed.offset), text.key,
              f"expected Markdown or safe HTML, found {removed.what}{text.where}; it is removed from the page "
              "(scripts, event handlers and javascript:/data: links never run; embeds need html_embeds: true "
              "in the kb plugin's options)")


# --- articles: sections, symptoms, cause -----------------------------------------------------------

def _section(article: Article, m: Masked, index: int) -> tuple[Block, list[Block]] | None:
    """The '## ' heading of a required section and the blocks under it, if the article has it."""
    name = fold(REQUIRED_SECTIONS["solution"][article.meta.lang][index])
    heading: Block | None = None
    blocks: list[Block] = []
    for b in m.blocks:
        if b.kind == "heading" and b.heading_level <= 2:
            if heading is not None:
                break
            if fold(m.mask[b.start:b.end]) == name:
                heading = b
        elif heading is not None:
            blocks.append(b)
    return (heading, blocks) if heading is not None else None


def _section_words(f: Findings, article: Article, m: Masked, name: str, rule: SectionRule, what: str,
                   advice: str) -> None:
    found = _section(article, m, SECTION_INDEX[name])
    if found is None:
        return  # validate reports a missing section
    heading, blocks = found
    parts = [m.mask[b.start:b.end] for b in blocks if b.kind != "heading"]
    if _enough_words(parts, max(rule.min_words, 5)):
        return  # enough words, and too many to be a placeholder
    content = " ".join(parts)
    n = words_in(content)
    vague = 0 < n <= 4 and fold(content) in placeholders().text
    if n >= rule.min_words and not vague:
        return
    title = REQUIRED_SECTIONS["solution"][article.meta.lang][SECTION_INDEX[name]]
    shown = "nothing" if n == 0 else f"only '{_shown(content)}'"
    line = article.body_line + article.body.count("\n", 0, heading.start)
    f.add(name, rule, article.path, (line, 1), "body",
          f"expected {what} under '## {title}' (at least {rule.min_words} words), found {shown}; {advice}")


def _enough_words(parts: list[str], least: int) -> bool:
    """Whether ``parts`` (joined with spaces) hold at least ``least`` words, counted only as far as needed."""
    n = 0
    for part in parts:
        n += words_in(part[:_CHARS_PER_WORD * least]) if len(part) > _CHARS_PER_WORD * least else words_in(part)
        if n >= least:
            return True
    return False


_CHARS_PER_WORD = 16  # a first look at a long part: its words within this many characters per word wanted


def article_rules(f: Findings, article: Article, located: Located) -> None:
    rules, ph = f.config.rules, placeholders()
    if article.meta.type == "solution":
        m = mask(article.body)
        if rules.prevention.enabled:
            _section_words(f, article, m, "prevention", rules.prevention, "advice on avoiding the problem",
                           "say how to keep it from happening again")
        if rules.symptoms.enabled:
            _symptoms(f, article, located)
            _section_words(f, article, m, "symptoms", rules.symptoms, "what the person sees",
                           "describe it in their words")
        if rules.cause.enabled:
            cause = article.meta.cause or ""
            if fold(cause) in ph.cause | ph.text:
                f.add("cause", rules.cause, article.path, located.pos(("cause",)), "cause",
                      f"expected why it happens, found '{_shown(cause)}'; name the cause, or escalate "
                      "until it is known")
            _section_words(f, article, m, "cause", rules.cause, "why it happens", "explain the cause in plain words")
    _owner_and_review(f, article.path, located, article.meta.owner, article.meta.review_every_days)


def _symptoms(f: Findings, article: Article, located: Located) -> None:
    rule = f.config.rules.symptoms
    symptoms = article.meta.symptoms
    if len(symptoms) < rule.min_count:
        f.add("symptoms", rule, article.path, located.key_pos(("symptoms",)), "symptoms",
              f"expected at least {rule.min_count} symptoms, found {len(symptoms)}; add what else the person "
              "sees or hears, in their words")
    first: dict[str, int] = {}
    for i, s in enumerate(symptoms):
        key: PathKey = ("symptoms", i)
        folded = fold(s)
        if folded in placeholders().text:
            f.add("symptoms", rule, article.path, located.pos(key), key_name(key),
                  f"expected what the person sees, found '{_shown(s)}'; write it in their words")
        elif folded in first:
            f.add("symptoms", rule, article.path, located.pos(key), key_name(key),
                  f"expected each symptom once, found '{_shown(s)}' again (first at symptoms[{first[folded]}]); "
                  "remove it or describe another symptom")
        else:
            first[folded] = i


# --- protocols: explain/prevent, causes ------------------------------------------------------------

def _resolving(entry: ProtocolEntry) -> Iterator[tuple[PathKey, str, str | None, str | None]]:
    """(path, resolve, explain, prevent) of every option and step that resolves."""
    for si, step in enumerate(entry.model.steps):
        if step.resolve is not None:
            yield ("steps", si), step.resolve, step.explain, step.prevent
        for oi, opt in enumerate(step.options):
            if opt.resolve is not None:
                yield ("steps", si, "options", oi), opt.resolve, opt.explain, opt.prevent


_FOR_CUSTOMER = {
    "explain": "add one plain sentence on what happened (it goes into the follow-up message)",
    "prevent": "add one plain sentence on how to avoid it next time (it goes into the follow-up message)",
}


def protocol_rules(f: Findings, entry: ProtocolEntry, located: Located) -> None:
    rules, ph = f.config.rules, placeholders()
    for where, resolve, explain, prevent in _resolving(entry):
        if rules.explain_prevent.enabled:
            for name, value in (("explain", explain), ("prevent", prevent)):
                key = (*where, name)
                if value is None:
                    what = "an option" if "options" in where else "a step"
                    f.add("explain_prevent", rules.explain_prevent, entry.path, located.key_pos((*where, "resolve")),
                          key_name(key), f"expected {name} on {what} that resolves, found none; {_FOR_CUSTOMER[name]}")
                elif fold(value) in ph.text:
                    f.add("explain_prevent", rules.explain_prevent, entry.path, located.pos(key), key_name(key),
                          f"expected {name} for the customer, found '{_shown(value)}'; {_FOR_CUSTOMER[name]}")
        if rules.cause.enabled and fold(resolve) in ph.resolve | ph.text:
            key = (*where, "resolve")
            f.add("cause", rules.cause, entry.path, located.pos(key), key_name(key),
                  f"expected the cause found, found '{_shown(resolve)}', which only says it ended well; name "
                  "what was wrong, e.g. 'Caché DNS desactualizada' (the report counts causes)")
    _owner_and_review(f, entry.path, located, entry.model.owner, entry.model.review_every_days)


# --- both: owner and review cycle ---------------------------------------------------------------

def _owner_and_review(f: Findings, path: str, located: Located, owner: str, every: int) -> None:
    rules = f.config.rules
    if rules.owner.enabled:
        if fold(owner) in placeholders().owner:
            f.add("owner", rules.owner, path, located.pos(("owner",)), "owner",
                  f"expected the team or person who keeps this right, found '{_shown(owner)}'; name a team, "
                  "e.g. 'equipo-redes'")
        elif rules.owner.allowed and owner not in rules.owner.allowed:
            close = difflib.get_close_matches(owner, rules.owner.allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "add it to rules.owner.allowed in kb-lint.yml"
            f.add("owner", rules.owner, path, located.pos(("owner",)), "owner",
                  f"expected one of the owners listed in kb-lint.yml, found '{_shown(owner)}'; {hint}")
    if rules.review_cycle.enabled and every > rules.review_cycle.max_days:
        given = ("review_every_days",) in located.values
        f.add("review_cycle", rules.review_cycle, path,
              located.pos(("review_every_days",)) if given else located.key_pos(("reviewed",)),
              "review_every_days", f"expected a review at least every {rules.review_cycle.max_days} days, found "
              f"every {every} days{'' if given else ' (the default)'}; set review_every_days so the content is "
              "checked in time")


def text_rules(f: Findings, texts: list[Text]) -> None:
    rules = f.config.rules
    for text in texts:
        spans = sentences(text) if text.prose else []
        if rules.sentence_length.enabled:
            sentence_length(f, text, spans)
        if rules.readability.enabled:
            readability(f, text, spans)
        if text.customer and rules.blame.enabled:
            blame(f, text)
        if rules.raw_html.enabled and text.markdown:
            raw_html(f, text)
    if rules.jargon.enabled:
        jargon(f, texts)
    found: list[tuple[str, Rule, Text, int, str]] = []
    if rules.address.enabled:
        found += [("address", rules.address, *hit) for hit in address(rules.address, texts)]
    if rules.leftovers.enabled:
        found += [("leftovers", rules.leftovers, *hit) for hit in leftovers(rules.leftovers, texts)]
    for name, rule, text, at, message in found:
        f.add(name, rule, text.path, text.at(at), text.key, f"{message}{text.where}")
