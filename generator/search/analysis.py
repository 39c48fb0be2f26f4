"""Text analysis shared by every search: folding, tokens, stop words, stemming, typo distance.

One set of rules for the static index (built here, executed again in the browser by
``theme/assets/kb/search.js``) and for the whoosh server index, so both see the same terms.
The rules are data (``RULES``): the static index ships them in ``meta.json`` and the browser
runs the same algorithm over them; ``tests/search/test_js_parity.py`` runs the JavaScript in
node and checks that it analyses and ranks exactly like this module.

* fold: lower case, accents and ñ removed (``Contraseña`` -> ``contrasena``); hyphens and
  apostrophes inside a word are dropped (``Wi-Fi`` -> ``wifi``, ``can't`` -> ``cant``);
* stop words: Spanish and English function words only. Negations and ``sin``/``without``
  stay: "no funciona" keeps "no";
* stemming: light suffix stripping (in the spirit of Savoy's light stemmers for Spanish and
  Porter's first step for English): one suffix, the longest that leaves a stem of at least
  three letters. ``conecta``, ``conectar``, ``conectado`` -> ``conect``;
* typos: optimal-string-alignment distance (an adjacent swap counts as one edit) on the
  *unstemmed* folded word, against the words of the indexed text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from generator.model.fields import LANGS as MODEL_LANGS

_MARKS = re.compile("[\u0300-\u036f]")
_JOIN = re.compile(r"([a-z0-9])[-'’](?=[a-z0-9])")
_TOKEN = re.compile(r"[a-z0-9]+")

MAX_WORD = 30  # longer tokens (hashes, URLs run together) are not indexed


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _longest_first(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(suffixes), key=lambda s: (-len(s), s)))


STOP_ES: Final = _split(
    "a al algo algun alguna algunas alguno algunos ante antes aqui asi aun cada como con contra cual "
    "cuales cuando cuyo de del desde donde durante e el ella ellas ello ellos en entre era eran eres es "
    "esa esas ese eso esos esta estaba estan estar estas este esto estos estoy fue fueron ha han has "
    "hasta hay he la las le les lo los me mi mis mucho muchos muy nos nosotros o os otra otras otro otros "
    "para pero poco por porque que quien quienes se sea ser si sido sobre son su sus tambien te ti tiene "
    "tu tus un una unas uno unos usted ustedes y ya yo "
    # Forms of the auxiliaries haber, ser and estar, and possessives (Snowball's Spanish list; not
    # estado/estados: in support texts a status)
    "erais eramos eras estabais estabamos estaban estabas estais estamos estando estara estaran estaras "
    "estare estareis estaremos estaria estariais estariamos estarian estarias esteis estemos esten estes "
    "estuve estuviera estuvieran estuvieron estuviese estuvimos estuviste estuvo fuera fueran fuese fuesen "
    "fui fuimos fuiste habeis habia habiais habiamos habian habias habido habiendo habra habran habras habre "
    "habremos habria habrian haya hayamos hayan hayas hemos hube hubiera hubieran hubieron hubiese hubo mia "
    "mias mio mios nosotras nuestra nuestras nuestro nuestros seais seamos sean seas sera seran seras sere "
    "seremos seria serian sois somos soy suya suyas suyo suyos tuya tuyas tuyo tuyos vosotras vosotros "
    "vuestra vuestras vuestro vuestros"
)
STOP_EN: Final = _split(
    "about an and any are as at be been being but by could did do does for from had has have having her "
    "here hers him his how i if in into is it its me my of on or our ours she should so some such than "
    "that the their them then there these they this those to too very was we were what when where which "
    "while who why will with would you your yours"
)
# Kept on purpose (not in the lists): no, not, sin, without, nada, nothing, nunca, never, cannot, cant...

# Suffixes, longest first; a suffix is removed only if at least ``min_stem`` letters remain.
SUFFIX_ES: Final = _longest_first(_split(
    "amientos imientos aciones amiento imiento adoras adores ancias encias idades ables ibles istas ismos "
    "isimos isimas isimo isima acion adora ador ancia encia mente andos iendo yendo aban ando ados adas "
    "idos idas ismo ista idad able ible ivas ivos ado ada ido ida aba ais eis ian ara era ira iva ivo ar "
    "er ir an en as es os a e o s "
    # verb endings (preterite, future, conditional, subjunctive): cobraron, cobró and cobro meet at "cobr"
    "aron ieron yeron aste iste asteis amos emos imos aremos eremos iremos arian erian irian aria eria iria "
    "aran eran iran abamos iamos ase iese asen iesen"
))
SUFFIX_EN: Final = _longest_first(_split(
    "ations ation ingly edly ness ments ment ings ing ies ied ers er ed ly es e s"
))
# Spelling changes at the stem's end once a suffix is gone: (the removed suffix starts with, the stem
# ends with, write instead). Spanish writes "gu" before e for the sound of "g" (entregar: entregue,
# entreguen; pagar: pague), so entregue, entregado and entrega meet at "entreg" (Snowball does the same).
RESPELL_ES: Final = (("e", "gu", "g"),)
MIN_STEM = 3
MIN_STEM_WORD = 4  # words shorter than this are never stemmed


@dataclass(frozen=True)
class Rules:
    """The analysis rules as data: what the static index ships to the browser."""

    stop: frozenset[str]
    suffixes: dict[str, tuple[str, ...]]
    respell: dict[str, tuple[tuple[str, str, str], ...]]
    min_stem: int = MIN_STEM
    min_stem_word: int = MIN_STEM_WORD
    max_word: int = MAX_WORD

    def as_json(self) -> dict[str, object]:
        return {"stop": sorted(self.stop), "suffixes": {k: list(v) for k, v in self.suffixes.items()},
                "respell": {k: [list(r) for r in v] for k, v in self.respell.items()},
                "min_stem": self.min_stem, "min_stem_word": self.min_stem_word, "max_word": self.max_word}


RULES: Final = Rules(frozenset(STOP_ES) | frozenset(STOP_EN), {"es": SUFFIX_ES, "en": SUFFIX_EN},
                     {"es": RESPELL_ES})
LANGS: Final = MODEL_LANGS


def fold(text: str) -> str:
    """Lower case without accents: ``Contraseña`` -> ``contrasena``; ``Wi-Fi`` -> ``wifi``."""
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))
    return _JOIN.sub(r"\1", text)


def words(text: str) -> list[str]:
    """Folded words of a text, stop words included (the unstemmed vocabulary)."""
    return [w for w in _TOKEN.findall(fold(text)) if len(w) <= MAX_WORD]


def is_stop(word: str) -> bool:
    return word in RULES.stop


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str = "es") -> str:
    """Light stem of a folded word in ``lang`` (es or en; anything else is left alone)."""
    if len(word) < MIN_STEM_WORD or word.isdigit():
        return word
    for suffix in RULES.suffixes.get(lang, ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            base = word[: -len(suffix)]
            for after, end, instead in RULES.respell.get(lang, ()):
                if suffix.startswith(after) and base.endswith(end) and len(base) - len(end) + len(instead) >= MIN_STEM:
                    return base[: -len(end)] + instead
            return base
    return word


def terms(text: str, lang: str = "es") -> list[str]:
    """The index terms of a text: folded, stop words out, stemmed in the text's language."""
    return [stem(w, lang) for w in words(text) if w not in RULES.stop]


def content_words(text: str) -> list[str]:
    """Folded words that are not stop words (what a query is made of)."""
    return [w for w in words(text) if w not in RULES.stop]


def distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (an adjacent swap is one edit), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[len(b)], limit + 1)


def max_edits(word: str) -> int:
    """Edits a word of this length may have and still be corrected: none under 4 letters."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def stems(word: str) -> Iterator[str]:
    """The distinct stems of a query word in every language the site may hold (es first)."""
    seen: set[str] = set()
    for lang in LANGS:
        s = stem(word, lang)
        if s not in seen:
            seen.add(s)
            yield s
