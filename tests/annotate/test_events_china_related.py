"""china_related scoring (annotator.china_score): references through organisations and names."""

from __future__ import annotations

from eurasiawatch.annotate import annotate_text
from eurasiawatch.annotate.annotator import china_score
from eurasiawatch.records import Mention


def _m(kind: str, key: str, start: int, *, name: str = "", country: str | None = None) -> Mention:
    return Mention(
        article_id="a", kind=kind, key=key, name=name or key, start=start, end=start + 3, country=country
    )


def test_sco_in_the_title_counts_through_the_organisation() -> None:
    assert china_score([_m("entity", "sco-summit", 5)], title_end=30, lead_end=400) >= 2
    # BRICS is not China's organisation: a membership piece is about the applicant
    assert china_score([_m("entity", "brics", 5)], title_end=30, lead_end=400) == 0


def test_actor_named_after_china_is_chinese() -> None:
    railway = _m("entity", "ckur", 0, name="China–Kyrgyzstan–Uzbekistan railway")
    assert china_score([railway], title_end=40, lead_end=400) >= 2


def test_china_alone_in_its_sentence_acts_there() -> None:
    sentences = ((0, 50), (50, 100), (100, 150))
    alone = [_m("country", "CN", 110, country="CN")]
    listed = [_m("country", "DE", 105, country="DE"), _m("country", "CN", 110, country="CN")]
    assert china_score(alone, title_end=0, lead_end=20, sentences=sentences) == 2
    assert china_score(listed, title_end=0, lead_end=20, sentences=sentences) == 1


def test_passing_comparison_stays_unrelated() -> None:
    text = (
        "The parliament approved a progressive income tax on Tuesday.\n\n"
        "Rates stay modest: the top rate in Germany and China reaches 45%."
    )
    ann = annotate_text(text, title="Parliament approves income tax reform", published="2024-06-01")
    assert not ann.china_related
