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
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..records import Annotation, Article, Event
from .citations import format_day, split_sentences

__all__ = [
    "Extract",
    "Fact",
    "candidate_sentences",
    "event_phrase",
    "fact_sentence",
    "grounded",
    "informativeness",
    "select_sentences",
    "story_facts",
    "structured_facts",
    "trim_quote",
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


# Sentences a reader learns nothing from on their own: agency boilerplate, links, "read also".
_BOILERPLATE = re.compile(
    r"\b(?:read (?:also|more)|subscribe|all rights reserved|follow us|click here|sign up|"
    r"читайте также|подписывайтесь|читайте нас|все права защищены|читайте також|"
    r"(?:said|says|told) (?:in a statement|reporters|journalists)(?:\.|$))",
    re.IGNORECASE,
)
# A sentence opening with a pronoun leans on the one before it, which the reader does not see.
_LEANS_BACK = re.compile(
    r"^(?:He|She|It|They|This|That|These|Those|Its|Their|His|Her|Он|Она|Оно|Они|Это|Этот|Эта|"
    r"Він|Вона|Вони|Це|Ол|Бұл|Bu|Ona|Oni|Ez|Ő)\b"
)
_FIGURE = re.compile(r"\d")
_NAME = re.compile(r"(?<=[\w,;:] )[A-ZА-ЯЁІЇЄЎҚҒҮҰӘӨҺŞÇÖÜŐŰÁÉ][\w'’-]+", re.UNICODE)


def informativeness(text: str) -> float:
    """A bonus for sentences that carry figures and named actors, a penalty for ones that say nothing alone.

    Figures (any digit: amounts, dates, counts) add 0.5; each name after the first word adds 0.25
    (up to three); boilerplate ("read also", "said in a statement.") subtracts 1.5, and so does a sentence
    that opens with a pronoun (it leans on one the reader does not see).
    """
    score = 0.5 if _FIGURE.search(text) else 0.0
    score += 0.25 * min(3, len(_NAME.findall(text)))
    if _BOILERPLATE.search(text):
        score -= 1.5
    if _LEANS_BACK.match(text):
        score -= 1.5
    return score


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


def _repeats(a: set[str], b: set[str], redundancy: float) -> bool:
    """Whether two sentences say the same: much overlap, or the shorter's words nearly all in the other."""
    if not a or not b:
        return False
    return _jaccard(a, b) > redundancy or len(a & b) / min(len(a), len(b)) > 0.75


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
        redundancy: word-overlap (Jaccard) above which a sentence repeats a chosen one; a sentence
            whose words are more than three quarters inside a chosen one (or the other way round)
            repeats it too.

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
        scored.append((centrality + 2.0 * position + informativeness(c.text), c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].article_id, sc[1].paragraph, sc[1].index))
    chosen: list[Extract] = []
    seen = [_words(t) for t in exclude]
    used: Counter[str] = Counter()
    for score, c in scored:
        words = _words(c.text)
        if used[c.article_id] >= per_article or any(_repeats(words, s, redundancy) for s in seen):
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


def fact_sentence(event: Event, annotation: Annotation, *, today: date | None = None) -> str | None:
    """An English sentence stating an event ("On 3 July 2024, Xi Jinping and Viktor Orbán held talks").

    Only for events of a type with a wording, with actors tied to a country, at least one of them a
    named person, organisation or company and none of them anything else (a product, a place, an
    event); the reporting agency is not an actor. None otherwise (the source is quoted
    instead). No final full stop.

    The mode decides the wording: an asserted event is stated as done; a planned or upcoming one
    as due ("are due to hold talks on 20 July 2024"; "were due to" when that day is before
    ``today``; "plans to" without a day); a hypothetical one with "may"; a negated one not at all.
    """
    if event.mode == "negated" or not any(c for c, _ in event.actors):
        return None
    names = _sentence_actors(event, annotation)
    # two sides exactly: with three or more the annotator has usually merged several meetings
    if not names or len(names) != 2:
        return None
    # countries alone ("Belarus used force against Russia") are too often a background clause
    if not any(entity and entity in names for _, entity in event.actors):
        return None
    day = None
    iso: date | None = None
    if event.date:
        with contextlib.suppress(ValueError):
            iso = date.fromisoformat(event.date)
            day = format_day(iso)
    future = event.upcoming or event.mode in ("planned", "hypothetical")
    tense = 1 if future else 0
    mutual = event.type in _MUTUAL
    if mutual:
        who = " and ".join(names)
        verb = _MUTUAL[event.type][tense]
    elif event.type in _DIRECTED:
        who = names[0]
        verb = _DIRECTED[event.type][tense].format(b=names[1])
    else:
        return None
    where = f" in {event.location}" if event.location and event.location not in names else ""
    if event.mode == "hypothetical":
        return f"{who} may {verb}{where}"
    if future:
        if day is None:
            return f"{who} {'plan' if mutual else 'plans'} to {verb}{where}"
        if today is not None and iso is not None and iso < today:
            return f"{who} {'were' if mutual else 'was'} due to {verb}{where} on {day}"
        return f"{who} {'are' if mutual else 'is'} due to {verb}{where} on {day}"
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """A sentence the drafter states about a story's event, and every article that reports it.

    ``article_ids`` starts with the article whose evidence names every side of the event.
    """

    text: str  # no final full stop
    article_ids: tuple[str, ...]
    mode: str = "asserted"
    day: str | None = None


def _document(article: Article) -> tuple[str, int]:
    """The annotator's document (``title + "\\n\\n" + body``, NFC) and where the body starts."""
    title = (
        unicodedata.normalize("NFC", article.title.strip()) if article.title and article.title.strip() else ""
    )
    body = unicodedata.normalize("NFC", article.text)
    return (f"{title}\n\n{body}" if title else body), (len(title) + 2 if title else 0)


