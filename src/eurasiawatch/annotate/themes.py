"""Themes: the lexicon baseline, and the entry point that prefers a trained model when one is given.

Eight themes, multi-label: diplomacy, security, trade, energy, investment, technology, information,
society (see docs/themes.md for what counts). The baseline scores each theme from its lexicon in
``data/lexicons/themes.yaml``: two points per strong term, one per weak term (at most three weak
points), each distinct term counted at most twice, strong terms in the title (the first paragraph,
at most 300 characters) once more; a theme is given when its score reaches its threshold, scaled by
the article's length (a short item says less, a long one mentions more in passing), and a fraction
of the best theme's score.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ahocorasick

from ..records import Mention
from .lexicons import LANGUAGES, _term_pattern, compile_terms, load_lexicon

if TYPE_CHECKING:
    from .theme_model import ThemeModel

__all__ = ["THEMES", "classify_themes", "length_factor", "lexicon_themes", "theme_scores"]

THEMES = ("diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society")

# entity types from the knowledge base that say something about a theme on their own (one weak hit)
_ENTITY_HINTS = {"media": "information", "media outlet": "information"}
_WEAK_CAP = 3  # weak terms only tip a balance; many of them do not make a theme
_TITLE_CHARS = 300  # the title (first paragraph) weighs more: the story is announced there


def _group_terms(theme: str, strength: str, language: str) -> tuple[str, ...]:
    """The terms of one list in ``language`` (every language's when the lexicon has none for it)."""
    root = load_lexicon("themes")
    if theme == _AGENDA:
        lex = {lang: {strength: terms} for lang, terms in (root.get("agenda") or {}).items()}
    else:
        lex = root["themes"][theme]
    languages = (language,) if language in lex else tuple(lex)
    return tuple(t for lang in languages for t in lex[lang].get(strength, ()) if t.strip())


@functools.cache  # per (theme, language, strength): compiled once, read-only
def _pattern(theme: str, language: str, strength: str):  # type: ignore[no-untyped-def]
    return compile_terms(_group_terms(theme, strength, language))


@functools.cache
def _lexicon_languages() -> frozenset[str]:
    """Every language some theme has terms for (the shared LANGUAGES plus ky, tg, ka, az …)."""
    themes = load_lexicon("themes")["themes"]
    return frozenset(LANGUAGES).union(*(frozenset(themes[t]) for t in THEMES))


def _lang(language: str | None) -> str:
    code = (language or "").split("-")[0].lower()
    if code in ("hr", "bs", "sh", "cnr"):
        return "sr"  # the Serbian lists cover the shared Serbo-Croatian vocabulary
    return code if code in _lexicon_languages() else "*"


# "not": phrases that look like a theme's terms but are not the theme ("trade war", "energy security");
# a strong or weak match inside one does not count
_STRENGTHS = ("strong", "weak", "not")
# "agenda": words that make a sentence about talks or agreements ("signed", "documents", "discussed");
# a theme's strong term in such a sentence is a sector named as their subject, one point more
_AGENDA = "agenda"
_GROUPS = (*((theme, strength) for theme in THEMES for strength in _STRENGTHS), (_AGENDA, "terms"))
_LIST_GAP = 30  # characters between two sectors of one list ("energy, transport and")
_SENTENCE_END = re.compile(r"[.!?…;]+[\"'»”)]*\s+|\n+")


@functools.cache  # per language: built once, read-only afterwards
def _scanner(language: str) -> Any:
    """An Aho-Corasick automaton over the leading letters of every theme term of ``language``.

    Each key (a term's first word, lower case, without its ``*``) maps to (key length, entries);
    an entry is (group index in ``_GROUPS``, rank, the term; its regex is compiled when first
    needed). The rank is the term's place in its group's alternation (longest first, as in
    ``compile_terms``), so :func:`_scan` picks the same match the group's one-regex ``finditer`` would.
    """
    table: dict[str, list[tuple[int, int, str]]] = {}
    for group, (theme, strength) in enumerate(_GROUPS):
        terms = set(_group_terms(theme, strength, language))
        for rank, term in enumerate(sorted(terms, key=lambda t: (-len(t), t))):
            key = term.split()[0].rstrip("*").lower()
            table.setdefault(key, []).append((group, rank, term))
    automaton = ahocorasick.Automaton()
    for key, entries in table.items():
        automaton.add_word(key, (len(key), tuple(entries)))
    automaton.make_automaton()
    return automaton


@functools.cache  # compiled on first sight: most of a lexicon's terms never occur in a given run
def _term_regex(term: str) -> re.Pattern[str]:
    """One term's regex, with the word boundaries of ``compile_terms``."""
    return re.compile(r"(?<![\w])(?:" + _term_pattern(term) + r")(?![\w])", re.IGNORECASE)


def _scan(text: str, language: str) -> list[list[tuple[int, int, str]]] | None:
    """Every group's term matches in ``text``: (start, end, matched text in lower case) per match.

    One pass of the automaton finds where a term can start; the term's regex confirms it there. Per
    group, overlapping matches are resolved as ``finditer`` over the group's alternation does
    (leftmost first; at one position the longest term). None when lower-casing changes the text's
    length (offsets would not line up; the caller uses the regexes then).
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        return None
    candidates: list[tuple[int, int, int, int, str]] = []
    for end, (size, entries) in _scanner(language).iter(lowered):
        start = end - size + 1
        for group, rank, term in entries:
            m = _term_regex(term).match(text, start)
            if m is not None:
                candidates.append((group, start, rank, m.end(), m.group(0).lower()))
    candidates.sort()
    found: list[list[tuple[int, int, str]]] = [[] for _ in _GROUPS]
    last_group, last_end = -1, 0
    for group, start, _rank, end, surface in candidates:
        if group != last_group:
            last_group, last_end = group, 0
        if start >= last_end:
            found[group].append((start, end, surface))
            last_end = end
    return found


def _count(matches: Sequence[tuple[int, int, str]], limit: int | None = None) -> int:
    """Distinct matched words, each at most twice (only those ending by ``limit``, when given)."""
    counts = Counter(surface for _start, end, surface in matches if limit is None or end <= limit)
    return sum(min(n, 2) for n in counts.values())


def _outside(
    matches: list[tuple[int, int, str]], negative: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """The matches that do not overlap a "not" phrase."""
    if not negative:
        return matches
    return [m for m in matches if not any(m[0] < n_end and n_start < m[1] for n_start, n_end, _ in negative)]


def _regex_matches(pattern: object, text: str) -> list[tuple[int, int, str]]:
    if pattern is None:
        return []
    return [(m.start(), m.end(), m.group(0).lower()) for m in pattern.finditer(text)]  # type: ignore[attr-defined]


def theme_scores(text: str, language: str | None, mentions: Sequence[Mention] = ()) -> dict[str, float]:
    """The lexicon score of every theme for ``text`` (higher is stronger evidence).

    Args:
        text: the article text (title first, if there is one).
        language: ISO 639-1 code; unknown languages use every lexicon at once.
        mentions: entities found in the text; some entity types add a weak hit to a theme.

    Returns:
        A score for each of the eight themes.
    """
    lang = _lang(language)
    title = _title(text)
    bonus = float(load_lexicon("themes").get("title_bonus", 1))
    scores: dict[str, float] = {}
    # each outlet once: "CGTN reported … CGTN said" is one source line
    hinted = Counter(
        _ENTITY_HINTS[kind]
        for kind, _key in {(m.entity_type or "", m.key) for m in mentions}
        if kind in _ENTITY_HINTS
    )
    found = _scan(text, lang)
    matches: list[tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]] = []
    for index, theme in enumerate(THEMES):
        if found is not None:
            strong_matches, weak_matches, negative = found[3 * index : 3 * index + 3]
        else:  # rare: lower case changes the length (Turkish İ); one regex per theme and strength
            strong_matches, weak_matches, negative = (
                _regex_matches(_pattern(theme, lang, strength), text) for strength in _STRENGTHS
            )
        matches.append((_outside(strong_matches, negative), _outside(weak_matches, negative)))
    on_agenda = _agenda_themes(text, lang, found, [strong for strong, _weak in matches])
    agenda_bonus = float(load_lexicon("themes").get("agenda_bonus", 0))
    for theme, (strong_matches, weak_matches) in zip(THEMES, matches, strict=True):
        strong_hits, weak_hits = _count(strong_matches), _count(weak_matches)
        title_hits = _count(strong_matches, len(title)) if title else 0
        # an outlet of the theme's kind is one more weak hit (a source line alone is not the theme)
        weak_hits += hinted[theme]
        if strong_hits == 0:
            weak_hits = 0  # weak terms only count together with a strong one
        # a strong term in the title counts once more
        scores[theme] = 2.0 * strong_hits + min(weak_hits, _WEAK_CAP) + bonus * title_hits
        scores[theme] += agenda_bonus if theme in on_agenda else 0.0
    return scores


def _agenda_themes(
    text: str,
    language: str,
    found: list[list[tuple[int, int, str]]] | None,
    strong: list[list[tuple[int, int, str]]],
) -> set[str]:
    """Themes named as sectors on the agenda of talks or an agreement.

    In a sentence with an agenda word ("signed", "documents", "discussed"), strong terms of two or
    more themes other than diplomacy that stand next to each other (at most ``_LIST_GAP`` characters
    apart: "on energy and education", "trade, transport and energy") list the sectors the talks or
    documents cover; each theme in such a list is on the agenda. Themes far apart in a long sentence
    ("talks in Paris … the war in Ukraine") are not a list.
    """
    agenda = found[-1] if found is not None else _regex_matches(_pattern(_AGENDA, language, "terms"), text)
    if not agenda:
        return set()
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    sentences = {bisect.bisect_right(ends, start) for start, _end, _surface in agenda}
    named: list[tuple[int, int, int, str]] = []  # (sentence, start, end, theme)
    for theme, matches in zip(THEMES, strong, strict=True):
        if theme == "diplomacy":
            continue  # the talks themselves; not a sector on their agenda
        for start, end, _surface in matches:
            sentence = bisect.bisect_right(ends, start)
            if sentence in sentences:
                named.append((sentence, start, end, theme))
    named.sort()
    listed: set[str] = set()
    for (s1, _start1, end1, theme1), (s2, start2, _end2, theme2) in itertools.pairwise(named):
        if s1 == s2 and theme1 != theme2 and start2 - end1 <= _LIST_GAP:
            listed.update((theme1, theme2))
    return listed


def _title(text: str) -> str:
    """The title: the first paragraph when one is set off by a blank line, at most 300 characters."""
    head, sep, _ = text[: _TITLE_CHARS + 2].partition("\n\n")
    return head if sep else ""


def length_factor(chars: int) -> float:
    """How much the thresholds scale for a text of ``chars`` characters (``length_scale`` in the lexicon).

    (chars / reference) ** power, kept within [min, max]: a 500-character item needs about a third
    less evidence than a 1,000-character article, a 3,000-character one about twice as much.
    """
    scale = load_lexicon("themes").get("length_scale")
    if not scale or chars <= 0:
        return 1.0
    factor = (chars / float(scale["chars"])) ** float(scale["power"])
    return min(max(factor, float(scale["min"])), float(scale["max"]))


def lexicon_themes(
    text: str, language: str | None, mentions: Sequence[Mention] = (), *, threshold: float | None = None
) -> tuple[str, ...]:
    """The themes the lexicon baseline gives ``text``, in the canonical order.

    ``threshold`` replaces every per-theme threshold (and the length scaling) when given.
    """
    lex = load_lexicon("themes")
    scores = theme_scores(text, language, mentions)
    relative = float(lex.get("relative", 0)) * max(scores.values())
    per_theme = lex.get("thresholds", {}) if threshold is None else {}
    base = float(lex["threshold"]) if threshold is None else threshold
    factor = length_factor(len(text)) if threshold is None else 1.0
    return tuple(t for t in THEMES if scores[t] >= max(factor * float(per_theme.get(t, base)), relative))


def classify_themes(
    text: str,
    language: str | None,
    mentions: Sequence[Mention] = (),
    *,
    model: ThemeModel | None = None,
) -> tuple[str, ...]:
    """The article's themes (multi-label, canonical order).

    Args:
        text: the article text (title first, if there is one).
        language: ISO 639-1 code of the text, or None.
        mentions: countries and entities found in the text (offsets into ``text``).
        model: a trained theme model (``theme_model.load_model``); None uses the lexicon baseline.

    Returns:
        A tuple of theme names drawn from ``THEMES``.
    """
    if model is not None:
        return model.predict(text, language, mentions)
    return lexicon_themes(text, language, mentions)


def scores_by_theme(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Mean score per theme over several texts (used by the benchmark and docs)."""
    total: Counter[str] = Counter()
    for row in rows:
        total.update(row)
    return {t: total[t] / max(len(rows), 1) for t in THEMES}
