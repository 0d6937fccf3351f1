"""Canonical URLs and article ids."""

from __future__ import annotations

import pytest

from eurasiawatch.extract import article_id, canonicalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://News.Example.COM/a/b?utm_source=rss&id=3", "https://news.example.com/a/b?id=3"),
        ("http://example.com:80/x#comments", "http://example.com/x"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com/x?b=2&a=1&fbclid=abc&gclid=z&yclid=1", "https://example.com/x?a=1&b=2"),
        ("https://example.com/x?mc_cid=1&mc_eid=2&utm_campaign=c&p=1", "https://example.com/x?p=1"),
        ("  https://example.com/Path/Case  ", "https://example.com/Path/Case"),
        ("https://user:pw@example.com/x", "https://example.com/x"),
        ("https://example.com/x?q=a+b&empty=", "https://example.com/x?empty=&q=a+b"),
    ],
)
def test_canonicalize_url(raw: str, expected: str) -> None:
    assert canonicalize_url(raw) == expected


def test_canonicalize_relative_against_base() -> None:
    assert canonicalize_url("../b?utm_medium=x", base="https://Ex.com/news/a/") == "https://ex.com/news/b"


def test_canonicalize_leaves_other_schemes() -> None:
    assert canonicalize_url("mailto:desk@example.com") == "mailto:desk@example.com"


def test_canonicalize_is_idempotent() -> None:
    once = canonicalize_url("HTTP://Example.com:80/a?z=1&utm_x=2&a=2#top")
    assert canonicalize_url(once) == once


def test_article_id_is_stable_and_distinct() -> None:
    url = "https://example.com/news/1"
    assert article_id(url) == article_id(url)
    # Pinned: ids are stored, so changing the hash would orphan every existing row.
    assert article_id(url) == "3eaea8abd01c3643b0d4c6bc01f2cd93"
    assert len(article_id(url)) == 32 and int(article_id(url), 16) >= 0
    assert article_id(url) != article_id("https://example.com/news/2")
    # Two spellings of one URL get one id once canonicalised.
    assert article_id(canonicalize_url("https://EXAMPLE.com/news/1?utm_source=x")) == article_id(url)
