"""PLOVER events per sentence: type from trigger lexicons, actors from mentions, date, mode.

For each sentence (``sentences.split_sentences``), every event type whose trigger appears
(``data/lexicons/events.yaml``) yields an event. Its actors are the countries mentioned in the
sentence (and the entities there, with their home country), falling back to the article's main
countries when the sentence names none. Its mode comes from cue words in the sentence — negated
("without a deal", "без договорённости"), hypothetical ("may sign", "может подписать"), planned
("plans to build", "will visit", "планирует") — so a promised deal is never a signed one. Its date is
the first date in the sentence, resolved against the publication date (an asserted event with none
takes the day the lead names, else the publication day); ``upcoming`` is true when that
date lies after publication. Events repeating the same type and mode are kept once (the first,
usually the lead's); a sentence naming one country is paired with the article's main other country
(an event has two sides);
past the lead, a trigger needs an actor in its sentence, and the generic COOPERATE both sides. Of the
candidates, at most ``_MAX_EVENTS`` are kept, ranked by position, named sides, mode and type.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from datetime import date

from ..records import Event, Mention
from .dates import find_dates, first_date
from .lexicons import LANGUAGES, compile_terms, load_lexicon
from .sentences import Sentence, split_sentences

__all__ = ["EVENT_TYPES", "MODES", "detect_mode", "extract_events"]

EVENT_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
MODES = ("asserted", "negated", "hypothetical", "planned")
_MAX_TYPES_PER_SENTENCE = (
    1  # the most specific type only: a second one was trigger noise more often than not (measured)
)
_COMPANION_TYPES = ("CONSULT",)  # kept beside the sentence's most specific type
_MAIN_COUNTRIES = 2
_MIN_SIDES = 2
_MAX_EVENTS = 3  # an article reports a few events; more were trigger noise (tuned on the sample corpus)
_LEAD_SENTENCES = 3  # the title and the lead may lean on the article's main countries
# ranking of an article's candidate events (tuned on the sample corpus, checked on the other sets):
# one point per sentence from the top; these bonuses and penalties move an event up or down
_OWN_ACTORS_BONUS = 0.5  # per side (up to two) named in the sentence itself
_ASSERTED_BONUS = 3.0  # reports of what happened outrank plans and conditionals
_GENERIC_PENALTY = {"COOPERATE": 3.0}  # "built", "opened", "launched": mostly background
_GENERIC_MIN_OWN = {"COOPERATE": 2}  # past the lead, only where both sides are named
_LEAD_WINDOW_DAYS = 7
_ANY_DAY = date(
    2000, 1, 1
)  # only to locate dates, never to resolve them  # fallback actors: the article's most mentioned countries


def _lang(language: str | None) -> str:
    code = (language or "").split("-")[0].lower()
    if code in ("hr", "bs", "sh", "cnr"):
        return "sr"
    return code if code in LANGUAGES else "*"


@functools.cache  # compiled once per (section, key, language); read-only
def _pattern(section: str, key: str, language: str):  # type: ignore[no-untyped-def]
    table = load_lexicon("events")[section][key]
    languages = (language,) if language in table else tuple(table)
    terms: list[str] = []
    for lang in languages:
        terms.extend(table[lang])
    return compile_terms(tuple(terms))


def detect_mode(sentence: str, language: str | None) -> str:
    """The sentence's mode: negated, hypothetical, planned or asserted (cues checked in that order)."""
    lang = _lang(language)
    # blank out dates first: "May 20" is not the modal "may", "6-may" not a cue either
    for span in reversed(find_dates(sentence, language, _ANY_DAY)):
        sentence = sentence[: span.begin] + " " * (span.stop - span.begin) + sentence[span.stop :]
    for mode in ("negated", "hypothetical", "planned"):
        pattern = _pattern("modes", mode, lang)
        if pattern is not None and pattern.search(sentence):
            return mode
    return "asserted"


