"""What a reader notices in the sample corpus's draft: country labels, facts sentences, watch, data point."""

from __future__ import annotations

from datetime import UTC, date, datetime

from eurasiawatch.analyze.stories import Story
from eurasiawatch.compose import draft_edition
from eurasiawatch.compose.gather import gather_inputs
from eurasiawatch.compose.select import StoryMaterial, story_country
from eurasiawatch.records import Annotation, Article, Mention

from .conftest import CLOCK

START, END, SEND = date(2024, 6, 26), date(2024, 7, 9), date(2024, 7, 10)


def _draft(sample_db):
    db, settings = sample_db
    inputs = gather_inputs(db, settings, CLOCK, start=START, end=END)
    return draft_edition(
        inputs.materials,
        send_date=SEND,
        window_start=START,
        window_end=END,
        calendar=inputs.calendar,
        rising=inputs.rising,
        data_point=inputs.data_point,
    )


def test_supercontinent_items_are_labelled_with_the_country_they_are_about(sample_db) -> None:
    items = {b.title: b for b in _draft(sample_db).blocks if b.section == "supercontinent"}
    # the Dushanbe talks were labelled "Kazakhstan" and Russian car sales "Armenia" / "Japan"
    assert "Dushanbe" in items["Tajikistan"].text
    assert not {"Armenia", "Japan", "Czechia", "Cape Verde"} & set(items)
    assert len(items) == len([b for b in _draft(sample_db).blocks if b.section == "supercontinent"])


def _material(text: str, title: str, mentions: list[tuple[str, int]]) -> StoryMaterial:
    article = Article(
        article_id="a1",
        url="https://x.invalid/1",
        canonical_url="https://x.invalid/1",
        title=title,
        text=text,
        language="en",
        published=datetime(2024, 7, 1, tzinfo=UTC),
    )
    notes = Annotation(
        article_id="a1",
        language="en",
        china_related=True,
        mentions=tuple(
            Mention(article_id="a1", kind="country", key=k, name=k, start=s, end=s + 3) for k, s in mentions
        ),
    )
    story = Story(
        story_id="s1",
        title=title,
        first_day=None,
        last_day=None,
        article_ids=("a1",),
        countries=("CN", "CZ", "TJ"),
    )
    return StoryMaterial(story=story, score=1.0, articles=(article,), annotations=(notes,))


def test_a_dateline_city_does_not_make_the_story_about_the_outlets_home() -> None:
    title = "Xi in Dushanbe"
    text = "PRAGUE — Xi Jinping met the Tajik president in Dushanbe."
    body = len(title) + 2
    # Prague (CZ) in the dateline, twice to outweigh; Tajikistan once in the body after the lead
    m = _material(text, title, [("CZ", body), ("CZ", body + 1), ("TJ", body + 500)])
    assert story_country(m) == "TJ"
    # a mention in the headline weighs more than one in the body
    m = _material("Talks were held. " * 40, title, [("CZ", body + 600), ("CZ", body + 650), ("TJ", 3)])
    assert story_country(m) == "TJ"
