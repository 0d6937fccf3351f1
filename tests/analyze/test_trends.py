"""Trends: counts per window against earlier windows, a stated test, and the figures behind each verdict."""

from __future__ import annotations

import inspect
import math
import pickle
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.analyze import trends
from eurasiawatch.analyze.trends import (
    classify_trends,
    compute_trends,
    parse_window,
    poisson_tail,
    window_edges,
)
from eurasiawatch.clock import Clock
from eurasiawatch.records import Annotation, Article, Event, Mention
from eurasiawatch.store import Database, queries
from eurasiawatch.store import trends as store_trends
from eurasiawatch.store.annotations import save_annotation

CLOCK = Clock(datetime(2024, 7, 31, 23, 59, 59, tzinfo=UTC))


def store_article(
    conn,
    aid: str,
    published: datetime,
    *,
    countries: tuple[str, ...] = (),
    entities: tuple[str, ...] = (),
    themes: tuple[str, ...] = (),
    events: tuple[Event, ...] = (),
    china: bool = True,
    title: str | None = None,
    outlet: str = "Test Outlet",
) -> None:
    """Store one article and its annotation (test data written for this suite)."""
    url = f"https://outlet.example/{aid}"
    queries.upsert_article(
        conn,
        Article(
            article_id=aid,
            url=url,
            canonical_url=url,
            title=title or f"Article {aid}",
            text="text",
            published=published,
            outlet=outlet,
            language="en",
            content_hash=aid,
        ),
        page_id=None,
        now=published,
    )
    mentions = tuple(Mention(article_id=aid, kind="country", key=c, name=c) for c in countries)
    mentions += tuple(Mention(article_id=aid, kind="entity", key=e, name=e.title()) for e in entities)
    # a second mention of the first country: counts must stay per article
    mentions += tuple(Mention(article_id=aid, kind="country", key=c, name=c) for c in countries[:1])
    save_annotation(
        conn,
        Annotation(
            article_id=aid,
            language="en",
            china_related=china,
            countries=countries,
            mentions=mentions,
            themes=themes,
            events=tuple(e for e in events),
            kb_version="kb",
            model_version="lexicon",
        ),
        now=published,
    )


def test_parse_window() -> None:
    assert parse_window("14d") == timedelta(days=14)
    assert parse_window("2w") == timedelta(days=14)
    assert parse_window("7") == timedelta(days=7)
    for bad in ("0d", "fortnight", "-3d", "14h"):
        with pytest.raises(ValueError, match="window"):
            parse_window(bad)


def test_window_edges_end_at_the_clock() -> None:
    edges = window_edges(CLOCK.now(), timedelta(days=14), 4)
    assert len(edges) == 6 and edges[0] == CLOCK.now() and edges[-1] == CLOCK.now() - timedelta(days=70)


def test_poisson_tail_matches_the_sum_of_probabilities() -> None:
    def pmf(k: int, lam: float) -> float:
        return math.exp(-lam + k * math.log(lam) - math.lgamma(k + 1))

    for lam in (0.5, 3.0, 12.5, 80.0):
        for c in (0, 1, 4, 15, 40, 120):
            upper = 1 - sum(pmf(k, lam) for k in range(c))
            lower = sum(pmf(k, lam) for k in range(c + 1))
            assert poisson_tail(c, lam, upper=True) == pytest.approx(upper, abs=1e-9)
            assert poisson_tail(c, lam, upper=False) == pytest.approx(lower, abs=1e-9)
    # a large count stays fast and finite
    assert poisson_tail(60_000, 50_000.0, upper=True) < 1e-100


def test_classify_rising_falling_new_steady_with_figures() -> None:
    counts = {
        "KZ": ("Kazakhstan", (30, 10, 12, 9, 11)),
        "RS": ("Serbia", (1, 20, 22, 18, 21)),
        "UZ": ("Uzbekistan", (11, 10, 12, 9, 11)),
        "GE": ("Georgia", (5, 0, 0, 0, 0)),
        "MD": ("Moldova", (2, 0, 0, 0, 0)),
    }
    result = {t.key: t for t in classify_trends(counts, kind="country")}
    assert [t.status for t in classify_trends(counts, kind="country")][:3] == ["new", "rising", "falling"]
    kz = result["KZ"]
    assert kz.status == "rising" and kz.count == 30 and kz.previous == (10, 12, 9, 11)
    assert kz.baseline == pytest.approx(10.5) and kz.p_value < 1e-5 and kz.q_value < 0.05
    assert kz.z == pytest.approx((30 - 10.5) / math.sqrt(10.5))
    assert result["RS"].status == "falling" and result["RS"].p_value < 1e-5
    assert result["UZ"].status == "steady" and result["UZ"].p_value > 0.3
    assert result["GE"].status == "new" and result["GE"].p_value is None
    assert result["MD"].status == "steady"  # below min_count
    assert set(result["KZ"].as_dict()) >= {"count", "baseline", "p_value", "q_value", "z", "previous"}


