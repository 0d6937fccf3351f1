"""JSON Feed 1.0 and 1.1 into FeedItems: detected by content type or a leading ``{``; bad ones refused."""

from __future__ import annotations

import json

import pytest

from eurasiawatch.errors import SourceError
from eurasiawatch.ingest import parse_feed

FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Steppe Courier",
    "home_page_url": "https://courier.example.kz/",
    "language": "ru-KZ",
    "authors": [{"name": "Desk"}],
    "items": [
        {
            "id": "kz-1",
            "url": "/news/railway",
            "title": "Railway talks resume",
            "content_text": "Officials met in Astana.",
            "date_published": "2024-07-01T08:30:00+05:00",
            "authors": [{"name": "Aigerim Sadykova"}, {"name": "Daniyar Omarov"}],
        },
        {
            "id": "kz-2",
            "url": "https://courier.example.kz/news/gas",
            "language": "kk",
            "date_modified": "2024-07-02T10:00:00Z",
        },
        {"id": "kz-3", "title": "No link at all"},
        {"id": 4, "url": "mailto:desk@courier.example.kz"},
        "not an object",
        {"id": "kz-1-again", "url": "https://courier.example.kz/news/railway"},
    ],
}  # fmt: skip

FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Old style",
    "items": [
        {
            "id": "1",
            "external_url": "https://other.example.org/story",
            "author": {"name": "Nina Volkova"},
            "date_published": "2024-06-20T15:30:00",
            "summary": "A short summary.",
        }
    ],
}


def _parse(document: object, **kwargs: object) -> object:
    body = json.dumps(document).encode()
    return parse_feed(body, source="s", base_url="https://courier.example.kz/feed.json", **kwargs)  # type: ignore[arg-type]


def test_json_feed_11_items_authors_dates_and_languages() -> None:
    result = parse_feed(
        json.dumps(FEED_11).encode(), source="s", base_url="https://courier.example.kz/feed.json"
    )
    assert [i.url for i in result.items] == [
        "https://courier.example.kz/news/railway",
        "https://courier.example.kz/news/gas",
    ]
    first, second = result.items
    assert first.title == "Railway talks resume"
    assert first.authors == ("Aigerim Sadykova", "Daniyar Omarov")
    assert first.published is not None and first.published.isoformat() == "2024-07-01T03:30:00+00:00"
    assert first.language == "ru" and first.guid == "kz-1" and first.summary == "Officials met in Astana."
    # the item's own language wins; the feed's authors stand in for an item without any
    assert second.language == "kk" and second.authors == ("Desk",)
    assert second.published is not None and second.published.isoformat() == "2024-07-02T10:00:00+00:00"
    assert len(result.problems) == 3
    assert "'No link at all' has no http(s) url" in result.problems[0]
    assert "has no http(s) url" in result.problems[1]
    assert "item 5 is a JSON str, not an object" in result.problems[2]


def test_json_feed_10_author_object_external_url_and_naive_date() -> None:
    result = _parse(FEED_10, language="en")
    (item,) = result.items  # type: ignore[attr-defined]
    assert item.url == "https://other.example.org/story"
    assert item.authors == ("Nina Volkova",)
    assert item.language == "en"
    assert item.published is not None and item.published.isoformat() == "2024-06-20T15:30:00+00:00"


def test_detected_by_content_type_even_with_leading_whitespace_and_bom() -> None:
    body = b"\xef\xbb\xbf \n" + json.dumps(FEED_10).encode()
    assert len(parse_feed(body, source="s", base_url="https://e.org/f").items) == 1
    assert (
        len(
            parse_feed(
                body, source="s", base_url="https://e.org/f", content_type="application/feed+json"
            ).items
        )
        == 1
    )


def test_limit_keeps_the_first_items() -> None:
    assert len(_parse(FEED_11, limit=1).items) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": 1,}',
            None,
            "invalid JSON at line 1",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "x"}', None, "no 'items' array"),
        (b'{"items": {"a": 1}}', None, "a non-list (dict) 'items' array"),
        (b"[1, 2, 3]", "application/json", "the top level is a JSON list"),
        (b'{"items": [] \xff\xfe}', None, "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "application/feed+json", "unreadable JSON"),
    ],
)
def test_malformed_json_feeds_are_refused_with_a_reason(
    body: bytes, content_type: str | None, message: str
) -> None:
    with pytest.raises(SourceError, match="not a JSON Feed") as caught:
        parse_feed(body, source="s", base_url="https://e.org/feed.json", content_type=content_type)
    assert message in str(caught.value)


def test_xml_feeds_still_go_to_feedparser() -> None:
    rss = b"<?xml version='1.0'?><rss version='2.0'><channel><item><link>https://e.org/a</link></item></channel></rss>"
    assert [i.url for i in parse_feed(rss, source="s", base_url="https://e.org/").items] == [
        "https://e.org/a"
    ]
