"""Extractive summaries: pick the sentences that say most about a story, without saying it twice.

Sentences are taken word for word from the articles (dates and numbers stay exact), so the drafter
shows each one as an attributed quote (``> sentence [n]``) and flags the block ``verbatim`` until an
editor rewrites it. Scores favour sentences whose content words recur across the story's articles
(what several outlets agree on) and sentences near the top of an article; a sentence too close to
one already chosen (word overlap) is skipped, across sources as well as within one.

A story with no article in the edition's language gets :func:`structured_facts` instead: who, what,
when and where from the annotator's events and entities, in the edition's language.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..records import Annotation, Article, Event
from .citations import format_day, split_sentences

__all__ = [
    "Extract",
    "candidate_sentences",
    "event_phrase",
    "fact_sentence",
    "select_sentences",
    "structured_facts",
]

_TOKEN = re.compile(r"\w+", re.UNICODE)
_MIN_CHARS, _MAX_CHARS = 40, 320
# PLOVER event types in words, for sentences the drafter writes itself.
EVENT_WORDS = {
    "AGREE": "agreement",
    "CONSULT": "talks",
    "SUPPORT": "support",
    "CONCEDE": "concession",
    "COOPERATE": "cooperation",
    "AID": "aid",
    "RETREAT": "withdrawal",
    "REQUEST": "request",
    "ACCUSE": "accusation",
    "REJECT": "rejection",
    "THREATEN": "threat",
    "PROTEST": "protest",
    "SANCTION": "sanctions",
    "MOBILIZE": "military mobilisation or exercise",
    "COERCE": "coercion",
    "ASSAULT": "use of force",
}


# Sentences the drafter may write about an event: (past, scheduled) verb phrases. ``{a}`` is the
# first actor (or "A and B" for a meeting of equals), ``{b}`` the other side. Types whose
# wording would guess at what happened (CONCEDE, RETREAT) are left out: those stories are quoted.
_MUTUAL = {
    "AGREE": ("reached an agreement", "reach an agreement"),
    "CONSULT": ("held talks", "hold talks"),
    "COOPERATE": ("agreed to cooperate", "cooperate"),
    "MOBILIZE": ("held military exercises", "hold military exercises"),
}
_DIRECTED = {
    "SUPPORT": ("voiced support for {b}", "voice support for {b}"),
    "AID": ("provided aid to {b}", "provide aid to {b}"),
    "REQUEST": ("made a request to {b}", "make a request to {b}"),
    "ACCUSE": ("accused {b}", "accuse {b}"),
    "REJECT": ("rebuffed {b}", "rebuff {b}"),
    "THREATEN": ("threatened {b}", "threaten {b}"),
    "PROTEST": ("protested against {b}", "protest against {b}"),
    "SANCTION": ("imposed sanctions on {b}", "impose sanctions on {b}"),
    "COERCE": ("put pressure on {b}", "put pressure on {b}"),
    "ASSAULT": ("used force against {b}", "use force against {b}"),
}
# Entity kinds that can act in a sentence; media (the reporting agency), products, places and
# events cannot ("Moskvich threatened Viktor Orbán").
REAL_ENTITIES = frozenset({"person", "organisation", "company"})
_NOT_ACTORS = frozenset({"media"})  # the agency that reported it: dropped, the event stays


@dataclass(frozen=True, slots=True, kw_only=True)
class Extract:
    """A sentence taken from an article, with where it stood and its score."""

    text: str
    article_id: str
    paragraph: int
    index: int
    score: float = 0.0


def _words(text: str) -> set[str]:
    return {w.lower() for w in _TOKEN.findall(text) if len(w) > 3}


def candidate_sentences(article: Article) -> list[Extract]:
    """The article's sentences that could stand alone in a summary (not too short, not too long)."""
    paragraphs = article.paragraphs or tuple(p for p in article.text.split("\n\n") if p.strip())
    out = []
    for p, para in enumerate(paragraphs):
        for i, sentence in enumerate(split_sentences(para)):
            if _MIN_CHARS <= len(sentence) <= _MAX_CHARS and sentence[-1] in '.!?…"”»':
                out.append(Extract(text=sentence, article_id=article.article_id, paragraph=p, index=i))
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def select_sentences(
    articles: Sequence[Article],
    *,
    limit: int,
    exclude: Iterable[str] = (),
    per_article: int = 2,
    redundancy: float = 0.45,
) -> list[Extract]:
    """The best ``limit`` sentences of a story's articles, without near-repeats.

    Args:
        articles: the articles to draw from (one language, so overlap means agreement).
        limit: how many sentences to return.
        exclude: sentences already used elsewhere in the edition (they count as chosen).
        per_article: at most this many from one article, so several sources speak.
        redundancy: word-overlap (Jaccard) above which a sentence repeats a chosen one.

    Returns:
        Chosen sentences, best first.
    """
    candidates = [c for a in articles for c in candidate_sentences(a)]
    if not candidates:
        return []
    df: Counter[str] = Counter()
    for a in articles:
        df.update(_words(a.text))
    shared = {w for w, n in df.items() if n > 1} if len(articles) > 1 else set(df)
    scored = []
    for c in candidates:
        words = _words(c.text)
        centrality = len(words & shared) / (len(words) ** 0.5) if words else 0.0
        position = 1.0 / (1 + c.paragraph + 0.5 * c.index)
        scored.append((centrality + 2.0 * position, c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].article_id, sc[1].paragraph, sc[1].index))
    chosen: list[Extract] = []
    seen = [_words(t) for t in exclude]
    used: Counter[str] = Counter()
    for score, c in scored:
        words = _words(c.text)
        if used[c.article_id] >= per_article or any(_jaccard(words, s) > redundancy for s in seen):
            continue
        chosen.append(
            Extract(text=c.text, article_id=c.article_id, paragraph=c.paragraph, index=c.index, score=score)
        )
        seen.append(words)
        used[c.article_id] += 1
        if len(chosen) >= limit:
            break
    return chosen


