"""Bylines and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml.html import fromstring

from eurasiawatch.extract.metadata import parse_datetime, published_of, split_authors


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe, John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe; John Roe", ("Jane Doe", "John Roe")),
        ("by Jane Doe & John Roe & Jane Doe", ("Jane Doe", "John Roe")),
        ("Айгерим Садыкова и Пётр Иванов", ("Айгерим Садыкова", "Пётр Иванов")),
        ("Jane Doe, Staff Writer", ("Jane Doe",)),
        ("By Reuters", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_split_authors(byline: str | None, names: tuple[str, ...]) -> None:
    assert split_authors(byline) == names


def test_parse_datetime_keeps_offset_and_defaults_to_utc() -> None:
    assert parse_datetime("2024-05-14T09:30:00+06:00") == datetime(
        2024, 5, 14, 9, 30, tzinfo=timezone(timedelta(hours=6))
    )
    assert parse_datetime("2024-05-14T09:30:00Z") == datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
    assert parse_datetime("2024-05-14") == datetime(2024, 5, 14, tzinfo=UTC)
    assert parse_datetime("yesterday") is None
    assert parse_datetime(None) is None


def test_published_prefers_meta_timestamp_on_the_same_day() -> None:
    tree = fromstring(
        '<html><head><meta property="article:published_time" content="2024-05-14T09:30:00+02:00">'
        "</head><body><p>x</p></body></html>"
    )
    assert published_of(tree, "2024-05-14") == datetime(
        2024, 5, 14, 9, 30, tzinfo=timezone(timedelta(hours=2))
    )
    # A meta time that disagrees with the date found in the page loses to it.
    assert published_of(tree, "2024-05-20") == datetime(2024, 5, 20, tzinfo=UTC)
    empty = fromstring("<html><body><p>x</p></body></html>")
    assert published_of(empty, None) is None
