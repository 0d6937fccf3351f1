"""The theme model learns from a handful of editors' corrections and generalises to unseen articles."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from eurasiawatch.annotate.theme_model import (
    LEXICON,
    ThemeExample,
    active_theme_classifier,
    active_version,
    corrected_themes,
    fit_version,
    load_model,
    model_path,
    read_gold,
    save_model,
    set_active_version,
)
from eurasiawatch.annotate.themes import classify_themes, lexicon_themes
from eurasiawatch.demo.corpus import corpus_dir, load_corpus
from eurasiawatch.errors import AnnotationError


def _doc(article) -> str:  # type: ignore[no-untyped-def]
    return f"{article.title}\n\n{article.text}"


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return load_corpus()


@pytest.fixture(scope="module")
def state_media(corpus):  # type: ignore[no-untyped-def]
    """English articles of the sample corpus's Chinese state-media outlets: (taught, unseen)."""
    outlets = {o.id for o in corpus.outlets.values() if o.kind == "state-media"}
    found = [a for a in corpus.articles if a.outlet in outlets and a.language == "en"]
    return found[::2], found[1::2]


@pytest.fixture(scope="module")
def run(corpus, state_media):  # type: ignore[no-untyped-def]
    taught, _ = state_media
    examples = [
        ThemeExample(text=_doc(a), language=a.language, themes=(), article_id=a.id) for a in corpus.articles
    ]
    fixes = {a.id: [(("information",), ())] for a in taught}
    gold = read_gold(corpus_dir() / "labels.jsonl")
    return fit_version(examples, fixes, version="v1", gold=gold)


def test_corrections_change_predictions_on_unseen_similar_articles(run, state_media, corpus) -> None:
    taught, unseen = state_media
    assert 5 <= len(taught) <= 10
    # before: the lexicon never calls these state-media copies "information"
    assert not any("information" in lexicon_themes(_doc(a), a.language) for a in unseen)
    after = [classify_themes(_doc(a), a.language, model=run.model) for a in unseen]
    assert sum("information" in themes for themes in after) >= len(unseen) // 2 + 1
    # ...and it did not learn to call everything "information"
    others = [a for a in corpus.articles if a.language == "en" and a not in taught and a not in unseen]
    predicted = run.model.predict_many([_doc(a) for a in others], [a.language for a in others])
    assert sum("information" in p for p in predicted) <= len(others) // 5


def test_gold_scores_and_verdict(run, state_media) -> None:
    taught, _ = state_media
    assert run.gold_cases == 210 - len(taught)  # the corrected articles are held out
    assert run.f1_model is not None and run.f1_lexicon is not None
    assert run.f1_model > 0.7
    assert run.activate == (run.f1_model >= run.f1_lexicon)


def test_corrected_themes_later_wins() -> None:
    assert corrected_themes(("trade", "energy"), [(("security",), ("trade",))]) == ("security", "energy")
    assert corrected_themes((), [(("trade",), ()), ((), ("trade",))]) == ()


def test_no_corrections_is_an_error() -> None:
    with pytest.raises(AnnotationError, match="no theme corrections"):
        fit_version([ThemeExample(text="x", language="en", themes=())], {}, version="v1")
    with pytest.raises(AnnotationError, match="not found"):
        fit_version([ThemeExample(text="x", language="en", themes=())], {"nope": [((), ())]}, version="v1")


def test_save_load_and_active_pointer(run, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    assert active_version(folder) == LEXICON
    assert active_theme_classifier(folder) is None
    path = save_model(run.model, model_path(tmp_path, "v1"))
    assert load_model(path).version == "v1"
    set_active_version(folder, "v1")
    model = active_theme_classifier(folder)
    assert model is not None and model.version == "v1"
    assert pickle.loads(pickle.dumps(model)).version == "v1"  # ships to Dask workers
    set_active_version(folder, LEXICON)
    assert active_theme_classifier(folder) is None
    set_active_version(folder, "v9")
    with pytest.raises(AnnotationError, match="missing"):
        active_theme_classifier(folder)
    (tmp_path / "junk.pkl").write_bytes(b"not a pickle")
    with pytest.raises(AnnotationError):
        load_model(tmp_path / "junk.pkl")
