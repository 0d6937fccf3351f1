"""The sample corpus: consistent, labelled, and rich enough for every later stage."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from eurasiawatch.demo.corpus import corpus_dir, label_lines, load_corpus, validate_corpus


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_is_consistent(corpus) -> None:
    problems = validate_corpus(corpus)
    assert not problems, "\n".join(problems[:40])


def test_labels_file_matches_the_hand_written_labels(corpus) -> None:
    on_disk = (corpus_dir() / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert on_disk == label_lines(corpus), "labels.jsonl is stale: run `make labels`"
    for line in on_disk:
        record = json.loads(line)
        assert record["sample"] is True
        assert set(record["gold"]) >= {"countries", "entities", "themes", "events", "china_related"}


def test_size_languages_outlets_and_span(corpus) -> None:
    articles = corpus.articles
    assert len(articles) >= 200
    langs = Counter(a.language for a in articles)
    assert langs["en"] >= 60 and langs["ru"] >= 60, langs
    assert sum(1 for lang, n in langs.items() if lang not in {"en", "ru"} and n >= 10) >= 3, langs
    used = {a.outlet for a in articles}
    local = {o for o in used if corpus.outlets[o].kind != "state-media"}
    assert len(local) >= 12
    assert len({corpus.outlets[o].template for o in local}) >= 12
    span = max(a.published for a in articles) - min(a.published for a in articles)
    assert span >= timedelta(weeks=10)


def test_stories_reprints_upcoming_and_traps(corpus) -> None:
    stories: dict[str, list] = defaultdict(list)
    for a in corpus.articles:
        stories[a.story].append(a)
    multi = [
        s
        for s, arts in stories.items()
        if 2 <= len(arts) <= 6 and len({a.outlet for a in arts}) >= 2 and len({a.language for a in arts}) >= 2
    ]
    assert len(multi) >= 40, f"only {len(multi)} multi-outlet, multi-language stories"
    reprints = [a for a in corpus.articles if a.reprint_of]
    assert len(reprints) >= 4
    assert sum(1 for a in corpus.articles if a.upcoming_for) >= 4
    modes = Counter(e.get("mode", "asserted") for a in corpus.articles for e in a.labels.get("events", []))
    assert modes["negated"] >= 2 and modes["hypothetical"] + modes["planned"] >= 2, modes
    assert sum(1 for a in corpus.articles if not a.labels["china_related"]) >= 5


def test_every_article_is_marked_sample_content(corpus) -> None:
    from eurasiawatch.demo.site import build_site

    site = build_site(corpus, "http://127.0.0.1:1")
    pages = [r for p, r in site.items() if p.endswith(".html")]
    assert len(pages) == len(corpus.articles)
    for r in pages:
        assert b'name="eurasiawatch:sample" content="true"' in r.body
        assert b"Sample content written for the eurasiawatch project" in r.body


def test_synthetic_scale_up_is_labelled_and_repeatable(corpus) -> None:
    from eurasiawatch.demo.synthetic import synthetic_articles

    n = len(corpus.articles) * 2 + 5
    first = list(synthetic_articles(corpus, n))
    assert len(first) == n and all(r["synthetic"] is True for r in first)
    assert len({r["id"] for r in first}) == n
    assert first == list(synthetic_articles(corpus, n))
    later = [r for r in first if r["id"].startswith("syn1-")]
    assert later and all(r["story"].startswith("syn1-") for r in later)
    assert later[0]["published"] > first[0]["published"]
