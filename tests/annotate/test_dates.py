"""Dates resolved against the publication date, in every supported language; ranges first."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from eurasiawatch.annotate.dates import find_dates, first_date
from eurasiawatch.annotate.sentences import split_sentences

PUB = date(2024, 5, 22)  # a Wednesday

CASES = [
    ("en", "They met on May 20 in Astana.", "2024-05-20", None),
    ("en", "The summit on May 16-17 ended.", "2024-05-16", "2024-05-17"),
    ("en", "Talks held 16-17 May were long.", "2024-05-16", "2024-05-17"),  # not the year 2117
    ("en", "The forum runs 30 May – 2 June.", "2024-05-30", "2024-06-02"),
    ("en", "They met on Tuesday.", "2024-05-21", None),
    ("en", "Officials said last month that…", "2024-04-01", "2024-04-30"),
    ("en", "Xi visited on December 28.", "2023-12-28", None),  # nearest year to publication
    ("en", "Signed on 2023-05-18.", "2023-05-18", None),
    ("ru", "Встреча прошла 16 мая в Пекине.", "2024-05-16", None),
    ("ru", "Саммит 16–17 мая завершился.", "2024-05-16", "2024-05-17"),
    ("ru", "Министр в среду заявил.", "2024-05-22", None),
    ("ru", "Во вторник он прилетел.", "2024-05-21", None),
    ("uk", "Конференція відбудеться 15–16 червня.", "2024-06-15", "2024-06-16"),
    ("uk", "У вівторок він заявив.", "2024-05-21", None),
    ("sr", "Predsednik je u sredu rekao.", "2024-05-22", None),
    ("sr", "Pruga je otvorena 19. marta.", "2024-03-19", None),
    ("sr", "Председник је 8. маја потписао.", "2024-05-08", None),
    ("kk", "Саммит 2024 жылғы 3 шілдеде өтеді.", "2024-07-03", None),
    ("kk", "Президент 20 мамырда келді.", "2024-05-20", None),
    ("uz", "Sammit 6-iyun kuni boʻlib oʻtdi.", "2024-06-06", None),
    ("uz", "Prezident 15-mayda Pekinga bordi.", "2024-05-15", None),
    ("hu", "A miniszter május 8-án tárgyalt.", "2024-05-08", None),
    ("hu", "A csúcs 2024. május 16–17. között volt.", "2024-05-16", "2024-05-17"),
    ("hu", "Szerdán bejelentették.", "2024-05-22", None),
]


@pytest.mark.parametrize(("language", "text", "start", "end"), CASES)
def test_dates_resolve(language: str, text: str, start: str, end: str | None) -> None:
    span = first_date(text, language, PUB)
    assert span is not None, text
    assert span.start.isoformat() == start
    assert (span.end.isoformat() if span.end else None) == end


def test_future_weekday_for_planned_events() -> None:
    span = first_date("He will visit on Friday.", "en", PUB, prefer_future=True)
    assert span is not None and span.start == date(2024, 5, 24)


def test_no_dates_in_numbers_or_modals() -> None:
    assert find_dates("China may sign 26 billion yuan in 2024 deals with 5 states.", "en", PUB) == ()
    assert find_dates("В среде экспертов обсуждают 50 млрд кубометров.", "ru", PUB) == ()


def test_without_publication_date_only_full_dates() -> None:
    assert first_date("on Tuesday, May 20", "en", None) is None
    span = first_date("on May 20, 2024", "en", None)
    assert span is not None and span.start == date(2024, 5, 20)


def test_sentences_keep_offsets_and_abbreviations() -> None:
    text = "Mr. Smith met J. Doe on May 3. They agreed.\n\nКремль в 2024 г. заявил. Дальше."
    sentences = split_sentences(text, "en")
    assert [s.text for s in sentences][:2] == ["Mr. Smith met J. Doe on May 3.", "They agreed."]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    ru = split_sentences("Кремль в 2024 г. заявил. Дальше.", "ru")
    assert [s.text for s in ru] == ["Кремль в 2024 г. заявил.", "Дальше."]


def test_picklable() -> None:
    assert pickle.loads(pickle.dumps(first_date)) is first_date
    span = first_date("on May 20", "en", PUB)
    assert pickle.loads(pickle.dumps(span)) == span


def test_a_month_opening_a_sentence_is_a_month() -> None:
    spans = find_dates(
        "In January the two sides met. They met again in March.", "en", date(2024, 5, 8), coarse=True
    )
    assert [(s.start, s.end, s.precision) for s in spans] == [
        (date(2024, 1, 1), date(2024, 1, 31), "month"),
        (date(2024, 3, 1), date(2024, 3, 31), "month"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "talks open on Tuesday, June 25",
        "переговоры начнутся во вторник, 25 июня",
        "переговори почнуться у вівторок, 25 червня",
    ],
)
def test_a_weekday_before_its_calendar_date_is_that_date(text: str) -> None:
    # published on Friday 21 June: "Tuesday" alone would be the last one (the 18th); the date says the 25th
    spans = find_dates(text, None, date(2024, 6, 21))
    assert [s.start for s in spans] == [date(2024, 6, 25)]
