"""Story clustering: stable ids, the hard cases, editors' constraints, bounded state."""

from __future__ import annotations

import pickle
from datetime import date

from eurasiawatch.analyze.scores import bcubed
from eurasiawatch.analyze.similarity import Signals, extract_signals, pair_features
from eurasiawatch.analyze.stories import StoryClusterer, cluster_signals, story_id_for, summarize_story
from eurasiawatch.records import Annotation, Event, Mention


def _annotation(article_id: str, entities: list[str], countries: list[str], events=()) -> Annotation:
    return Annotation(
        article_id=article_id,
        language=None,
        china_related=True,
        countries=tuple(countries),
        mentions=tuple(
            Mention(article_id=article_id, kind="entity", key=e, name=e, start=i, end=i + 1)
            for i, e in enumerate(entities)
        ),
        themes=("diplomacy",),
        events=tuple(Event(article_id=article_id, type=t, date=d) for t, d in events),
    )


def _signals(article_id, title, text, day, entities, countries, events=(), language="en") -> Signals:
    return extract_signals(
        article_id,
        _annotation(article_id, entities, countries, events),
        title=title,
        text=text,
        published=day,
        language=language,
        outlet="o-" + article_id,
    )


VISIT_EN = _signals(
    "en-1",
    "Xi visits Astana, signs 30 deals with Tokayev",
    "Chinese President Xi Jinping and President Kassym-Jomart Tokayev signed 30 agreements worth $12.5 "
    "billion in Astana on July 2.",
    "2024-07-02",
    ["xi-jinping", "kassym-jomart-tokayev", "akorda"],
    ["CN", "KZ"],
    [("AGREE", "2024-07-02")],
)
VISIT_KK = _signals(
    "kk-1",
    "Си Цзиньпин мен Тоқаев 30 келісімге қол қойды",
    "Қытай Төрағасы Си Цзиньпин мен Қасым-Жомарт Тоқаев Астанада 12,5 млрд долларлық 30 құжатқа қол қойды.",
    "2024-07-03",
    ["xi-jinping", "kassym-jomart-tokayev"],
    ["CN", "KZ"],
    [("AGREE", "2024-07-02")],
    language="kk",
)
VISIT_LATER = _signals(
    "en-2",
    "Tokayev and Xi meet again",
    "Kassym-Jomart Tokayev met Xi Jinping in Beijing on October 14 and spoke of 7 new projects.",
    "2024-10-14",
    ["xi-jinping", "kassym-jomart-tokayev"],
    ["CN", "KZ"],
    [("CONSULT", "2024-10-14")],
)


def test_same_event_in_kazakh_and_english_joins() -> None:
    out = cluster_signals([VISIT_EN, VISIT_KK])
    assert out["en-1"] == out["kk-1"]


def test_same_actors_months_apart_stay_apart() -> None:
    out = cluster_signals([VISIT_EN, VISIT_KK, VISIT_LATER])
    assert out["en-2"] != out["en-1"]


def test_story_keeps_the_id_of_the_article_that_opened_it() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(VISIT_EN)
    assert first == story_id_for("en-1")
    assert clusterer.add(VISIT_KK) == first
    assert clusterer.add(VISIT_EN) == first  # adding again changes nothing
    assert clusterer.assignments() == {"en-1": first, "kk-1": first}


def test_near_duplicates_fold_into_the_original_story() -> None:
    clusterer = StoryClusterer()
    story = clusterer.add(VISIT_LATER)
    unrelated = _signals("x", "Bridge", "A bridge opened.", "2024-10-14", [], ["HU"])
    assert clusterer.add(unrelated, duplicate_of="en-2") == story


def test_editors_pins_and_merges_are_obeyed() -> None:
    clusterer = StoryClusterer(pinned={"kk-1": "s-editor"})
    clusterer.add(VISIT_EN)
    assert clusterer.add(VISIT_KK) == "s-editor"
    clusterer.aliases["s-editor"] = story_id_for("en-1")
    assert clusterer.assignments()["kk-1"] == story_id_for("en-1")


def test_old_articles_are_forgotten_but_keep_their_story() -> None:
    clusterer = StoryClusterer()
    story = clusterer.add(VISIT_EN)
    clusterer.forget_before(date(2024, 8, 1).toordinal())
    assert "en-1" not in clusterer.signals
    assert clusterer.assignments()["en-1"] == story
    assert clusterer.add(VISIT_LATER) != story


def test_numbers_and_names_cross_scripts() -> None:
    f = pair_features(VISIT_EN, VISIT_KK, {})
    assert f[4] > 0  # numbers: 30, 12.5
    assert f[5] > 0  # names: Tokayev / Тоқаев, Astana / Астана


def test_summary_has_the_story_fields() -> None:
    story = summarize_story("s1", [(VISIT_KK, None), (VISIT_EN, None)])
    assert story.title.startswith("Xi visits Astana")  # the English headline
    assert story.first_day == date(2024, 7, 2) and story.last_day == date(2024, 7, 3)
    assert story.languages == ("en", "kk")
    assert story.countries[:2] == ("CN", "KZ")
    assert "xi-jinping" in story.actors
    assert story.events == ("@2024-07-02", "AGREE@2024-07-02")


def test_clusterer_pickles_with_its_state() -> None:
    clusterer = StoryClusterer()
    clusterer.add(VISIT_EN)
    again = pickle.loads(pickle.dumps(clusterer))
    assert again.add(VISIT_KK) == story_id_for("en-1")


def test_bcubed() -> None:
    assert bcubed({"a": "1", "b": "1"}, {"a": "x", "b": "x"}) == (1.0, 1.0, 1.0)
    p, r, _ = bcubed({"a": "1", "b": "2"}, {"a": "x", "b": "x"})
    assert (p, r) == (1.0, 0.5)


def test_one_step_pair_score_is_the_two_step_one_to_the_last_bit() -> None:
    # the clusterer's fast path (score_pair on IdfTables) must give the very floats of
    # pair_score(pair_features(...)) on the flat table, or clusters would drift
    from collections import Counter

    from eurasiawatch.analyze.batch import article_signals
    from eurasiawatch.analyze.similarity import idf_table, idf_tables, norms, pair_score, score_pair
    from eurasiawatch.annotate import annotate_article
    from eurasiawatch.demo.corpus import load_corpus
    from eurasiawatch.records import Article

    articles = [
        Article(
            article_id=a.id, url="", canonical_url="", title=a.title, text=a.text,
            published=a.published, language=a.language, outlet=a.outlet,
        )
        for a in load_corpus().articles[:50]
    ]  # fmt: skip
    signals = [article_signals(a, annotate_article(a)) for a in articles]
    df: Counter[str] = Counter()
    for s in signals:
        df.update(s.keys())
    flat = idf_table(df, len(signals))
    tables = idf_tables(flat)
    for a in signals:
        for b in signals:
            slow = pair_score(pair_features(a, b, flat))
            assert score_pair(a, b, tables, norms(a, tables), norms(b, tables)) == slow
            assert pair_features(a, b, tables) == pair_features(a, b, flat)
