"""Near-duplicates: MinHash signatures, and links that persist in the store across runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.extract import best_match, fingerprint
from eurasiawatch.extract.dedup import BANDS, NUM_PERM, similarity
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, queries

from ..loopback import Reply, Site, serve

RAILWAY = (
    "The governments of China, Kyrgyzstan and Uzbekistan signed the intergovernmental agreement on "
    "the railway that will link Kashgar with Andijan, ending more than two decades of talks. "
    "The line is to run for about 280 kilometres through the mountains of southern Kyrgyzstan, "
    "with dozens of tunnels and bridges, and officials in Bishkek said construction could begin "
    "before the end of the year. Financing remains the open question: the Kyrgyz side has asked "
    "for a share of the cost to be covered by Chinese loans repaid from transit fees rather than "
    "from the state budget, while Beijing has proposed a joint venture in which it holds a majority. "
    "Analysts in Tashkent said the route would shorten freight journeys from China to Europe and the "
    "Gulf by several days and reduce Central Asia's dependence on corridors through Russia."
)
GAS = (
    "Negotiators again failed to agree on the price of gas for the Power of Siberia 2 pipeline, "
    "people familiar with the talks said on Thursday. Moscow wants a price close to what it charges "
    "European buyers under older contracts, while Beijing is holding out for a discount that would "
    "reflect its stronger position since 2022. The pipeline would carry fifty billion cubic metres a "
    "year across Mongolia, which hopes for transit revenue and has set aside land for the route. "
    "Officials in Ulaanbaatar said they had not been told when the next round would take place."
)


def _edited(text: str) -> str:
    """A syndicated copy: new opening words, one sentence changed, a line added."""
    text = text.replace("The governments of", "On Monday the governments of", 1)
    text = text.replace("Financing remains the open question", "Who pays is still unclear", 1)
    return text + " This article first appeared on the website of a partner outlet."


def test_signature_shape_and_determinism() -> None:
    fp = fingerprint(RAILWAY)
    assert fp is not None
    assert len(fp.signature) == NUM_PERM * 4 and len(fp.buckets) == BANDS
    assert fingerprint(RAILWAY) == fp  # stable, so signatures stored by one run match the next


def test_edited_copy_is_similar_and_unrelated_is_not() -> None:
    a, b, c = fingerprint(RAILWAY), fingerprint(_edited(RAILWAY)), fingerprint(GAS)
    assert a and b and c
    assert similarity(a.signature, b.signature) >= 0.6
    assert similarity(a.signature, c.signature) < 0.1
    assert set(a.buckets) & set(b.buckets)
    assert not set(a.buckets) & set(c.buckets)


def test_case_and_spacing_do_not_matter() -> None:
    a = fingerprint(RAILWAY)
    b = fingerprint("  ".join(RAILWAY.upper().split()))
    assert a and b and a.signature == b.signature


def test_short_text_has_no_fingerprint() -> None:
    assert fingerprint("Officials met in Astana on Tuesday.") is None
    assert fingerprint("") is None


def test_chinese_text_uses_character_shingles() -> None:
    zh = (
        "中国和吉尔吉斯斯坦、乌兹别克斯坦签署了铁路政府间协定，"
        "这条铁路将连接喀什和安集延，官员表示项目将于年底前开工。"
    )
    a, b = fingerprint(zh), fingerprint(zh.replace("官员表示", "消息人士称"))
    assert a and b and similarity(a.signature, b.signature) >= 0.5


def test_best_match_follows_a_copy_to_its_original() -> None:
    fp = fingerprint(_edited(RAILWAY))
    first = fingerprint(RAILWAY)
    assert fp and first
    assert best_match(fp, [("copy-1", first.signature, "original")]) == (
        "original",
        pytest.approx(similarity(fp.signature, first.signature)),
    )
    assert best_match(fp, [("gas", fingerprint(GAS).signature, None)]) is None  # type: ignore[union-attr]
    assert best_match(fp, []) is None


# -- across runs, in the store --------------------------------------------------------------------

WEEK_ONE = Clock(datetime(2024, 7, 1, 9, 0, tzinfo=UTC))
WEEK_TWO = Clock(WEEK_ONE.now() + timedelta(days=7))
SETTINGS = Settings(fetch_per_host_delay=0.0, fetch_retries=0, fetch_timeout=5.0)


def _page(title: str, text: str) -> bytes:
    sentences = text.split(". ")
    paragraphs = "".join(f"<p>{'. '.join(sentences[i : i + 2])}.</p>" for i in range(0, len(sentences), 2))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>© Test</footer></body></html>"
    ).encode()


def _serve_feed(site: Site, stories: dict[str, tuple[str, str]]) -> None:
    items = ""
    for path, (title, text) in stories.items():
        site.routes[path] = Reply(200, _page(title, text), {"Content-Type": "text/html; charset=utf-8"})
        items += f"<item><title>{title}</title><link>{site.url(path)}</link></item>"
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>"
    site.routes["/feed.xml"] = Reply(200, feed.encode(), {"Content-Type": "application/rss+xml"})


def test_a_copy_a_week_later_is_linked_to_the_first(fresh_db: Database) -> None:
    with serve() as site:
        source = Source(name="wire", url=site.url("/feed.xml"), allow_private=True)
        _serve_feed(site, {"/a/railway.html": ("Railway deal signed", RAILWAY)})
        first = ingest(fresh_db, SETTINGS, WEEK_ONE, sources=[source])
        assert first.counts["new"] == 1, first.failures
        # a week later, another outlet's reprint and an unrelated story arrive in another run
        copier = replace(source, name="reprints", url=site.url("/reprints.xml"))
        _serve_feed(
            site,
            {
                "/b/reprint-of-railway.html": ("Kashgar–Andijan line agreed", _edited(RAILWAY)),
                "/b/gas.html": ("Gas talks stall", GAS),
            },
        )
        site.routes["/reprints.xml"] = site.routes.pop("/feed.xml")
        second = ingest(fresh_db, SETTINGS, WEEK_TWO, sources=[copier])
        assert second.counts["new"] == 2, second.failures
    with fresh_db.begin() as conn:
        stored = {a.url.rsplit("/", 1)[1]: a for a in queries.list_articles(conn)}
        assert set(stored) == {"railway.html", "reprint-of-railway.html", "gas.html"}  # nothing dropped
        original = stored["railway.html"].article_id
        assert queries.duplicate_of(conn, stored["reprint-of-railway.html"].article_id) == original
        assert queries.duplicate_of(conn, original) is None
        assert queries.duplicate_of(conn, stored["gas.html"].article_id) is None
        assert queries.count_articles(conn) == 3


def test_a_copy_of_a_copy_links_to_the_original(fresh_db: Database) -> None:
    with serve() as site:
        source = Source(name="wire", url=site.url("/feed.xml"), allow_private=True)
        for day, (path, text) in enumerate(
            [
                ("/1.html", RAILWAY),
                ("/2.html", _edited(RAILWAY)),
                ("/3.html", _edited(RAILWAY) + " Updated with a correction."),
            ]
        ):
            _serve_feed(site, {path: (f"Railway {day}", text)})
            report = ingest(fresh_db, SETTINGS, Clock(WEEK_ONE.now() + timedelta(days=day)), sources=[source])
            assert report.counts["new"] == 1, report.failures
    with fresh_db.begin() as conn:
        ids = {a.url.rsplit("/", 1)[1]: a.article_id for a in queries.list_articles(conn)}
        assert queries.duplicate_of(conn, ids["2.html"]) == ids["1.html"]
        assert queries.duplicate_of(conn, ids["3.html"]) == ids["1.html"]
