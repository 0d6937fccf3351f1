"""annotate_text / annotate_article: the record, purity and pickling, china_related, bad input."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from eurasiawatch.annotate import annotate_article, annotate_text, annotation_record, load_kb
from eurasiawatch.annotate.annotator import MAX_CHARS
from eurasiawatch.errors import AnnotationError
from eurasiawatch.records import Annotation, Article


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def test_annotation_is_stamped_and_sorted(kb):
    ann = annotate_text("China and Kazakhstan signed a deal.", language="en", kb=kb, article_id="x1")
    assert isinstance(ann, Annotation)
    assert ann.kb_version == kb.version and ann.article_id == "x1"
    assert ann.countries == ("CN", "KZ")
    assert all(m.article_id == "x1" for m in ann.mentions)


def test_language_is_detected_when_not_given(kb):
    assert annotate_text("Китай и Казахстан подписали соглашение о торговле.", kb=kb).language == "ru"


def test_annotate_article_uses_title_language_and_date(kb):
    article = Article(
        article_id="a1",
        url="https://example.org/a",
        canonical_url="https://example.org/a",
        title="Xi visits Budapest",
        text="Chinese President Xi Jinping met Viktor Orbán in Budapest.",
        language="en",
        published=datetime(2024, 5, 9, tzinfo=UTC),
    )
    ann = annotate_article(article, kb)
    assert ann.article_id == "a1" and ann.china_related
    assert {"CN", "HU"} <= set(ann.countries)


def test_functions_and_results_pickle(kb):
    assert pickle.loads(pickle.dumps(annotate_text)) is annotate_text
    ann = annotate_text("Beijing said.", language="en", kb=kb)
    assert pickle.loads(pickle.dumps(ann)) == ann
    assert pickle.loads(pickle.dumps(kb)).version == kb.version


def test_annotate_is_pure(kb):
    text = "Xi Jinping met Vladimir Putin in Moscow."
    assert annotate_text(text, language="en", kb=kb) == annotate_text(text, language="en", kb=kb)


def test_china_related_weighs_title_and_lead(kb):
    about = annotate_text(
        "Chinese firms will build the plant. Beijing will lend the money.",
        title="China to build a plant",
        kb=kb,
    )
    assert about.china_related
    passing = annotate_text(
        "The Duma passed the tax bill on Wednesday. Ministers say the scale is progressive. "
        "Deputies argued for hours. The finance ministry prepared it. "
        * 3
        + "Like China, Russia now taxes higher incomes more.",
        title="Duma passes tax reform",
        language="en",
        kb=kb,
    )
    assert not passing.china_related


def test_record_has_the_contract_shape(kb):
    ann = annotate_text("Huawei and the EU.", language="en", kb=kb, article_id="r")
    record = annotation_record(ann)
    assert set(record) == {"id", "language", "china_related", "countries", "entities", "themes", "events"}
    assert record["entities"][0] == {
        "name": "Huawei",
        "type": "company",
        "wikidata": record["entities"][0]["wikidata"],
        "country": "CN",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty text"),
        ("   \n\t ", "empty text"),
        ("x" * (MAX_CHARS + 1), "too long"),
        ("\x00\x01\x02\x03\x04\x05\x06\x07\x08" * 100, "not text"),
        ("12345 67890 ... !!!", "no words"),
    ],
)
def test_bad_input_is_a_clear_error(kb, text, message):
    with pytest.raises(AnnotationError, match=message):
        annotate_text(text, kb=kb)


def test_mixed_scripts_are_annotated(kb):
    ann = annotate_text("Китай and China; Kína és Қытай; 中国", kb=kb)
    assert "CN" in ann.countries


def test_bad_date_is_an_error(kb):
    with pytest.raises(AnnotationError, match="date"):
        annotate_text("China.", published="yesterday-ish", kb=kb)
