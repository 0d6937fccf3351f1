"""Stored stories: incremental clustering with stable ids, editors' decisions surviving a recluster.

Runs on SQLite and PostgreSQL (``fresh_db``) over a slice of the sample corpus (sample content
written for the project).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from eurasiawatch.analyze.stories import (
    StoryDecision,
    carry_over_ids,
    replay_decisions,
    split_story_id,
    story_id_for,
)
from eurasiawatch.analyzing import (
    cluster_stored,
    merge_stories,
    rank_window,
    reprints_in_window,
    set_flag,
    split_story,
    story_detail,
)
from eurasiawatch.annotating import annotate_stored
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.demo.corpus import SampleArticle, load_corpus
from eurasiawatch.extract import content_hash
from eurasiawatch.records import Article
from eurasiawatch.store import Database, queries
from eurasiawatch.store import stories as store

from .store.builders import builder_tests

CLOCK = Clock(datetime(2024, 7, 9, 12, tzinfo=UTC))


@pytest.fixture(scope="module")
def sample() -> list[SampleArticle]:
    """Every article of the three biggest labelled stories of the sample corpus, oldest first."""
    corpus = load_corpus()
    by_story: dict[str, list[SampleArticle]] = defaultdict(list)
    for a in corpus.articles:
        by_story[a.story].append(a)
    biggest = sorted(by_story, key=lambda s: (-len(by_story[s]), s))[:3]
    return sorted((a for s in biggest for a in by_story[s]), key=lambda a: (a.published.date(), a.id))


def store_sample(db: Database, articles: list[SampleArticle], settings: Settings) -> None:
    with db.begin() as conn:
        for a in articles:
            art = Article(
                article_id=a.id,
                url=f"https://sample.invalid/{a.id}",
                canonical_url=f"https://sample.invalid/{a.id}",
                title=a.title,
                text=a.text,
                published=a.published,
                language=a.language,
                outlet=a.outlet,
                content_hash=content_hash(a.text),
            )
            queries.upsert_article(conn, art, page_id=None, now=CLOCK.now())
    annotate_stored(db, settings, CLOCK)


def assignments(db: Database) -> dict[str, str]:
    with db.begin() as conn:
        return dict(store.clustered_since(conn, None))


def test_incremental_clustering_keeps_story_ids(fresh_db: Database, tmp_path, sample) -> None:
    settings = Settings(data_dir=str(tmp_path))
    half = len(sample) // 2
    store_sample(fresh_db, sample[:half], settings)
    first = cluster_stored(fresh_db, settings, CLOCK)
    assert first.clustered == half and first.joined == 0
    before = assignments(fresh_db)
    assert set(before) == {a.id for a in sample[:half]}
    # nothing new: a second pass does nothing
    assert cluster_stored(fresh_db, settings, CLOCK).clustered == 0
    store_sample(fresh_db, sample[half:], settings)
    second = cluster_stored(fresh_db, settings, CLOCK)
    assert second.clustered == len(sample) - half
    after = assignments(fresh_db)
    # the first half kept its stories; new articles joined existing stories under their old ids
    assert {a: after[a] for a in before} == before
    assert second.joined > 0
    assert any(after[a.id] in set(before.values()) for a in sample[half:])
    # a story's id is made from the article that opened it
    for story_id in set(after.values()):
        opener = min((a for a in sample if after[a.id] == story_id), key=lambda a: (a.published.date(), a.id))
        assert story_id == story_id_for(opener.id)
    with fresh_db.begin() as conn:
        rows = {r["story_id"]: r for r in store.list_stories(conn)}
    assert sum(r["articles"] for r in rows.values()) == len(sample)
    assert all(r["title"] and r["first_day"] <= r["last_day"] for r in rows.values())


def test_merge_and_split_survive_recluster(fresh_db: Database, tmp_path, sample) -> None:
    settings = Settings(data_dir=str(tmp_path))
    store_sample(fresh_db, sample, settings)
    cluster_stored(fresh_db, settings, CLOCK)
    before = assignments(fresh_db)
    sizes: dict[str, list[str]] = defaultdict(list)
    for a in sample:
        sizes[before[a.id]].append(a.id)
    big, other, *_ = sorted(sizes, key=lambda s: (-len(sizes[s]), s))
    moved = tuple(sizes[big][-2:])
    new_id = split_story(fresh_db, big, moved, clock=CLOCK, by="ed")
    assert new_id == split_story_id(big, moved)
    merge_stories(fresh_db, other, [big], clock=CLOCK, by="ed")  # `big` goes into `other`
    set_flag(fresh_db, other, "pin", clock=CLOCK)
    set_flag(fresh_db, new_id, "hide", clock=CLOCK)

    def check() -> None:
        now = assignments(fresh_db)
        assert {now[a] for a in moved} == {new_id}
        assert all(now[a] == other for a in sizes[big] if a not in moved)
        assert all(now[a] == other for a in sizes[other])
        with fresh_db.begin() as conn:
            merged = store.get_story(conn, big)
            kept = store.get_story(conn, other)
            split = store.get_story(conn, new_id)
            members = {m["article_id"]: m["by_editor"] for m in store.story_members(conn, [new_id])}
        assert merged is not None and merged["merged_into"] == other and merged["articles"] == 0
        assert kept is not None and kept["pinned"] and not kept["hidden"]
        assert split is not None and split["hidden"] and split["articles"] == len(moved)
        assert all(members[a] for a in moved)

    check()
    report = cluster_stored(fresh_db, settings, CLOCK, recluster=True)
    assert report.reclustered and report.clustered == len(sample)
    check()
    with fresh_db.begin() as conn:
        kinds = [d.kind for d in store.list_decisions(conn)]
    assert kinds == ["split", "merge", "pin", "hide"]


def test_window_ranking_show_and_reprints(fresh_db: Database, tmp_path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    corpus = load_corpus()
    articles = [a for a in corpus.articles if a.published.date() >= corpus.last_day - timedelta(days=30)]
    store_sample(fresh_db, articles, settings)
    cluster_stored(fresh_db, settings, CLOCK)
    clock = Clock(datetime.combine(corpus.last_day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23))
    ranked = rank_window(fresh_db, settings, clock, days=14)
    assert ranked
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    start = corpus.last_day - timedelta(days=13)
    assert all(r.detail.story.last_day and r.detail.story.last_day >= start for r in ranked)
    top = ranked[-1].detail.story.story_id
    set_flag(fresh_db, top, "pin", clock=CLOCK)
    hidden = ranked[0].detail.story.story_id
    set_flag(fresh_db, hidden, "hide", clock=CLOCK)
    again = rank_window(fresh_db, settings, clock, days=14)
    assert again[0].detail.story.story_id == top
    assert hidden not in {r.detail.story.story_id for r in again}
    found, per_outlet, per_country = reprints_in_window(fresh_db, settings, clock, days=400)
    assert found and sum(per_outlet.values()) == len(found) == sum(per_country.values())
    kept = {a.id for a in articles}
    gold = {(a.id, a.reprint_of) for a in articles if a.reprint_of in kept}
    assert len({(r.article_id, r.source_id) for r in found} & gold) >= len(gold) // 2
    with_reprint = next(r for r in found if r.source_id)
    with fresh_db.begin() as conn:
        story_id = dict(store.clustered_since(conn, None))[with_reprint.article_id]
    detail = story_detail(fresh_db, settings, story_id)
    assert detail is not None and detail.first is not None
    assert with_reprint.article_id in {r.article_id for r in detail.reprints}
    assert (
        detail.first.article_id
        == min((s for s, _ in detail.members), key=lambda s: (s.day, s.article_id)).article_id
    )
    assert story_detail(fresh_db, settings, "s-nope") is None


def test_replay_and_carry_over() -> None:
    state = replay_decisions(
        [
            StoryDecision(kind="merge", story_id="b", target_id="a"),
            StoryDecision(kind="merge", story_id="a", target_id="c"),
            StoryDecision(kind="split", story_id="c", target_id="x", article_ids=("1", "2")),
            StoryDecision(kind="pin", story_id="c"),
            StoryDecision(kind="hide", story_id="x"),
            StoryDecision(kind="unpin", story_id="c"),
        ]
    )
    assert state.resolve("b") == "c" and state.placed == {"1": "x", "2": "x"}
    assert state.pinned == frozenset() and state.hidden == {"x"}
    renames = carry_over_ids({"1": "old", "2": "old", "3": "keep"}, {"1": "new", "2": "new", "3": "keep"})
    assert renames == {"new": "old"}
    assert carry_over_ids({"1": "old"}, {"1": "new"}, keep_out={"old"}) == {}


_NOW = CLOCK.now()
_STORY_ROW = {"story_id": "s1", "title": "t", "first_day": date(2024, 7, 1), "updated_at": _NOW}
test_every_story_builder_has_a_sample, test_every_story_query_compiles, _ = builder_tests(
    store,
    {
        "_upsert_assignment_stmt": ((), {}),
        "_upsert_story_stmt": ((_STORY_ROW,), {}),
        "_unclustered_stmt": ((100,), {}),
        "_clustered_since_stmt": ((_NOW,), {}),
        "_duplicates_stmt": ((["a", "b"],), {}),
        "_members_stmt": ((["s1"],), {}),
        "_get_story_stmt": (("s1",), {}),
        "_list_stories_stmt": ((date(2024, 7, 1), date(2024, 7, 14), False), {}),
        "_insert_decision_stmt": ((), {}),
        "_list_decisions_stmt": ((), {}),
        "_delete_assignments_stmt": ((), {}),
        "_delete_stories_stmt": ((), {}),
        "_reassign_stmt": (("s1", "s2"), {}),
        "_set_flags_stmt": (("s1", {"pinned": True}), {}),
    },
)
