"""Who reported first, and the ranking of stories for a window (formula in ``docs/stories.md``).

Both are pure functions of a story's articles (their :class:`~.similarity.Signals`) plus what the
caller knows of outlets (kind) and of the editors' decisions (pins).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .similarity import Signals
from .stories import Story

__all__ = ["FirstReport", "RankWeights", "first_report", "rank_stories", "story_score"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstReport:
    """Who broke a story, and how far local-language coverage ran ahead of English coverage."""

    article_id: str
    outlet: str | None
    language: str | None
    first_english_day: int | None  # ordinal day of the first English article, None when none
    first_local_day: int | None  # ordinal day of the first non-English article, None when none

    @property
    def local_lead_days(self) -> int | None:
        """Days local-language coverage ran ahead of English (negative: English came first)."""
        if self.first_english_day is None or self.first_local_day is None:
            return None
        return self.first_english_day - self.first_local_day


def first_report(members: Iterable[Signals]) -> FirstReport | None:
    """The earliest article of a story (ties by id) and the local-vs-English lead, in days."""
    rows = sorted((s for s in members if s.day), key=lambda s: (s.day, s.article_id))
    if not rows:
        return None
    english = [s.day for s in rows if s.language == "en"]
    local = [s.day for s in rows if s.language and s.language != "en"]
    first = rows[0]
    return FirstReport(
        article_id=first.article_id,
        outlet=first.outlet,
        language=first.language,
        first_english_day=english[0] if english else None,
        first_local_day=local[0] if local else None,
    )


@dataclass(frozen=True, slots=True)
class RankWeights:
    """Weights of the ranking formula (see ``docs/stories.md``)."""

    independent: float = 1.0
    china: float = 1.0
    tracked: float = 0.5
    novelty: float = 1.0
    recency: float = 1.0
    pinned: float = 100.0
    half_life_days: float = 3.0


def story_score(
    story: Story,
    *,
    outlet_kinds: Mapping[str, str],
    china_share: float,
    tracked: frozenset[str],
    previous_actors: frozenset[str],
    window_end: int,
    weights: RankWeights | None = None,
) -> float:
    """The ranking score of one story for a window ending on ``window_end`` (ordinal day).

    score = independent·log2(1 + independent outlets) + china·(share of articles about China)
          + tracked·(tracked actors named) + novelty·(share of actors not in the previous window)
          + recency·0.5^((window_end − last day)/half-life) + pinned·[pinned]
    """
    w = weights or RankWeights()
    independent = sum(1 for o in story.outlets if outlet_kinds.get(o, "independent") == "independent")
    actors = set(story.actors)
    novelty = len(actors - previous_actors) / len(actors) if actors else 0.0
    last = story.last_day.toordinal() if story.last_day else window_end
    recency = 0.5 ** (max(0, window_end - last) / w.half_life_days)
    return (
        w.independent * math.log2(1 + independent)
        + w.china * china_share
        + w.tracked * len(actors & tracked)
        + w.novelty * novelty
        + w.recency * recency
        + (w.pinned if story.pinned else 0.0)
    )


def rank_stories(
    stories: Iterable[Story],
    *,
    outlet_kinds: Mapping[str, str],
    china_share: Mapping[str, float],
    tracked: frozenset[str] = frozenset(),
    previous_actors: frozenset[str] = frozenset(),
    window_end: int,
    weights: RankWeights | None = None,
) -> list[tuple[Story, float]]:
    """Visible stories of a window, best first (hidden ones left out; ties by story id).

    Args:
        stories: the window's stories.
        outlet_kinds: outlet → kind (independent, state, business, state-media).
        china_share: story id → share of its articles the annotator marked China-related.
        tracked: entity keys the correspondent tracks.
        previous_actors: entity keys of the previous window's stories (for novelty).
        window_end: ordinal day the window ends on.
        weights: the formula's weights.

    Returns:
        (story, score) pairs, highest score first.
    """
    scored = [
        (
            s,
            story_score(
                s,
                outlet_kinds=outlet_kinds,
                china_share=china_share.get(s.story_id, 0.0),
                tracked=tracked,
                previous_actors=previous_actors,
                window_end=window_end,
                weights=weights,
            ),
        )
        for s in stories
        if not s.hidden
    ]
    return sorted(scored, key=lambda x: (-x[1], x[0].story_id))
