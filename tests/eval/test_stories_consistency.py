"""Checks that the hand-labelled story set in tests/eval/stories.jsonl is well formed.

The set measures story clustering (B-cubed F1); these tests keep its layout, sizes and quotas, and check that
every story id the README names as a hard case exists with the items it claims. They say nothing about
whether a label is right, and never run the project's clustering.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
STORIES = HERE / "stories.jsonl"
README = HERE / "stories_README.md"
KEYS = {"id", "title", "text", "published", "outlet", "language", "story", "synthetic", "note"}
NOTE = "sample content written for eurasiawatch"
LANGUAGES = {
    "en", "ru", "uk", "kk", "ky", "uz", "tg", "tk", "sr",
    "hr", "bs", "hu", "ro", "bg", "ka", "hy", "az", "sk", "pl", "cs", "mn",
}  # fmt: skip
# the brief: 200+ articles, 40+ stories of 2-8 articles, 20+ singletons, and these items per language
MIN_ITEMS, MIN_MULTI_STORIES, MIN_SINGLETONS, MAX_STORY = 200, 40, 20, 8
MIN_PER_LANGUAGE = {"en": 80, "ru": 50, "kk": 10, "uk": 10, "sr": 10}
MIN_WORDS, MAX_WORDS = 60, 150
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
UKRAINIAN_LETTERS = re.compile(r"[єіїґ]", re.IGNORECASE)
STORY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _load() -> list[dict[str, Any]]:
    """Reads every non-empty line of stories.jsonl as one article."""
    lines = STORIES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ITEMS = _load()
BY_STORY: dict[str, list[dict[str, Any]]] = {}
for _item in ITEMS:
    BY_STORY.setdefault(_item["story"], []).append(_item)


def _published(value: str) -> dt.datetime:
    """Parses the strict ``YYYY-MM-DDTHH:MM:SS+00:00`` form the set uses."""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", value), value
    return dt.datetime.fromisoformat(value)


def _script(text: str) -> str:
    """'cyrillic' or 'latin': the script most letters of the text are in."""
    return "cyrillic" if len(CYRILLIC.findall(text)) > len(LATIN.findall(text)) else "latin"


def test_enough_items_stories_and_languages() -> None:
    assert len(ITEMS) >= MIN_ITEMS
    sizes = Counter(len(items) for items in BY_STORY.values())
    assert sum(n for size, n in sizes.items() if size >= 2) >= MIN_MULTI_STORIES
    assert sizes[1] >= MIN_SINGLETONS
    assert max(sizes) <= MAX_STORY, sizes
    languages = Counter(item["language"] for item in ITEMS)
    for language, least in MIN_PER_LANGUAGE.items():
        assert languages[language] >= least, (language, languages[language])


def test_ids_unique_and_numbered() -> None:
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"s\d{3}", i) for i in ids), ids
    assert ids == sorted(ids)


def test_no_text_or_title_repeated() -> None:
    # lightly rewritten copies are in the set on purpose; verbatim duplicates are not
    for key in ("text", "title"):
        counts = Counter(item[key] for item in ITEMS)
        assert [v for v, n in counts.items() if n > 1] == [], key


def test_every_story_has_items_in_one_period() -> None:
    for story, items in BY_STORY.items():
        assert STORY_ID.fullmatch(story), story
        assert items
        dates = sorted(_published(item["published"]) for item in items)
        # a story is one event or development: its reports fall within three weeks
        assert dates[-1] - dates[0] <= dt.timedelta(days=21), story


def test_cross_script_stories() -> None:
    # stories reported both in Cyrillic (Kazakh or Russian) and in Latin-script English: no shared script
    joined = [
        story
        for story, items in BY_STORY.items()
        if any(i["language"] == "en" for i in items) and any(i["language"] in {"kk", "ru"} for i in items)
    ]
    with_kazakh = [s for s in joined if any(i["language"] == "kk" for i in BY_STORY[s])]
    assert len(joined) >= 20 and len(with_kazakh) >= 5


def test_state_media_copy_and_reprints() -> None:
    copies = [item for item in ITEMS if "(sample copy)" in item["outlet"]]
    assert len(copies) >= 5
    for item in copies:
        # each state-media copy has at least one other outlet's report of the same story
        assert {i["outlet"] for i in BY_STORY[item["story"]]} - {item["outlet"]}, item["id"]


@pytest.mark.parametrize("item", ITEMS, ids=[i["id"] for i in ITEMS])
def test_item_is_well_formed(item: dict[str, Any]) -> None:
    assert set(item) == KEYS
    assert item["language"] in LANGUAGES
    assert item["synthetic"] is False
    assert item["note"] == NOTE
    published = _published(item["published"])
    assert dt.datetime(2022, 1, 1, tzinfo=dt.UTC) <= published < dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for key in ("title", "text", "outlet"):
        assert item[key].strip() == item[key] and item[key], key
    words = len(item["text"].split())
    assert MIN_WORDS <= words <= MAX_WORDS, words
    # the language tag agrees with the script of the text
    if item["language"] in {"ru", "uk", "kk", "ky", "tg", "bg", "mn"}:
        assert _script(item["text"]) == "cyrillic"
    elif item["language"] != "sr":
        assert _script(item["text"]) == "latin"
    if item["language"] == "kk":
        assert KAZAKH_LETTERS.search(item["text"])
    if item["language"] == "uk":
        assert UKRAINIAN_LETTERS.search(item["text"])


def test_serbian_in_both_scripts() -> None:
    scripts = Counter(_script(i["text"]) for i in ITEMS if i["language"] == "sr")
    assert scripts["latin"] >= 3 and scripts["cyrillic"] >= 3, scripts


def test_readme_names_only_real_stories() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", text))
    assert named, "the README names the hard-case stories in backticks"
    assert named <= set(BY_STORY), sorted(named - set(BY_STORY))
    # and every story id in the set is listed in the README's table of stories
    assert set(BY_STORY) <= named, sorted(set(BY_STORY) - named)
