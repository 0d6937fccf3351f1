"""Which stories go where: the lead, three more, and short items from other countries.

Input is the window's ranked stories with their articles and annotations (:class:`StoryMaterial`),
best first. The lead is the top-ranked story; the next three become Three More Stories; Across The
Supercontinent takes the best remaining story of each country of the region not yet covered (4 to 8
items), or of a part of the region (Central Asia) when a story is about several of its countries.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..analyze.stories import Story
from ..records import Annotation, Article
from ..render.choropleth import REGION

__all__ = [
    "Selection",
    "StoryMaterial",
    "country_weights",
    "primary_country",
    "select_stories",
    "story_country",
    "story_place",
]

MIN_ITEMS, MAX_ITEMS = 4, 8
# How much a country mention counts by where it stands: the headline and the lead say what a story is about.
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
LEAD_CHARS = 400  # the annotator's lead (annotate/annotator.py)
# "PRAGUE — ", "ASTANA, July 3 (Xinhua) -- ", "ДУШАНБЕ, 5 июля (CGTN) — ": where the outlet files from
# (a city of one or two words, in capitals or followed by a comma, then a dash)
_DATELINE = re.compile(r"^\s*(?P<city>[^\W\d]+(?:[ -][^\W\d]+)?)(?P<rest>,[^.!?\n]{0,50}?)?\s(?:—|–|--)\s")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryMaterial:
    """A ranked story with its articles (oldest first) and their annotations."""

    story: Story
    score: float
    articles: tuple[Article, ...]
    annotations: tuple[Annotation, ...] = ()

    def in_language(self, language: str) -> tuple[Article, ...]:
        """The story's articles in one language."""
        return tuple(a for a in self.articles if a.language == language)


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """Stories by place in the edition."""

    lead: StoryMaterial | None
    more: tuple[StoryMaterial, ...]
    supercontinent: tuple[tuple[str, StoryMaterial], ...]  # (country code, story)


def primary_country(story: Story) -> str | None:
    """The first country of a story's list besides China, if any (no annotations to weigh)."""
    return next((c for c in story.countries if c != "CN"), None)


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def country_weights(material: StoryMaterial) -> dict[str, float]:
    """Weighted country mentions (China left out) across a story's articles.

    Mention offsets refer to the annotator's document, ``title + "\\n\\n" + body``: a mention in
    the title weighs ``TITLE_WEIGHT``, in the first ``LEAD_CHARS`` of the body ``LEAD_WEIGHT``, later
    ``BODY_WEIGHT``; each article's weights are turned into shares, so a long article repeating a
    neighbour does not outvote the others. A mention in the dateline ("PRAGUE —") names where the
    outlet files from, not what the story is about, and does not count.
    """
    by_id = {a.article_id: a for a in material.articles}
    weights: dict[str, float] = defaultdict(float)
    for n in material.annotations:
        article = by_id.get(n.article_id)
        if article is None:
            continue
        title = _nfc(article.title.strip()) if article.title and article.title.strip() else ""
        body_start = len(title) + 2 if title else 0
        dateline = _DATELINE.match(_nfc(article.text))
        if dateline and not (dateline["rest"] or dateline["city"].isupper()):
            dateline = None
        dateline_end = body_start + (dateline.end() if dateline else 0)
        mine: dict[str, float] = defaultdict(float)
        for m in n.mentions:
            if m.kind != "country" or m.key == "CN":
                continue
            if m.start < 0:
                mine[m.key] += BODY_WEIGHT
            elif m.start < len(title):
                mine[m.key] += TITLE_WEIGHT
            elif body_start <= m.start < dateline_end:
                continue
            elif m.start < body_start + LEAD_CHARS:
                mine[m.key] += LEAD_WEIGHT
            else:
                mine[m.key] += BODY_WEIGHT
        # each article has one say, however long it is: shares, not raw counts, add up
        total = sum(mine.values())
        for key, w in mine.items():
            weights[key] += w / total
    return weights


def story_country(material: StoryMaterial) -> str | None:
    """The country a story is about besides China: the most mentioned one, weighted by title and lead.

    Ties go to the story's own country order; a story without annotations falls back to
    :func:`primary_country`.
    """
    weights = country_weights(material)
    if not weights:
        return primary_country(material.story)
    order = {c: i for i, c in enumerate(material.story.countries)}
    return min(weights, key=lambda c: (-weights[c], order.get(c, len(order)), c))


# Parts of the region a story can be about as a whole ("Xi's Central Asian week"): key, name, members.
SUBREGIONS = (("central-asia", "Central Asia", frozenset({"KZ", "KG", "TJ", "TM", "UZ"})),)
SUBREGION_NAMES = {key: name for key, name, _ in SUBREGIONS}


def story_place(material: StoryMaterial) -> str | None:
    """What an Across The Supercontinent item is labelled with: a country, or a part of the region.

    A story that names three or more countries of one part of the region (Central Asia) whose
    weights together outweigh :func:`story_country`'s pick is about that part, unless that pick is
    one of them and has half their weight ("Xi and Rahmon in Dushanbe" stays Tajikistan). "Xi's
    week in Central Asia" is not about Russia because a Moscow paper's headline names Moscow.
    """
    weights = country_weights(material)
    country = story_country(material)
    if weights and country is not None:
        for key, _, members in SUBREGIONS:
            inside = [w for c, w in weights.items() if c in members]
            if len(inside) < 3 or sum(inside) <= weights.get(country, 0.0):
                continue
            # a story about one of the members ("Xi and Rahmon in Dushanbe") keeps its country
            if country not in members or max(inside) < sum(inside) / 2:
                return key
    return country


def _in_region(place: str | None) -> bool:
    return place is not None and (place in REGION or place in SUBREGION_NAMES)


def select_stories(materials: Sequence[StoryMaterial], *, more: int = 3) -> Selection:
    """Place the window's stories (best first) in the edition's sections."""
    usable = [m for m in materials if m.articles]
    if not usable:
        return Selection(lead=None, more=(), supercontinent=())
    lead, rest = usable[0], usable[1:]
    chosen_more = tuple(rest[:more])
    taken = {story_country(m) for m in (lead, *chosen_more)}
    items: list[tuple[str, StoryMaterial]] = []
    leftovers = []
    for m in rest[more:]:
        country = story_place(m)
        # the briefing's region only: a story about Washington is not news "across the supercontinent"
        if country and _in_region(country) and country not in taken and len(items) < MAX_ITEMS:
            taken.add(country)
            items.append((country, m))
        else:
            leftovers.append(m)
    # fewer than four countries: fill up with the best remaining stories that name a country
    for m in leftovers:
        if len(items) >= MIN_ITEMS:
            break
        country = story_place(m)
        if country and _in_region(country):
            items.append((country, m))
    return Selection(lead=lead, more=chosen_more, supercontinent=tuple(items))
