"""The calendar of upcoming events: after the clock, grouped by date, with their sources."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from eurasiawatch.analyze.calendar import build_calendar, upcoming_calendar
from eurasiawatch.clock import Clock
from eurasiawatch.records import Event
from eurasiawatch.store import Database

from .test_trends import store_article

CLOCK = Clock(datetime(2024, 7, 31, 12, tzinfo=UTC))


def _upcoming(aid: str, day: str, type_="CONSULT", actors=(("CN", None), ("KZ", None)), mode="planned"):
    return Event(
        article_id=aid,
        type=type_,
        mode=mode,
        date=day,
        upcoming=True,
        actors=actors,
        location="Astana",
        evidence=f"Leaders will meet on {day} ({aid}).",
    )


def test_build_calendar_groups_and_merges_sources() -> None:
    pub = datetime(2024, 7, 20, tzinfo=UTC)
    base = {
        "type": "CONSULT",
        "mode": "planned",
        "end_date": None,
        "location": None,
        "title": "T",
        "outlet": "O",
        "language": "en",
        "published": pub,
    }
    rows = [
        {
            **base,
            "article_id": "a",
            "url": "u/a",
            "date": "2024-08-05",
            "actors": [["CN", None], ["KZ", None]],
            "evidence": "A.",
        },
        {
            **base,
            "article_id": "b",
            "url": "u/b",
            "date": "2024-08-05",
            "actors": [["KZ", "Tokayev"], ["CN", None]],
            "evidence": "B.",
            "location": "Astana",
            "mode": "asserted",
        },
        {
            **base,
            "article_id": "c",
            "url": "u/c",
            "date": "2024-08-02",
            "type": "AGREE",
            "actors": [["CN", None]],
            "evidence": "C.",
        },
        {
            **base,
            "article_id": "n",
            "url": "u/n",
            "date": "2024-08-03",
            "mode": "negated",
            "actors": [],
            "evidence": "Will not.",
        },
        {**base, "article_id": "p", "url": "u/p", "date": "2024-07-31", "actors": [], "evidence": "Today."},
        {**base, "article_id": "f", "url": "u/f", "date": "2024-09-30", "actors": [], "evidence": "Too far."},
        {
            **base,
            "article_id": "w",
            "url": "u/w",
            "date": "2024-08-04",
            "actors": [],
            "evidence": "Old news.",
            "published": datetime(2024, 8, 6, tzinfo=UTC),
        },
    ]
    days = build_calendar(rows, today=date(2024, 7, 31), days=30)
    assert [d.date for d in days] == ["2024-08-02", "2024-08-05"]
    merged = days[1].entries[0]
    assert [s.article_id for s in merged.sources] == ["a", "b"]
    assert merged.location == "Astana" and merged.mode == "asserted"
    assert ("KZ", "Tokayev") in merged.actors
    assert days[1].as_dict()["entries"][0]["sources"][1]["evidence"] == "B."


def test_upcoming_calendar_on_both_databases(fresh_db: Database) -> None:
    pub = CLOCK.now() - timedelta(days=2)
    with fresh_db.begin() as conn:
        store_article(
            conn,
            "sco",
            pub,
            countries=("KZ", "CN"),
            events=(_upcoming("sco", "2024-08-12"), _upcoming("sco", "2024-07-30")),
        )
        store_article(
            conn,
            "sco2",
            pub - timedelta(days=1),
            countries=("KZ", "CN"),
            events=(_upcoming("sco2", "2024-08-12"),),
        )
        store_article(conn, "far", pub, countries=("RS",), events=(_upcoming("far", "2024-10-01"),))
        store_article(
            conn,
            "past",
            pub,
            events=(Event(article_id="past", type="AGREE", date="2024-08-01", upcoming=False, evidence="x"),),
        )
        days = upcoming_calendar(conn, CLOCK, days=30)
        assert [d.date for d in days] == ["2024-08-12"]
        assert {s.article_id for s in days[0].entries[0].sources} == {"sco", "sco2"}
        assert days[0].entries[0].sources[0].url.startswith("https://outlet.example/")
        assert [d.date for d in upcoming_calendar(conn, CLOCK, days=90)] == ["2024-08-12", "2024-10-01"]
        with pytest.raises(ValueError, match="days"):
            upcoming_calendar(conn, CLOCK, days=0)
