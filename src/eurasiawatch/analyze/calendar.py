"""The calendar of upcoming events, for the briefing's One Thing To Watch.

An event is on the calendar when the annotator marked it ``upcoming`` (its date lies after its
article's publication), its date lies after the clock's day and within the horizon (default 30
days), and its mode is not ``negated`` ("will not attend"). The same event reported by several
articles — same date, PLOVER type and actor countries — is one entry with every article as a source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from ..clock import Clock
from ..store import trends as store_trends

__all__ = ["CalendarDay", "CalendarEntry", "CalendarSource", "build_calendar", "upcoming_calendar"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarSource:
    """An article that announced the event, with the sentence that says so."""

    article_id: str
    title: str | None
    url: str
    outlet: str | None
    language: str | None
    published: datetime | None
    evidence: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "language": self.language,
            "published": self.published.isoformat() if self.published else None,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEntry:
    """One upcoming event and the articles that reported it."""

    date: str
    end_date: str | None
    type: str
    mode: str
    actors: tuple[tuple[str, str | None], ...]
    location: str | None
    sources: tuple[CalendarSource, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "date": self.date,
            "end_date": self.end_date,
            "type": self.type,
            "mode": self.mode,
            "actors": [list(a) for a in self.actors],
            "location": self.location,
            "sources": [s.as_dict() for s in self.sources],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarDay:
    """The entries of one day."""

    date: str
    entries: tuple[CalendarEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"date": self.date, "entries": [e.as_dict() for e in self.entries]}


def _published_day(row: dict[str, Any]) -> str | None:
    published = row.get("published")
    return published.astimezone(UTC).date().isoformat() if isinstance(published, datetime) else None


def build_calendar(rows: Iterable[dict[str, Any]], *, today: date, days: int) -> tuple[CalendarDay, ...]:
    """Group upcoming-event rows (as ``store.trends.upcoming_events`` gives them) into days.

    Args:
        rows: event rows with their article's title, URL, outlet, language and publication time.
        today: the clock's day; only events after it count.
        days: the horizon: events up to ``today + days`` inclusive.

    Returns:
        The days with at least one entry, earliest first; entries in a day by type, then actors.
    """
    first, last = today.isoformat(), (today + timedelta(days=days)).isoformat()
    entries: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
    for row in rows:
        day = row.get("date")
        if not day or not first < day <= last or row["mode"] == "negated":
            continue
        published = _published_day(row)
        if published is not None and day <= published:
            continue  # not upcoming when it was written
        actors = tuple((a[0], a[1] if len(a) > 1 else None) for a in row["actors"] if a)
        key = (day, row["type"], tuple(sorted({a[0] for a in actors})))
        entry = entries.setdefault(
            key,
            {
                "date": day,
                "end_date": row.get("end_date"),
                "type": row["type"],
                "mode": row["mode"],
                "actors": dict.fromkeys(actors),
                "location": row.get("location"),
                "sources": {},
            },
        )
        entry["actors"].update(dict.fromkeys(actors))
        entry["location"] = entry["location"] or row.get("location")
        if row["mode"] == "asserted":
            entry["mode"] = "asserted"
        entry["sources"].setdefault(
            row["article_id"],
            CalendarSource(
                article_id=row["article_id"],
                title=row.get("title"),
                url=row["url"],
                outlet=row.get("outlet"),
                language=row.get("language"),
                published=row.get("published"),
                evidence=row["evidence"],
            ),
        )
    by_day: dict[str, list[CalendarEntry]] = {}
    for key in sorted(entries):
        e = entries[key]
        by_day.setdefault(e["date"], []).append(
            CalendarEntry(
                date=e["date"],
                end_date=e["end_date"],
                type=e["type"],
                mode=e["mode"],
                actors=tuple(e["actors"]),
                location=e["location"],
                sources=tuple(e["sources"].values()),
            )
        )
    return tuple(CalendarDay(date=d, entries=tuple(v)) for d, v in sorted(by_day.items()))


def upcoming_calendar(conn: Connection, clock: Clock, *, days: int = 30) -> tuple[CalendarDay, ...]:
    """The upcoming events after the clock's day and up to ``days`` days ahead, grouped by date.

    Raises:
        ValueError: ``days`` is below 1.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    today = clock.today()
    rows = store_trends.upcoming_events(conn, today.isoformat(), (today + timedelta(days=days)).isoformat())
    return build_calendar(rows, today=today, days=days)