def grounded(event: Event, annotation: Annotation, article: Article) -> bool:
    """Whether the event's own sentence names every side a fact sentence would state.

    The annotator may take a side from the sentence before or from the article's subject ("Joe Biden
    and China reached an agreement" from a sentence about Biden's speech); such an event is low
    confidence and not stated. The reporting agency is not a side.
    """
    return _side_positions(event, annotation, article) is not None


def _side_positions(event: Event, annotation: Annotation, article: Article) -> list[int] | None:
    """Where each side is first named in the event's own sentence (None: a side is not named there)."""
    doc, _ = _document(article)
    evidence = unicodedata.normalize("NFC", event.evidence.strip())
    if not evidence:
        return None
    start = doc.find(evidence)
    if start < 0:
        return None
    end = start + len(evidence)
    inside = [m for m in annotation.mentions if start <= m.start < end]
    kinds = {m.name: m.entity_type for m in annotation.mentions if m.kind == "entity"}
    positions = []
    for country, entity in event.actors:
        if entity is not None:
            if kinds.get(entity) in _NOT_ACTORS:
                continue
            at = [m.start for m in inside if m.kind == "entity" and m.name == entity]
        else:
            at = [m.start for m in inside if m.kind == "country" and m.key == country]
        if not at:
            return None
        positions.append(min(at))
    return positions


def _in_order(event: Event, annotation: Annotation, article: Article) -> bool:
    """Whether the doer is named before the other side in the event's sentence ("A Russian missile struck
    Okhmatdyt": Russia first), as it is in an active sentence; a passive one is not stated."""
    positions = _side_positions(event, annotation, article)
    return positions is not None and positions == sorted(positions)


def story_facts(
    articles: Sequence[Article],
    annotations: Sequence[Annotation],
    *,
    today: date | None = None,
    limit: int = 2,
) -> list[Fact]:
    """The events of a story the drafter may state, most reported first.

    An event is stated only when :func:`fact_sentence` has a wording for it and it is confident:
    at least two articles of the story give the same sentence (same type, sides, order, day and
    mode), and in at least one of them the event's own sentence names every side
    (:func:`grounded`) — for a type with a direction ("X imposed sanctions on Y"), the doer first.
    Asserted events come before planned ones, hypothetical ones last; among equals, the one more
    articles report.
    """
    by_id = {a.article_id: a for a in articles}
    found: dict[str, list[str]] = {}
    grounded_in: dict[str, list[str]] = {}
    info: dict[str, Event] = {}
    for n in annotations:
        article = by_id.get(n.article_id)
        if article is None:
            continue
        for e in n.events:
            text = fact_sentence(e, n, today=today)
            if text is None:
                continue
            info.setdefault(text, e)
            ids = found.setdefault(text, [])
            if n.article_id not in ids:
                ids.append(n.article_id)
            sure = _in_order(e, n, article) if e.type in _DIRECTED else grounded(e, n, article)
            if sure and n.article_id not in grounded_in.setdefault(text, []):
                grounded_in[text].append(n.article_id)
    modes = {"asserted": 0, "planned": 1, "hypothetical": 2}
    facts = []
    for text, ids in found.items():
        e = info[text]
        first = grounded_in.get(text, [])
        if not first or len(ids) < 2:
            continue
        order = first + [i for i in ids if i not in first]
        facts.append(Fact(text=text, article_ids=tuple(order), mode=e.mode, day=e.date))
    facts.sort(key=lambda f: (modes.get(f.mode, 3), -len(f.article_ids), f.day or "", f.text))
    return facts[:limit]


# A dateline before the first words ("BEIJING, July 8 (Xinhua) -- ", "KYIV — "): the quote starts after it.
_QUOTE_DATELINE = re.compile(
    r"^\s*(?P<city>[^\W\d]+(?:[ -][^\W\d]+)?)(?P<rest>,[^.!?\n]{0,50}?)?\s(?:—|–|--)\s+(?=[^\W\d_])"
)
# Where a long sentence can end early and still say its main thing: before a second clause.
_CLAUSE_BREAK = re.compile(
    r"(?:; |: |, (?:which|while|whose|where|extending|making|adding|in what|"
    r"который|которая|которое|которые|где|хотя|при этом|що|який|яка|де|amely|aki|ahol|koji|koja|koje) | — )"
)
QUOTE_CHARS = 200  # a quote longer than this is cut at its first clause break past QUOTE_MIN_CHARS
QUOTE_MIN_CHARS = 70


def trim_quote(text: str) -> str:
    """The informative part of a sentence quoted word for word.

    A dateline before the first words goes; a sentence longer than ``QUOTE_CHARS`` ends at its first
    clause break after ``QUOTE_MIN_CHARS`` characters, marked with an ellipsis, unless the rest
    holds a figure or a day. What is left is a
    piece of the outlet's sentence, word for word.
    """
    out = text.strip()
    m = _QUOTE_DATELINE.match(out)
    if m and (m["rest"] or m["city"].isupper()) and out[m.end()].isupper():
        out = out[m.end() :]
    if len(out) > QUOTE_CHARS:
        for brk in _CLAUSE_BREAK.finditer(out, QUOTE_MIN_CHARS):
            head = out[: brk.start()].rstrip(" ,;:—")
            tail = out[len(head) :]
            balanced = all(head.count(a) == head.count(b) for a, b in ("«»", "()", "„”", "“”"))
            # a clause with a figure or a day is worth its length: that sentence stays whole
            if len(tail) >= 30 and balanced and not _FIGURE.search(tail):
                return head + "…"
    return out