def _types(sentence: str, lang: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for event_type in load_lexicon("events")["priority"]:
        pattern = _pattern("triggers", event_type, lang)
        match = pattern.search(sentence) if pattern is not None else None
        if match:
            found.append((match.start(), event_type))
    # keep the priority order (specific types first), then the earliest trigger breaks ties
    types = [t for _, t in found]
    kept = types[:_MAX_TYPES_PER_SENTENCE]
    # a meeting is reported with its outcome ("held talks and signed"): both are events
    kept.extend(t for t in types[_MAX_TYPES_PER_SENTENCE:] if t in _COMPANION_TYPES)
    return kept


def _actors(
    mentions: Sequence[Mention], start: int, end: int, fallback: tuple[str, ...]
) -> tuple[tuple[str, str | None], ...]:
    countries: list[str] = []
    entities: list[tuple[str, str | None]] = []
    for m in sorted(mentions, key=lambda m: m.start):
        if m.start < start or m.end > end or m.start < 0:
            continue
        if m.kind == "country" and m.key not in countries:
            countries.append(m.key)
        elif m.kind == "entity" and m.country:
            entities.append((m.country, m.name))
    if not countries and not entities:
        return tuple((c, None) for c in fallback)
    actors: list[tuple[str, str | None]] = []
    for country, name in entities:
        if (country, name) not in actors:
            actors.append((country, name))
    named = {c for c, _ in actors}
    actors.extend((c, None) for c in countries if c not in named)
    return tuple(actors)


def _main_countries(mentions: Sequence[Mention]) -> tuple[str, ...]:
    counts = Counter(m.key for m in mentions if m.kind == "country")
    counts.update(m.country for m in mentions if m.kind == "entity" and m.country)
    return tuple(c for c, _ in counts.most_common(_MAIN_COUNTRIES))


def _location(mentions: Sequence[Mention], start: int, end: int) -> str | None:
    for m in mentions:
        if start <= m.start and m.end <= end and (m.entity_type or "") in ("city", "place", "location"):
            return m.name
    return None


def _lead_date(sentences: Sequence[Sentence], language: str | None, published: date | None) -> date | None:
    """The date of the news: a day named in the lead within the week before publication, else that day.

    News reports what happened in the past day or two; an asserted event whose sentence names no date
    took place then (the lead usually names the day: "on Tuesday", "yesterday").
    """
    if published is None:
        return None
    for sentence in sentences[:3]:
        span = first_date(sentence.text, language, published)
        if span and span.precision == "day" and 0 <= (published - span.start).days <= _LEAD_WINDOW_DAYS:
            return span.start
    return published


def _fill_actors(
    actors: tuple[tuple[str, str | None], ...], main: tuple[str, ...]
) -> tuple[tuple[str, str | None], ...]:
    """An event has two sides: a sentence naming one country pairs it with the article's main other one."""
    countries = {c for c, _ in actors}
    if len(countries) >= 2:
        return actors
    extra = [(c, None) for c in main if c not in countries][: _MIN_SIDES - len(countries)]
    return (*actors, *extra)


def _rank(event: Event, index: int, own: int) -> tuple[float, int]:
    """Higher first: early sentences, sentences naming both sides, asserted reports, specific types."""
    score = -float(index)
    score += _OWN_ACTORS_BONUS * min(own, 2)
    if event.mode == "asserted":
        score += _ASSERTED_BONUS
    score -= _GENERIC_PENALTY.get(event.type, 0.0)
    return (score, -index)


def extract_events(
    text: str,
    language: str | None,
    published: date | None,
    mentions: Sequence[Mention],
    *,
    article_id: str = "",
) -> tuple[Event, ...]:
    """PLOVER events reported in ``text``.

    Args:
        text: the article text; ``mentions`` offsets point into it.
        language: ISO 639-1 code of the text (unknown languages use every lexicon).
        published: the publication date, to resolve dates without a year, weekdays and "yesterday".
        mentions: countries and entities found in ``text`` (from the matcher).
        article_id: stamped on each event.

    Returns:
        The article's main events (at most ``_MAX_EVENTS``), in text order, one per (type, mode).
    """
    lang = _lang(language)
    fallback = _main_countries(mentions)
    sentences = split_sentences(text, language)
    default_day = _lead_date(sentences, language, published)
    seen: set[tuple[str, str]] = set()
    candidates: list[tuple[tuple[float, int], int, Event]] = []
    for index, sentence in enumerate(sentences):
        types = _types(sentence.text, lang)
        if not types:
            continue
        own = _actors(mentions, sentence.start, sentence.end, ())
        if not own and index >= _LEAD_SENTENCES:
            continue  # a trigger far from any actor is background, not the news
        mode = detect_mode(sentence.text, language)
        if len({c for c, _ in own}) < _GENERIC_MIN_OWN.get(types[0], 0) and index >= _LEAD_SENTENCES:
            continue  # generic triggers ("built", "met") count only where both sides are named
        actors = _fill_actors(own or tuple((c, None) for c in fallback), fallback)
        if not actors:
            continue
        span = first_date(sentence.text, language, published, prefer_future=mode == "planned")
        day = span.start if span else (default_day if mode == "asserted" else None)
        end_day = span.end if span else None
        for event_type in types:
            key = (event_type, mode)
            if key in seen:
                continue
            seen.add(key)
            event = Event(
                article_id=article_id,
                type=event_type,
                mode=mode,
                date=day.isoformat() if day else None,
                end_date=end_day.isoformat() if end_day else None,
                upcoming=bool(day and published and day > published),
                actors=actors,
                location=_location(mentions, sentence.start, sentence.end),
                evidence=sentence.text,
            )
            candidates.append((_rank(event, index, len({c for c, _ in own})), index, event))
    kept = sorted(candidates, key=lambda c: c[0], reverse=True)[:_MAX_EVENTS]
    return tuple(e for _, _, e in sorted(kept, key=lambda c: c[1]))
