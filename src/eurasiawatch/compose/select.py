"""Which stories go where: the lead, three more, and short items from other countries.

Input is the window's ranked stories with their articles and annotations (:class:`StoryMaterial`),
best first. The lead is the top-ranked story; the next three become Three More Stories; Across The
Supercontinent takes the best remaining story of each country not yet covered (4 to 8 items).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..analyze.stories import Story
from ..records import Annotation, Article

__all__ = ["Selection", "StoryMaterial", "primary_country", "select_stories"]

MIN_ITEMS, MAX_ITEMS = 4, 8


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
    """The country a story is about besides China (the most mentioned other one), if any."""
    return next((c for c in story.countries if c != "CN"), None)


def select_stories(materials: Sequence[StoryMaterial], *, more: int = 3) -> Selection:
    """Place the window's stories (best first) in the edition's sections."""
    usable = [m for m in materials if m.articles]
    if not usable:
        return Selection(lead=None, more=(), supercontinent=())
    lead, rest = usable[0], usable[1:]
    chosen_more = tuple(rest[:more])
    taken = {primary_country(m.story) for m in (lead, *chosen_more)}
    items: list[tuple[str, StoryMaterial]] = []
    leftovers = []
    for m in rest[more:]:
        country = primary_country(m.story)
        if country and country not in taken and len(items) < MAX_ITEMS:
            taken.add(country)
            items.append((country, m))
        else:
            leftovers.append(m)
    # fewer than four countries: fill up with the best remaining stories that name a country
    for m in leftovers:
        if len(items) >= MIN_ITEMS:
            break
        country = primary_country(m.story)
        if country:
            items.append((country, m))
    return Selection(lead=lead, more=chosen_more, supercontinent=tuple(items))
