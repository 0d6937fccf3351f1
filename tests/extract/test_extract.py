"""extract_article on pages written for these tests, and on hostile input."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch.errors import ExtractionError
from eurasiawatch.extract import article_id, extract_article
from eurasiawatch.records import FeedItem, Page

DATA = Path(__file__).parent / "data"
NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def page(name: str, url: str = "https://steppe-herald.example/news/rail-deal", **kw: object) -> Page:
    html = (DATA / name).read_text(encoding="utf-8")
    return Page(url=url, final_url=url, html=html, fetched_at=NOW, **kw)  # type: ignore[arg-type]


def test_russian_news_page_keeps_body_and_drops_boilerplate() -> None:
    article = extract_article(page("news_ru.html"), extracted_at=NOW)
    assert article.title == "Казахстан и Китай подписали соглашение о железной дороге"
    assert article.authors == ("Айгерим Садыкова", "Пётр Иванов")
    assert article.language == "ru" and article.language_score is not None
    assert article.outlet == "Степной вестник"
    assert article.canonical_url == "https://steppe-herald.example/news/rail-deal"
    assert article.article_id == article_id(article.canonical_url)
    assert article.lead_image == "https://steppe-herald.example/img/rail.jpg"
    assert article.description == "Новая линия свяжет Достык с портом Актау."
    assert len(article.paragraphs) == 4
    assert article.paragraphs[0].startswith("Правительство Казахстана")
    assert article.paragraphs[-1].endswith("в ближайшие месяцы.")
    assert article.text == "\n\n".join(article.paragraphs)
    for junk in ("cookie", "Главная", "Читайте также", "Хоргосе", "Подписывайтесь", "права защищены"):
        assert junk not in article.text
    assert article.extracted_at == NOW
    assert len(article.content_hash) == 64


def test_english_news_page() -> None:
    url = "https://balkan-ledger.example/2024/05/bridge?utm_source=rss"
    article = extract_article(page("news_en.html", url=url), outlet="The Balkan Ledger")
    assert article.title == "Serbia opens Chinese-built bridge over the Danube"
    assert article.authors == ("Jelena Markovic", "Tom Baker")
    assert article.published is not None and article.published.isoformat() == "2024-05-14T09:30:00+02:00"
    assert article.outlet == "The Balkan Ledger"  # the explicit outlet wins over og:site_name
    # The page's rel=canonical points at another site, so our own URL (canonicalised) is used.
    assert article.canonical_url == "https://balkan-ledger.example/2024/05/bridge"
    assert article.url == url
    assert article.language == "en"
    assert len(article.paragraphs) == 4
    assert "170 million euros" in article.text
    for junk in (
        "cookies",
        "Share this",
        "Related stories",
        "Hungary signs",
        "newsletter",
        "Copyright",
        "Home",
    ):
        assert junk not in article.text


def test_date_falls_back_to_the_feed_item() -> None:
    published = datetime(2024, 3, 2, 8, 0, tzinfo=UTC)
    item = FeedItem(source="herald", url="https://steppe-herald.example/news/rail-deal", published=published)
    article = extract_article(page("news_ru.html", feed_item=item))
    assert article.published == published
    without = extract_article(page("news_ru.html"))
    assert without.published is None


def test_page_date_wins_over_the_feed_item() -> None:
    item = FeedItem(
        source="ledger", url="https://balkan-ledger.example/x", published=datetime(2020, 1, 1, tzinfo=UTC)
    )
    article = extract_article(page("news_en.html", url="https://balkan-ledger.example/x", feed_item=item))
    assert article.published is not None and article.published.year == 2024


def test_same_page_same_id_and_hash() -> None:
    a = extract_article(page("news_ru.html", url="https://steppe-herald.example/news/rail-deal?utm_source=x"))
    b = extract_article(page("news_ru.html"))
    assert a.article_id == b.article_id
    assert a.content_hash == b.content_hash


def test_section_front_is_not_an_article() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article(page("section_front.html", url="https://balkan-ledger.example/world"))


def test_min_chars() -> None:
    with pytest.raises(ExtractionError, match="too little text"):
        extract_article(page("news_ru.html"), min_chars=100_000)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("\x00\x01\x02PK\x03\x04binary\x00\x00" * 50, "not HTML"),
        ("just some plain text without any markup at all", "not HTML"),
        ("<html><body></body></html>", "no article text"),
        (
            "<html><head><title>t</title></head><body><script>var a = 1;</script></body></html>",
            "no article text",
        ),
        ("<" * 5000, "no article text|not HTML"),
        ("<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>", "no article text"),
    ],
)
def test_hostile_input_raises_extraction_error(html: str, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        extract_article(
            Page(url="https://x.example/", final_url="https://x.example/", html=html, fetched_at=NOW)
        )


def test_extract_article_is_picklable_and_pure() -> None:
    fn = pickle.loads(pickle.dumps(extract_article))
    first = fn(page("news_en.html"), extracted_at=NOW)
    assert pickle.loads(pickle.dumps(first)) == first
    assert extract_article(page("news_en.html"), extracted_at=NOW) == first
