"""The engagement series: weekly, per country and theme, every point linked to its evidence."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta

import pytest

from eurasiawatch.analyze.series import ALL_THEMES, build_engagement, compute_engagement, week_start
from eurasiawatch.clock import Clock
from eurasiawatch.records import Event
from eurasiawatch.store import Database

from .test_trends import store_article

# Wednesday 31 July 2024; its week starts on Monday 29 July
CLOCK = Clock(datetime(2024, 7, 31, 12, tzinfo=UTC))


def _event(aid: str, type_: str, actors, *, mode="asserted", upcoming=False, date_="2024-07-20") -> Event:
    return Event(
        article_id=aid,
        type=type_,
        mode=mode,
        date=date_,
        upcoming=upcoming,
        actors=actors,
        evidence=f"{type_} sentence of {aid}.",
    )


def test_week_start_is_monday() -> None:
    assert week_start(datetime(2024, 7, 31, 23, tzinfo=UTC)) == date(2024, 7, 29)
    assert week_start(date(2024, 7, 29)) == date(2024, 7, 29)
    assert week_start(datetime(2024, 7, 28, 23, 59, tzinfo=UTC)) == date(2024, 7, 22)


def test_build_engagement_counts_and_evidence() -> None:
    weeks = [date(2024, 7, 15), date(2024, 7, 22)]
    pub = datetime(2024, 7, 23, 9, tzinfo=UTC)
    rows = [
        {"article_id": "a", "published": pub, "country": "KZ"},
        {"article_id": "a", "published": pub, "country": "CN"},
        {"article_id": "b", "published": pub, "country": "KZ"},
        {"article_id": "old", "published": datetime(2024, 6, 1, tzinfo=UTC), "country": "KZ"},
    ]
    themes = [("a", "energy"), ("b", "trade")]
    events = [
        {
            "article_id": "a",
            "type": "AGREE",
            "mode": "asserted",
            "date": "2024-07-23",
            "upcoming": False,
            "actors": [["CN", "CNPC"], ["KZ", None]],
            "evidence": "They signed.",
        },
        {
            "article_id": "a",
            "type": "CONSULT",
            "mode": "planned",
            "date": "2024-08-10",
            "upcoming": True,
            "actors": [["CN", None], ["KZ", None]],
            "evidence": "They will meet.",
        },
        {
            "article_id": "b",
            "type": "ACCUSE",
            "mode": "asserted",
            "date": "2024-07-22",
            "upcoming": False,
            "actors": [["KZ", None], ["RU", None]],
            "evidence": "No China here.",
        },
    ]
    series = build_engagement(rows, themes, events, weeks=weeks)
    assert [(s.country, s.theme) for s in series] == [("KZ", ALL_THEMES), ("KZ", "energy"), ("KZ", "trade")]
    total = series[0]
    assert [p.articles for p in total.points] == [0, 2] and [p.events for p in total.points] == [0, 1]
    assert total.points[1].article_ids == ("a", "b")
    assert (
        total.points[1].evidence[0].sentence == "They signed." and total.points[1].evidence[0].type == "AGREE"
    )
    assert series[2].points[1].events == 0  # the ACCUSE event has no Chinese actor
    assert total.as_dict()["points"][1]["evidence"][0]["article_id"] == "a"
    only = build_engagement(rows, themes, events, weeks=weeks, countries=["kz"], themes=["trade"])
    assert [(s.country, s.theme) for s in only] == [("KZ", ALL_THEMES), ("KZ", "trade")]
    assert pickle.loads(pickle.dumps(build_engagement)) is build_engagement


def test_compute_engagement_on_both_databases(fresh_db: Database) -> None:
    monday = datetime(2024, 7, 29, 8, tzinfo=UTC)
    with fresh_db.begin() as conn:
        store_article(
            conn,
            "w0a",
            monday + timedelta(days=1),
            countries=("KZ", "CN"),
            themes=("energy",),
            events=(_event("w0a", "AGREE", (("CN", None), ("KZ", None))),),
        )
        store_article(
            conn,
            "w1a",
            monday - timedelta(days=3),
            countries=("KZ", "CN"),
            themes=("trade",),
            events=(
                _event("w1a", "AID", (("CN", None), ("KZ", None))),
                _event("w1a", "REJECT", (("CN", None), ("KZ", None)), mode="negated"),
            ),
        )
        store_article(conn, "nochina", monday - timedelta(days=3), countries=("KZ",), china=False)
        store_article(conn, "rs", monday - timedelta(days=20), countries=("RS", "CN"), themes=("security",))
        store_article(conn, "tooold", monday - timedelta(days=200), countries=("KZ", "CN"))
        series = compute_engagement(conn, CLOCK, weeks=4)
    by = {(s.country, s.theme): s for s in series}
    kz = by[("KZ", ALL_THEMES)]
    assert [p.week for p in kz.points] == [
        date(2024, 7, 8),
        date(2024, 7, 15),
        date(2024, 7, 22),
        date(2024, 7, 29),
    ]
    assert [p.articles for p in kz.points] == [0, 0, 1, 1]
    assert [p.events for p in kz.points] == [0, 0, 1, 1]  # the negated REJECT does not count
    assert kz.points[2].article_ids == ("w1a",) and kz.points[2].evidence[0].type == "AID"
    assert by[("KZ", "trade")].total_articles == 1 and by[("RS", "security")].total_articles == 1
    assert ("CN", ALL_THEMES) not in by
    with pytest.raises(ValueError, match="weeks"):
        compute_engagement(conn, CLOCK, weeks=0)
