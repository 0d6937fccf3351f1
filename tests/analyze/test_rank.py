"""Who reported first, and ranking for a window."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from eurasiawatch.analyze.rank import first_report, rank_stories
from eurasiawatch.analyze.similarity import Signals
from eurasiawatch.analyze.stories import Story

D = date(2024, 7, 1).toordinal()


def test_first_report_and_local_lead() -> None:
    members = [
        Signals(article_id="en", day=D + 2, language="en", outlet="wire"),
        Signals(article_id="kk", day=D, language="kk", outlet="dala"),
        Signals(article_id="ru", day=D + 1, language="ru", outlet="vostok"),
    ]
    first = first_report(members)
    assert first is not None
    assert (first.article_id, first.outlet, first.language) == ("kk", "dala", "kk")
    assert first.local_lead_days == 2
    only_english = first_report(members[:1])
    assert only_english is not None and only_english.local_lead_days is None
    assert first_report([]) is None


def _story(sid: str, outlets: tuple[str, ...], actors: tuple[str, ...], last: int, **kw) -> Story:
    day = date.fromordinal(last)
    return Story(
        story_id=sid, title=sid, first_day=day, last_day=day, article_ids=(sid,), outlets=outlets,
        actors=actors, **kw,
    )  # fmt: skip


def test_ranking_weighs_independent_outlets_china_novelty_recency_and_pins() -> None:
    kinds = {"a": "independent", "b": "independent", "s": "state-media"}
    wide = _story("wide", ("a", "b", "s"), ("xi",), D)
    narrow = _story("narrow", ("s",), ("xi",), D)
    old = _story("old", ("a", "b", "s"), ("xi",), D - 10)
    ranked = rank_stories(
        [narrow, old, wide], outlet_kinds=kinds, china_share={"wide": 1, "narrow": 1, "old": 1}, window_end=D
    )
    assert [s.story_id for s, _ in ranked] == ["wide", "old", "narrow"]
    pinned = replace(narrow, pinned=True)
    hidden = replace(wide, hidden=True)
    ranked = rank_stories([pinned, hidden, old], outlet_kinds=kinds, china_share={}, window_end=D)
    assert [s.story_id for s, _ in ranked] == ["narrow", "old"]
    fresh = _story("fresh", ("a",), ("new-actor",), D)
    stale = _story("stale", ("a",), ("xi",), D)
    ranked = rank_stories(
        [stale, fresh], outlet_kinds=kinds, china_share={}, previous_actors=frozenset({"xi"}), window_end=D
    )
    assert ranked[0][0].story_id == "fresh"