def test_benjamini_hochberg_keeps_a_marginal_rise_steady_among_many_keys() -> None:
    # p ≈ 0.03 alone; with 40 steady keys next to it, the adjusted q is well above 0.05
    marginal = {"AM": ("Armenia", (17, 10, 10, 10, 10))}
    assert classify_trends(marginal, kind="country")[0].status == "rising"
    crowd = {f"K{i}": (f"K{i}", (10, 10, 10, 10, 10 + (i % 2))) for i in range(40)}
    verdict = {t.key: t for t in classify_trends({**marginal, **crowd}, kind="country")}["AM"]
    assert verdict.status == "steady" and verdict.p_value < 0.05 < verdict.q_value


def test_z_test_uses_the_spread_of_earlier_windows() -> None:
    bursty = {"CN": ("China", (40, 10, 60, 5, 45))}
    assert classify_trends(bursty, kind="country", test="poisson")[0].status == "rising"
    z = classify_trends(bursty, kind="country", test="z")[0]
    assert z.status == "steady" and z.z == pytest.approx((40 - 30) / statistics.stdev((10, 60, 5, 45)))
    with pytest.raises(ValueError, match="test"):
        classify_trends(bursty, kind="country", test="chi2")


def test_classify_is_picklable_and_pure() -> None:
    assert pickle.loads(pickle.dumps(classify_trends)) is classify_trends
    counts = {"KZ": ("Kazakhstan", (30, 10, 12, 9, 11))}
    assert classify_trends(counts, kind="country") == classify_trends(dict(counts), kind="country")


def _fill(db: Database) -> None:
    end = CLOCK.now()
    with db.begin() as conn:
        n = 0
        # four earlier windows of 14 days: 2 Kazakhstan articles each; Serbia 8 each
        for w in range(1, 5):
            for i in range(2):
                n += 1
                store_article(
                    conn,
                    f"kz{n}",
                    end - timedelta(days=14 * w + 2 + i),
                    countries=("KZ",),
                    themes=("trade",),
                    entities=("cnpc",),
                )
            for i in range(8):
                n += 1
                store_article(
                    conn,
                    f"rs{n}",
                    end - timedelta(days=14 * w + 3, hours=i),
                    countries=("RS",),
                    themes=("security",),
                )
        # the current window: 12 Kazakhstan articles, no Serbia, 4 about Georgia (new)
        for i in range(12):
            store_article(
                conn,
                f"kznow{i}",
                end - timedelta(days=1, hours=i),
                countries=("KZ", "CN"),
                themes=("trade", "energy"),
                entities=("cnpc",),
                china=i % 2 == 0,
            )
        for i in range(4):
            store_article(
                conn, f"ge{i}", end - timedelta(days=2, hours=i), countries=("GE",), themes=("trade",)
            )
        # outside every window (too old, in the future, no date): ignored
        store_article(conn, "old", end - timedelta(days=200), countries=("GE",))
        store_article(conn, "future", end + timedelta(days=1), countries=("GE",))


def test_compute_trends_on_both_databases(fresh_db: Database) -> None:
    _fill(fresh_db)
    with fresh_db.begin() as conn:
        report = compute_trends(conn, CLOCK, kind="country")
        by_key = {t.key: t for t in report.trends}
        assert by_key["KZ"].status == "rising" and by_key["KZ"].count == 12
        assert by_key["KZ"].previous == (2, 2, 2, 2)
        assert by_key["RS"].status == "falling" and by_key["RS"].count == 0
        assert by_key["GE"].status == "new" and by_key["GE"].count == 4
        assert by_key["CN"].status == "new"
        assert report.start == CLOCK.now() - timedelta(days=14) and report.end == CLOCK.now()
        themes = {t.key: t for t in compute_trends(conn, CLOCK, kind="theme").trends}
        assert themes["trade"].count == 16 and themes["trade"].previous == (2, 2, 2, 2)
        assert themes["energy"].status == "new"
        entities = {t.key: t for t in compute_trends(conn, CLOCK, kind="entity").trends}
        assert entities["cnpc"].name == "Cnpc" and entities["cnpc"].count == 12
        china = {t.key: t for t in compute_trends(conn, CLOCK, kind="country", china_only=True).trends}
        assert china["KZ"].count == 6
        week = compute_trends(conn, CLOCK, kind="country", window=timedelta(days=7), baseline_windows=2)
        assert {t.key: t.count for t in week.trends}["KZ"] == 12
        with pytest.raises(ValueError, match="kind"):
            compute_trends(conn, CLOCK, kind="outlet")


def test_every_trends_query_compiles_for_both_databases() -> None:
    now = CLOCK.now()
    edges = window_edges(now, timedelta(days=14), 3)
    builders = {n: f for n, f in inspect.getmembers(store_trends, inspect.isfunction) if n.endswith("_stmt")}
    samples = {
        "_window_counts_stmt": [
            ("country", edges, False),
            ("theme", edges, True),
            ("entity", edges[:2], True),
        ],
        "_engagement_articles_stmt": [(edges[-1], now)],
        "_engagement_themes_stmt": [(edges[-1], now)],
        "_engagement_events_stmt": [(edges[-1], now)],
        "_upcoming_events_stmt": [("2024-07-31", "2024-08-30")],
    }
    assert set(builders) == set(samples), "add sample arguments for every new builder"
    for name, builder in builders.items():
        for args in samples[name]:
            for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
                str(builder(dialect, *args).compile(dialect=module.dialect()))


def test_module_has_no_mutable_state() -> None:
    assert "TESTS" in trends.__all__ and isinstance(trends.TESTS, tuple)
