"""The engagement series: per country and theme, per week, how much China-related activity was reported.

Each weekly point counts two things for a country (ISO code, China itself excluded) and a theme
(or ``all``), and keeps the evidence for both:

- ``articles``: China-related articles (``annotations.china_related``) published that week (Monday
  00:00 UTC to the next Monday) that mention the country, and carry the theme;
- ``events``: PLOVER events in those same articles that are asserted (not negated, hypothetical
  or planned), not upcoming, and whose actors include both China (``CN``) and the country.

A point lists the article ids behind ``articles`` and the evidence sentence of every event behind
``events``. It measures *reporting* in the outlets we follow, in the week of publication — not the
volume of engagement itself, its money value, its success, or how the public sees it; see
``docs/trends.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from ..clock import Clock
from ..store import trends as store_trends

__all__ = [
    "ALL_THEMES",
    "EngagementSeries",
    "EventEvidence",
    "SeriesPoint",
    "build_engagement",
    "compute_engagement",
    "week_start",
]

ALL_THEMES = "all"
_CHINA = "CN"


@dataclass(frozen=True, slots=True, kw_only=True)
class EventEvidence:
    """One event behind a point: its article, PLOVER type, date and evidence sentence."""

    article_id: str
    type: str
    date: str | None
    sentence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesPoint:
    """One week of one series, with the evidence behind both counts."""

    week: date  # the Monday the week starts on
    articles: int
    events: int
    article_ids: tuple[str, ...] = ()
    evidence: tuple[EventEvidence, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "week": self.week.isoformat(),
            "articles": self.articles,
            "events": self.events,
            "article_ids": list(self.article_ids),
            "evidence": [
                {"article_id": e.article_id, "type": e.type, "date": e.date, "sentence": e.sentence}
                for e in self.evidence
            ],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementSeries:
    """The weekly points of one (country, theme), every week of the range present (zeros included)."""

    country: str
    theme: str
    points: tuple[SeriesPoint, ...]

    @property
    def total_articles(self) -> int:
        """Articles over the whole range."""
        return sum(p.articles for p in self.points)

    @property
    def total_events(self) -> int:
        """Events over the whole range."""
        return sum(p.events for p in self.points)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "country": self.country,
            "theme": self.theme,
            "total_articles": self.total_articles,
            "total_events": self.total_events,
            "points": [p.as_dict() for p in self.points],
        }


def week_start(moment: datetime | date) -> date:
    """The Monday (UTC) of the week containing ``moment``."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def _counts_event(event: dict[str, Any], country: str) -> bool:
    """Whether an event row is asserted, already happened, and has China and the country among its actors."""
    if event["mode"] != "asserted" or event["upcoming"]:
        return False
    actor_countries = {a[0] for a in event["actors"] if a}
    return _CHINA in actor_countries and country in actor_countries


def build_engagement(
    article_rows: Iterable[dict[str, Any]],
    article_themes: Iterable[tuple[str, str]],
    event_rows: Iterable[dict[str, Any]],
    *,
    weeks: Sequence[date],
    countries: Sequence[str] | None = None,
    themes: Sequence[str] | None = None,
) -> tuple[EngagementSeries, ...]:
    """Assemble the weekly series from the rows of ``store.trends.engagement_rows``.

    Args:
        article_rows: one per (China-related article, country it mentions), with ``published``.
        article_themes: (article_id, theme) pairs.
        event_rows: events of those articles, ``actors`` decoded.
        weeks: the Mondays of the range, oldest first; articles outside it are ignored.
        countries: only these countries (default every country seen, China excluded).
        themes: only these themes (default every theme seen); ``all`` is always included.

    Returns:
        One series per (country, theme) with at least one article in range, by country then theme
        (``all`` first).
    """
    week_set = set(weeks)
    theme_of: dict[str, list[str]] = defaultdict(list)
    for article_id, theme in article_themes:
        theme_of[article_id].append(theme)
    events_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in event_rows:
        events_of[event["article_id"]].append(event)
    wanted_countries = {c.upper() for c in countries} if countries else None
    wanted_themes = set(themes) if themes else None
    # (country, theme) -> week -> (article ids, evidence)
    cells: dict[tuple[str, str], dict[date, tuple[list[str], list[EventEvidence]]]] = defaultdict(dict)
    for row in article_rows:
        country = row["country"]
        if country == _CHINA or (wanted_countries is not None and country not in wanted_countries):
            continue
        week = week_start(row["published"])
        if week not in week_set:
            continue
        article_id = row["article_id"]
        evidence = [
            EventEvidence(article_id=article_id, type=e["type"], date=e["date"], sentence=e["evidence"])
            for e in events_of.get(article_id, ())
            if _counts_event(e, country)
        ]
        labels = [ALL_THEMES] + [
            t for t in theme_of.get(article_id, ()) if wanted_themes is None or t in wanted_themes
        ]
        for theme in labels:
            ids, found = cells[(country, theme)].setdefault(week, ([], []))
            if article_id not in ids:
                ids.append(article_id)
                found.extend(evidence)
    result = []
    for (country, theme), by_week in cells.items():
        points = tuple(
            SeriesPoint(
                week=week,
                articles=len(by_week[week][0]) if week in by_week else 0,
                events=len(by_week[week][1]) if week in by_week else 0,
                article_ids=tuple(by_week[week][0]) if week in by_week else (),
                evidence=tuple(by_week[week][1]) if week in by_week else (),
            )
            for week in weeks
        )
        result.append(EngagementSeries(country=country, theme=theme, points=points))
    result.sort(key=lambda s: (s.country, s.theme != ALL_THEMES, s.theme))
    return tuple(result)


def compute_engagement(
    conn: Connection,
    clock: Clock,
    *,
    weeks: int = 12,
    countries: Sequence[str] | None = None,
    themes: Sequence[str] | None = None,
) -> tuple[EngagementSeries, ...]:
    """The engagement series for the ``weeks`` weeks up to the clock (the current week last, partial).

    Args:
        conn: a connection to a migrated database.
        clock: the range ends at ``clock.now()``.
        weeks: how many weeks, counting the current one.
        countries: only these ISO codes.
        themes: only these themes (``all`` is always given).

    Raises:
        ValueError: ``weeks`` is below 1.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    first = week_start(clock.now()) - timedelta(weeks=weeks - 1)
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    start = datetime.combine(first, time(0), tzinfo=UTC)
    rows, article_themes, event_rows = store_trends.engagement_rows(conn, start, clock.now())
    return build_engagement(
        rows, article_themes, event_rows, weeks=mondays, countries=countries, themes=themes
    )
