"""The annotate stage's entry points: one article in, one :class:`~eurasiawatch.records.Annotation` out.

``annotate_text`` and ``annotate_article`` are pure: the knowledge base is passed in or comes from the
cached loader, nothing else is read, and both are plain module functions, so they pickle and run
unchanged on Dask workers. Mention offsets refer to ``title + "\\n\\n" + text`` when a title is given
(the title is read first because it says most about what the article is about), else to the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..errors import AnnotationError
from ..records import Annotation, Article, Event, Mention
from .countries import ArticleContext, resolve_countries
from .entities import resolve_entities
from .gazetteer import Gazetteer, load_gazetteer
from .kb import KnowledgeBase, load_kb
from .matcher import get_matcher
from .normalize import prepare_text, tokenize
from .sentences import split_sentences
from .themes import classify_themes

if TYPE_CHECKING:  # the model module pulls in scikit-learn: load it only where a model is used
    from .theme_model import ThemeModel

__all__ = ["MAX_CHARS", "annotate_article", "annotate_text", "annotation_record", "china_score"]

#: longest text annotated (characters); longer input is refused rather than cut silently
MAX_CHARS = 1_000_000
_MAX_JUNK_SHARE = 0.05
_LEAD_CHARS = 400
# china_related: tuned on the gold sets (see docs/annotate.md); weights of a Chinese reference
_TITLE_WEIGHT = 4.0
_LEAD_WEIGHT = 1.5
_THRESHOLD = 2.0
# organisations China founded and leads (and their summits): China is present through them, at half
# weight; not BRICS, where a membership piece is about the applicant (measured on tests/eval)
_CHINA_MEMBER_ORGS = frozenset({"shanghai-cooperation-organisation", "sco-summit"})
_MEMBER_ORG_WEIGHT = 0.5
_SOLE_ACTOR_BONUS = 1.0  # China the only country of its sentence: it acts there, it is not one of a list
_CHINA_NAMED = re.compile(r"\b(?:China|Chinese|Sino)\b")  # "China–Kyrgyzstan–Uzbekistan railway"
# control characters (Unicode category Cc) other than tab and line breaks, and the replacement character
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def _check(text: str) -> None:
    if not isinstance(text, str):
        raise AnnotationError(f"expected text, got {type(text).__name__}")
    if not text.strip():
        raise AnnotationError("empty text", hint="give the article's text or HTML")
    if len(text) > MAX_CHARS:
        raise AnnotationError(
            f"text too long: {len(text):,} characters (the limit is {MAX_CHARS:,})",
            hint="split the document or pass the article's text, not a whole archive",
        )
    sample = text[:20_000]
    junk = len(_JUNK.findall(sample))
    if junk > _MAX_JUNK_SHARE * len(sample):
        raise AnnotationError(
            f"not text: {junk} of the first {len(sample):,} characters are control or undecodable bytes",
            hint="is this a binary file?",
        )
    if not any(ch.isalpha() for ch in sample):
        raise AnnotationError("no words in the text")


def _is_chinese(m: Mention) -> bool:
    """A Chinese reference: CN itself, an actor based in China, or one named after China."""
    if m.key == "CN" or m.country == "CN":
        return True
    return m.kind == "entity" and not m.country and bool(_CHINA_NAMED.search(m.name))


def china_score(
    mentions: Sequence[Mention],
    title_end: int,
    lead_end: int,
    sentences: Sequence[tuple[int, int]] = (),
) -> float:
    """How much an article is about China: Chinese references, weighted by where they are.

    Args:
        mentions: the article's country and entity mentions.
        title_end: offset where the title ends (0 without a title).
        lead_end: offset where the lead (first paragraph or so) ends.
        sentences: (start, end) of the text's sentences; a Chinese reference that is the only country
            of its sentence (past the title) scores ``_SOLE_ACTOR_BONUS`` more, China acting there.

    Returns:
        The score; ``china_related`` is ``score >= 2``. The SCO and its summits (China's
        organisation) count at half weight.
    """
    score = 0.0
    for m in mentions:
        if _is_chinese(m):
            weight = 1.0
        elif m.key in _CHINA_MEMBER_ORGS:
            weight = _MEMBER_ORG_WEIGHT
        else:
            continue
        if m.start < title_end:
            score += _TITLE_WEIGHT * weight
        elif m.start < lead_end:
            score += _LEAD_WEIGHT * weight
        else:
            score += weight
        if weight == 1.0 and m.start >= title_end and _sole_country(m, mentions, sentences):
            score += _SOLE_ACTOR_BONUS
    return score


def _sole_country(m: Mention, mentions: Sequence[Mention], sentences: Sequence[tuple[int, int]]) -> bool:
    for start, end in sentences:
        if start <= m.start < end:
            others = {
                o.key if o.kind == "country" else o.country
                for o in mentions
                if start <= o.start < end and (o.kind == "country" or o.country)
            }
            return others <= {"CN"}
    return False


def _date_of(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise AnnotationError(f"bad publication date {value!r}", hint="use YYYY-MM-DD") from None


def _themes(
    text: str, language: str | None, mentions: Sequence[Mention], model: ThemeModel | None
) -> tuple[str, ...]:
    return tuple(classify_themes(text, language, mentions, model=model))


def _events(
    text: str, language: str | None, published: date | None, mentions: Sequence[Mention], article_id: str
) -> tuple[Event, ...]:
    try:
        from .events import extract_events
    except ImportError:  # events are written separately; until then an article has none
        return ()
    found = extract_events(text, language, published, mentions)
    return tuple(e if e.article_id == article_id else replace(e, article_id=article_id) for e in found)


def _detect_language(text: str) -> str | None:
    from ..extract.language import detect_language

    return detect_language(text)[0]


def annotate_text(
    text: str,
    *,
    title: str | None = None,
    language: str | None = None,
    published: date | datetime | str | None = None,
    kb: KnowledgeBase | None = None,
    article_id: str = "",
    gazetteer: Gazetteer | None = None,
    theme_model: ThemeModel | None = None,
) -> Annotation:
    """Annotate one article's text: language, countries, entities, themes, events, china_related.

    Args:
        text: the article's plain text.
        title: its headline, if known (weighs most for ``china_related``).
        language: ISO 639-1 code; None detects it.
        published: publication date, to resolve event dates ("on Tuesday").
        kb: the knowledge base; None loads the shipped one (cached).
        article_id: stamped on the annotation and its mentions and events.
        gazetteer: cities; None loads the default one (cached).
        theme_model: a trained theme model (``label train``); None uses the lexicon.

    Returns:
        The annotation, stamped with the knowledge base's and theme model's versions.

    Raises:
        AnnotationError: empty text, text over ``MAX_CHARS``, binary junk, or a bad date.
    """
    _check((title or "") + "\n" + (text if isinstance(text, str) else ""))
    if not isinstance(text, str):
        raise AnnotationError(f"expected text, got {type(text).__name__}")
    kb = kb if kb is not None else load_kb()
    gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
    day = _date_of(published)
    title = prepare_text(title.strip()) if title and title.strip() else ""
    body = prepare_text(text)
    doc = f"{title}\n\n{body}" if title else body
    lang = language or _detect_language(doc)
    tokens = tokenize(doc)
    hits = get_matcher(kb, lang).match(tokens)
    ctx = ArticleContext.build(tokens, lang, hits)
    countries = resolve_countries(ctx, kb, article_id=article_id, gazetteer=gazetteer)
    codes = tuple(sorted({m.key for m in countries}))
    entities = resolve_entities(ctx, kb, article_id=article_id, countries=frozenset(codes))
    mentions = tuple(sorted([*countries, *entities], key=lambda m: (m.start, m.kind)))
    title_end = len(title)
    lead_end = (title_end + 2 if title else 0) + min(len(body), _LEAD_CHARS)
    spans = tuple((x.start, x.end) for x in split_sentences(doc, lang))
    score = china_score(mentions, title_end, lead_end, spans)
    return Annotation(
        article_id=article_id,
        language=lang,
        china_related=score >= _THRESHOLD,
        countries=codes,
        mentions=mentions,
        themes=_themes(doc, lang, mentions, theme_model),
        events=_events(doc, lang, day, mentions, article_id),
        kb_version=kb.version,
        model_version=theme_model.version if theme_model is not None else "lexicon",
        extra={"china_score": f"{score:g}"},
    )


def annotate_article(article: Article, kb: KnowledgeBase | None = None, **options: Any) -> Annotation:
    """Annotate an extracted article (see :func:`annotate_text`).

    Args:
        article: the article; its title, language and publication date are used.
        kb: the knowledge base; None loads the shipped one (cached).
        **options: passed on to :func:`annotate_text` (``gazetteer``).

    Returns:
        The annotation, with the article's id.

    Raises:
        AnnotationError: the article's text cannot be annotated.
    """
    return annotate_text(
        article.text,
        title=article.title,
        language=article.language,
        published=article.published,
        kb=kb,
        article_id=article.article_id,
        **options,
    )


def annotation_record(annotation: Annotation, item_id: str | None = None) -> dict[str, Any]:
    """The ``eurasiawatch annotate`` output object of an annotation (the contract's JSON shape).

    Args:
        annotation: what ``annotate_text`` returned.
        item_id: the input's id (default: the annotation's article id).

    Returns:
        ``{"id", "language", "china_related", "countries", "entities", "themes", "events"}``
        with canonical English names; each entity once, in order of first mention.
    """
    entities: dict[str, dict[str, Any]] = {}
    for m in annotation.mentions:
        if m.kind == "entity" and m.key not in entities:
            entities[m.key] = {
                "name": m.name,
                "type": m.entity_type,
                "wikidata": m.wikidata,
                "country": m.country,
            }
    events = []
    for e in annotation.events:
        actors = []
        for country, entity in e.actors:
            actor: dict[str, Any] = {"country": country}
            if entity:
                actor["entity"] = entity
            actors.append(actor)
        events.append(
            {
                "type": e.type,
                "mode": e.mode,
                "date": e.date,
                "end_date": e.end_date,
                "upcoming": e.upcoming,
                "actors": actors,
                "location": e.location,
                "evidence": e.evidence,
            }
        )
    return {
        "id": annotation.article_id if item_id is None else item_id,
        "language": annotation.language,
        "china_related": annotation.china_related,
        "countries": list(annotation.countries),
        "entities": list(entities.values()),
        "themes": list(annotation.themes),
        "events": events,
    }
