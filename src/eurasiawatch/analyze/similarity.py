"""What two articles share: the signals story clustering compares, script-independent where it can be.

An article becomes a :class:`Signals` record: its day, its annotation's entities, countries and dated
events, and from its text the numbers it quotes, its proper names reduced to a Latin consonant
skeleton (so ``Tokayev`` and ``Токаев`` meet), and its word stems. Cross-script pairs (Kazakh or
Russian against English) share no words, so they are joined on entities, events, numbers, names and
dates; same-script pairs also get a word-stem cosine.

:func:`pair_features` gives the per-signal overlaps of two articles (each an IDF-weighted cosine), and
:func:`pair_score` combines them with the weights in :data:`WEIGHTS`, fitted on story-grouped held-out
splits (see ``docs/stories.md``). Everything here is a pure function of its inputs: document
frequencies are passed in by the caller (:class:`~eurasiawatch.analyze.stories.StoryClusterer`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from ..records import Annotation

__all__ = [
    "FEATURES",
    "WEIGHTS",
    "IdfTables",
    "Signals",
    "day_of",
    "extract_signals",
    "idf_table",
    "idf_tables",
    "norms",
    "pair_features",
    "pair_score",
    "score_pair",
]

#: Text looked at for numbers, names and words: the title and this many characters of the body
#: (the lead carries the event; the tail of a long piece mostly background that joins unrelated stories).
_TEXT_CHARS = 2500
# the title and first paragraph or two: entities named there are what the article is about
_LEAD_CHARS = 600
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_NAME = re.compile(r"(?<![\w.])([A-ZА-ЯЁІЇЄҒҚҢӨҰҮҺӘЎ][^\W\d_]{2,})", re.UNICODE)
# 1,5 | 2.5 | 10 000 | 10,000 | 1 200 000 — grouped thousands are joined, decimal commas become points
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi",
        "є": "ye", "ґ": "g", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
        "ә": "a", "ў": "u", "ј": "y", "љ": "l", "њ": "n", "ћ": "ch", "ђ": "d", "џ": "dzh",
        "š": "sh", "č": "ch", "ć": "ch", "ž": "zh", "đ": "d", "ş": "sh", "ç": "ch", "ğ": "g",
        "ı": "i", "ö": "o", "ü": "u", "ő": "o", "ű": "u", "á": "a", "é": "e", "í": "i", "ó": "o",
        "ú": "u", "ʻ": "", "'": "", "’": "",
    }
)  # fmt: skip
# sound-alike letters folded together before vowels are dropped: kh/h/x, zh/j, ts/c, ch/c, y/j/i
_SKELETON = (("kh", "h"), ("zh", "j"), ("ts", "c"), ("ch", "c"), ("sh", "s"), ("x", "s"), ("q", "k"))
_VOWELS = frozenset("aeiouyjw")
# capitalised words that open sentences or are calendar words say nothing about the story
_COMMON_NAMES = frozenset(
    [
        "the",
        "this",
        "that",
        "these",
        "his",
        "her",
        "its",
        "their",
        "after",
        "before",
        "when",
        "while",
        "but",
        "and",
        "for",
        "from",
        "with",
        "said",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)

#: Signals compared per pair, in the order of :func:`pair_features`.
FEATURES = (
    "entities",
    "lead",
    "countries",
    "events",
    "numbers",
    "names",
    "words",
    "same_language",
    "same_day",
    "gap",
)

#: Logistic weights (intercept last) of the pair model; fitted with ``bench/cluster.py --fit``
#: on story-grouped halves of the labelled sets, then rounded.
WEIGHTS: tuple[float, ...] = (2.93, 2.3, 2.55, 2.62, 1.92, 1.51, 0.48, -0.96, -1.23, -0.8, -3.66)


@dataclass(frozen=True, slots=True)
class Signals:
    """What clustering knows of one article.

    ``words`` and the other sets hold keys; their weights (inverse document frequencies) live with
    the clusterer, which sees the whole stream.
    """

    article_id: str
    day: int  # proleptic ordinal of the publication date
    language: str | None = None
    outlet: str | None = None
    title: str = ""
    entities: frozenset[str] = frozenset()
    lead: frozenset[str] = frozenset()  # entities named in the title or the lead
    countries: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()  # "TYPE@YYYY-MM-DD" of dated events
    numbers: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()

    def retrieval_keys(self) -> tuple[str, ...]:
        """The keys that find candidate matches: everything but plain words (too many, too weak)."""
        return (
            *[f"e:{k}" for k in self.entities],
            *[f"v:{k}" for k in self.events],
            *[f"n:{k}" for k in self.numbers],
            *[f"p:{k}" for k in self.names],
        )

    def keys(self) -> frozenset[str]:
        """Every key this article can be found by, prefixed with its signal (for an inverted index)."""
        return frozenset(
            [f"e:{k}" for k in self.entities]
            + [f"v:{k}" for k in self.events]
            + [f"n:{k}" for k in self.numbers]
            + [f"p:{k}" for k in self.names]
            + [f"w:{k}" for k in self.words]
        )


def day_of(value: date | datetime | str | None) -> int:
    """The ordinal day of a publication date (ISO string, date or datetime); 0 when unknown."""
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            try:
                value = date.fromisoformat(raw[:10])
            except ValueError:
                return 0
    if isinstance(value, datetime):
        return value.date().toordinal()
    return value.toordinal()


def _number_key(raw: str) -> str | None:
    digits = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        digits = re.sub(r"[,.]", "", digits)  # thousands separators
    digits = digits.replace(",", ".")
    whole = digits.split(".")[0]
    if "." not in digits and len(whole) < 2:
        return None  # single digits are everywhere
    return digits.lstrip("0") or "0"


@lru_cache(maxsize=200_000)
def _skeleton(word: str) -> str | None:
    latin = word.casefold().translate(_TRANSLIT)
    if latin in _COMMON_NAMES:
        return None
    for old, new in _SKELETON:
        latin = latin.replace(old, new)
    if not latin.isascii():
        return None
    consonants = "".join(c for c in latin[1:] if c not in _VOWELS and c.isalpha())
    skeleton = latin[0] + consonants[:3]
    return skeleton if len(skeleton) >= 3 else None


def _stem(word: str) -> str:
    return word.casefold()[:6]


def extract_signals(
    article_id: str,
    annotation: Annotation | None,
    *,
    title: str | None,
    text: str,
    published: date | datetime | str | None,
    language: str | None = None,
    outlet: str | None = None,
) -> Signals:
    """The clustering signals of one article, from its annotation and text.

    Args:
        article_id: the article's id.
        annotation: what the annotate stage found (None: text signals only).
        title: the headline.
        text: the plain text.
        published: the publication date.
        language: ISO 639-1 code (default: the annotation's).
        outlet: the outlet's id or name.

    Returns:
        The signals, ready for :func:`pair_features`.
    """
    head = f"{title or ''}\n{text[:_TEXT_CHARS]}"
    numbers = {k for k in (_number_key(m) for m in _NUMBER.findall(head)) if k}
    names = {s for s in (_skeleton(m) for m in _NAME.findall(head)) if s}
    words = {_stem(w) for w in _WORD.findall(head) if len(w) >= 4}
    entities: set[str] = set()
    lead: set[str] = set()
    countries: set[str] = set()
    events: set[str] = set()
    if annotation is not None:
        language = language or annotation.language
        entities = {m.key for m in annotation.mentions if m.kind == "entity"}
        countries = set(annotation.countries)
        events = {f"{e.type}@{e.date}" for e in annotation.events if e.date}
        events |= {f"@{e.date}" for e in annotation.events if e.date}
        lead_end = len(title or "") + _LEAD_CHARS
        lead = {m.key for m in annotation.mentions if m.kind == "entity" and 0 <= m.start < lead_end}
    return Signals(
        article_id=article_id,
        day=day_of(published),
        language=language,
        outlet=outlet,
        title=(title or "").strip(),
        entities=frozenset(entities),
        lead=frozenset(lead),
        countries=frozenset(countries),
        events=frozenset(events),
        numbers=frozenset(numbers),
        names=frozenset(names),
        words=frozenset(words),
    )


_SETS = (
    ("entities", "e:"),
    ("lead", "e:"),
    ("events", "v:"),
    ("numbers", "n:"),
    ("names", "p:"),
    ("words", "w:"),
)


@dataclass(frozen=True, slots=True)
class IdfTables:
    """Squared IDFs split by signal (``e``, ``v``, ``n``, ``p``, ``w``), keyed by the bare key.

    The clusterer builds them once per IDF refresh, so scoring a pair looks keys up without
    building a prefixed string or squaring per key. Same numbers as the flat table.
    """

    squared: Mapping[str, Mapping[str, float]]
    default: float  # squared IDF of an unseen key


def idf_tables(idf: Mapping[str, float]) -> IdfTables:
    """Split a flat :func:`idf_table` into :class:`IdfTables`."""
    squared: dict[str, dict[str, float]] = {prefix: {} for _, prefix in _SETS}
    for key, value in idf.items():
        prefix, _, bare = key.partition(":")
        table = squared.get(prefix + ":")
        if table is not None and bare:
            table[bare] = value**2
    return IdfTables(squared=squared, default=idf.get("", 1.0) ** 2)


def norms(s: Signals, idf: Mapping[str, float] | IdfTables) -> tuple[float, ...]:
    """Squared IDF norms of an article's key sets (computed once per article, reused for every pair)."""
    if isinstance(idf, IdfTables):
        d = idf.default
        return tuple(sum(idf.squared[prefix].get(k, d) for k in getattr(s, name)) for name, prefix in _SETS)
    default = idf.get("", 1.0)
    return tuple(sum(idf.get(prefix + k, default) ** 2 for k in getattr(s, name)) for name, prefix in _SETS)


def _cosine(
    a: frozenset[str], b: frozenset[str], idf: Mapping[str, float], prefix: str, na: float, nb: float
) -> float:
    if not a or not b or na <= 0 or nb <= 0:
        return 0.0
    shared = a & b
    if not shared:
        return 0.0
    default = idf.get("", 1.0)
    top = sum(idf.get(prefix + k, default) ** 2 for k in shared)
    return min(1.0, top / math.sqrt(na * nb))


def _fast_cosine(
    a: frozenset[str], b: frozenset[str], table: Mapping[str, float], d: float, na: float, nb: float
) -> float:
    if not a or not b or na <= 0 or nb <= 0:
        return 0.0
    shared = a & b
    if not shared:
        return 0.0
    return min(1.0, sum(table.get(k, d) for k in shared) / math.sqrt(na * nb))


def pair_features(
    a: Signals,
    b: Signals,
    idf: Mapping[str, float] | IdfTables,
    norms_a: tuple[float, ...] | None = None,
    norms_b: tuple[float, ...] | None = None,
) -> tuple[float, ...]:
    """Per-signal overlaps of two articles, in the order of :data:`FEATURES`.

    Args:
        a: one article's signals.
        b: the other's.
        idf: inverse document frequency per prefixed key (``e:``, ``v:``, ``n:``, ``p:``, ``w:``;
            ``""`` for an unseen key).
        norms_a: :func:`norms` of ``a`` (computed when not given).
        norms_b: :func:`norms` of ``b``.

    Returns:
        IDF-weighted cosines of entities, lead entities, events, numbers, names and words; the
        country Jaccard; 1.0 for the same language; 1.0 for the same day; the day gap, capped at 14.
    """
    na = norms_a if norms_a is not None else norms(a, idf)
    nb = norms_b if norms_b is not None else norms(b, idf)
    gap = abs(a.day - b.day) if a.day and b.day else 7
    countries = len(a.countries & b.countries) / len(a.countries | b.countries) if a.countries else 0.0
    if isinstance(idf, IdfTables):
        t, d = idf.squared, idf.default
        return (
            _fast_cosine(a.entities, b.entities, t["e:"], d, na[0], nb[0]),
            _fast_cosine(a.lead, b.lead, t["e:"], d, na[1], nb[1]),
            countries,
            _fast_cosine(a.events, b.events, t["v:"], d, na[2], nb[2]),
            _fast_cosine(a.numbers, b.numbers, t["n:"], d, na[3], nb[3]),
            _fast_cosine(a.names, b.names, t["p:"], d, na[4], nb[4]),
            _fast_cosine(a.words, b.words, t["w:"], d, na[5], nb[5]),
            1.0 if a.language and a.language == b.language else 0.0,
            1.0 if gap == 0 else 0.0,
            float(min(gap, 14)),
        )
    return (
        _cosine(a.entities, b.entities, idf, "e:", na[0], nb[0]),
        _cosine(a.lead, b.lead, idf, "e:", na[1], nb[1]),
        countries,
        _cosine(a.events, b.events, idf, "v:", na[2], nb[2]),
        _cosine(a.numbers, b.numbers, idf, "n:", na[3], nb[3]),
        _cosine(a.names, b.names, idf, "p:", na[4], nb[4]),
        _cosine(a.words, b.words, idf, "w:", na[5], nb[5]),
        1.0 if a.language and a.language == b.language else 0.0,
        1.0 if gap == 0 else 0.0,
        float(min(gap, 14)),
    )


def pair_score(features: tuple[float, ...], weights: tuple[float, ...] | None = None) -> float:
    """Probability-like score (0–1) that two articles report the same story."""
    weights = weights if weights is not None else WEIGHTS
    z = weights[-1] + sum(w * f for w, f in zip(weights, features, strict=False))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def score_pair(
    a: Signals, b: Signals, idf: IdfTables, norms_a: tuple[float, ...], norms_b: tuple[float, ...]
) -> float:
    """``pair_score(pair_features(a, b, idf, norms_a, norms_b))`` in one step, to the last bit.

    The clusterer's inner loop: no feature tuple, no per-signal call; the terms are added in the
    order of :data:`FEATURES`, so the result is the same float as the two-step form.
    """
    t, d = idf.squared, idf.default
    w = WEIGHTS
    cos = [
        _fast_cosine(a.entities, b.entities, t["e:"], d, norms_a[0], norms_b[0]),
        _fast_cosine(a.lead, b.lead, t["e:"], d, norms_a[1], norms_b[1]),
        _fast_cosine(a.events, b.events, t["v:"], d, norms_a[2], norms_b[2]),
        _fast_cosine(a.numbers, b.numbers, t["n:"], d, norms_a[3], norms_b[3]),
        _fast_cosine(a.names, b.names, t["p:"], d, norms_a[4], norms_b[4]),
        _fast_cosine(a.words, b.words, t["w:"], d, norms_a[5], norms_b[5]),
    ]
    gap = abs(a.day - b.day) if a.day and b.day else 7
    countries = len(a.countries & b.countries) / len(a.countries | b.countries) if a.countries else 0.0
    z = w[-1] + (
        w[0] * cos[0]
        + w[1] * cos[1]
        + w[2] * countries
        + w[3] * cos[2]
        + w[4] * cos[3]
        + w[5] * cos[4]
        + w[6] * cos[5]
        + w[7] * (1.0 if a.language and a.language == b.language else 0.0)
        + w[8] * (1.0 if gap == 0 else 0.0)
        + w[9] * float(min(gap, 14))
    )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def idf_table(document_frequency: Mapping[str, int] | Counter[str], documents: int) -> dict[str, float]:
    """Inverse document frequencies ``log((N + 1) / (df + 0.5))`` (``""``: an unseen key)."""
    n = max(documents, 1)
    table = {k: math.log((n + 1) / (df + 0.5)) for k, df in document_frequency.items()}
    table[""] = math.log((n + 1) / 0.5)
    return table