def _actor_names(event: Event, annotation: Annotation) -> list[str]:
    countries = {m.key: m.name for m in annotation.mentions if m.kind == "country"}
    names: list[str] = []
    for country, entity in event.actors:
        name = entity or countries.get(country)
        if name and name not in names:
            names.append(name)
    return names


def event_phrase(event: Event, annotation: Annotation) -> str:
    """Who, what, when and where of an event, in English (no final full stop)."""
    who = _actor_names(event, annotation)
    what = EVENT_WORDS.get(event.type, event.type.lower())
    parts = [(" and ".join(who[:3]) + ": " if who else "") + what]
    if event.date:
        with contextlib.suppress(ValueError):
            parts.append(
                ("scheduled for " if event.upcoming else "") + format_day(date.fromisoformat(event.date))
            )
    if event.location:
        parts.append(f"in {event.location}")
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def _sentence_actors(event: Event, annotation: Annotation) -> list[str] | None:
    """The names an event's sentence may use, or None when an actor is not a real entity."""
    countries = {m.key: m.name for m in annotation.mentions if m.kind == "country"}
    kinds = {m.name: m.entity_type for m in annotation.mentions if m.kind == "entity"}
    names: list[str] = []
    for country, entity in event.actors:
        if entity is None:
            name = countries.get(country) if country else None
            if name is None:
                return None
        elif kinds.get(entity) in _NOT_ACTORS:
            continue
        elif kinds.get(entity) in REAL_ENTITIES and country:
            name = entity
        else:
            return None
        if name not in names:
            names.append(name)
    return names


def fact_sentence(event: Event, annotation: Annotation) -> str | None:
    """An English sentence stating an event ("On 3 July 2024, Xi Jinping and Viktor Orbán held talks").

    Only for events of a type with a wording, with actors tied to a country, at least one of them a
    named person, organisation or company and none of them anything else (a product, a place, an
    event); the reporting agency is not an actor. None otherwise (the source is quoted
    instead). No final full stop.
    """
    if event.mode in ("negated", "hypothetical") or not any(c for c, _ in event.actors):
        return None
    names = _sentence_actors(event, annotation)
    # two sides exactly: with three or more the annotator has usually merged several meetings
    if not names or len(names) != 2:
        return None
    # countries alone ("Belarus used force against Russia") are too often a background clause
    if not any(entity and entity in names for _, entity in event.actors):
        return None
    day = None
    if event.date:
        with contextlib.suppress(ValueError):
            day = format_day(date.fromisoformat(event.date))
    tense = 1 if event.upcoming else 0
    if event.type in _MUTUAL:
        who = " and ".join(names)
        verb = _MUTUAL[event.type][tense]
    elif event.type in _DIRECTED:
        who = names[0]
        verb = _DIRECTED[event.type][tense].format(b=names[1])
    else:
        return None
    where = f" in {event.location}" if event.location and event.location not in names else ""
    if event.upcoming:
        when = f" on {day}" if day else ""
        return (
            f"{who} are due to {verb}{where}{when}"
            if event.type in _MUTUAL
            else (f"{who} is due to {verb}{where}{when}")
        )
    return f"On {day}, {who} {verb}{where}" if day else f"{who} {verb}{where}"


def structured_facts(annotations: Sequence[Annotation], *, limit: int = 2) -> list[tuple[str, str]]:
    """(article id, sentence) stating a story's main events from the annotations, in English.

    Events with actors and a date come first; only events :func:`fact_sentence` can state are kept.
    """
    rows = []
    for n in annotations:
        for e in n.events:
            if e.mode in ("negated", "hypothetical"):
                continue
            rank = (0 if e.actors else 1, 0 if e.date else 1, 0 if e.mode == "asserted" else 1)
            rows.append((rank, n.article_id, e, n))
    rows.sort(key=lambda r: (r[0], r[2].date or "", r[1]))
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _, article_id, event, annotation in rows:
        phrase = fact_sentence(event, annotation)
        if phrase is None or phrase in seen:
            continue
        seen.add(phrase)
        out.append((article_id, phrase))
        if len(out) >= limit:
            break
    return out
