"""The lexicon baseline gives the eight themes, in every supported language, from inflected forms."""

from __future__ import annotations

import pickle

import pytest

from eurasiawatch.annotate.themes import THEMES, classify_themes, theme_scores

CASES = [
    (
        "en",
        "Xi and Tokayev held talks at the summit and signed a joint statement on strategic partnership.",
        "diplomacy",
    ),
    (
        "ru",
        "Переговоры прошли в Пекине, министры иностранных дел подписали совместное заявление.",
        "diplomacy",
    ),
    ("uk", "Газопровід і нафтопровід: атомна електростанція та постачання газу й нафти.", "energy"),
    ("kk", "Мұнай мен газ құбыры, атом электр стансасы мен уран өндірісі.", "energy"),
    (
        "uz",
        "Xitoy kompaniyasi zavod qurilishi uchun investitsiya va kredit ajratdi, temir yoʻl qurilishi.",
        "investment",
    ),
    (
        "sr",
        "Kineski kredit za izgradnju pruge i investicije u fabriku; infrastruktura i koridor.",
        "investment",
    ),
    ("sr", "Кинески кредит за изградњу пруге и инвестиције у фабрику; инфраструктура.", "investment"),
    (
        "hu",
        "Tüntetés és tiltakozás a lakók körében; a helyi lakosok petíciót írtak.",
        "society",
    ),
    ("en", "Exports and imports rose; customs data show trade turnover and new tariffs on goods.", "trade"),
    ("ru", "Военные учения армий двух стран: войска, ракеты и беспилотники, министр обороны.", "security"),
    (
        "en",
        "Huawei will build the 5G network and surveillance cameras for the safe city project.",
        "technology",
    ),
    (
        "en",
        "State media ran propaganda and disinformation; censorship of the press freedom report.",
        "information",
    ),
]


@pytest.mark.parametrize(("language", "text", "theme"), CASES)
def test_lexicon_finds_theme(language: str, text: str, theme: str) -> None:
    assert theme in classify_themes(text, language)


def test_only_the_eight_themes_in_order() -> None:
    themes = classify_themes(CASES[0][1] + " " + CASES[8][1], "en")
    assert set(themes) <= set(THEMES)
    assert list(themes) == sorted(themes, key=THEMES.index)


def test_a_word_is_not_a_theme() -> None:
    # a single passing mention is not enough
    assert (
        classify_themes("The minister, who once studied oil painting, spoke about his holiday.", "en") == ()
    )


def test_acronyms_only_in_capitals() -> None:
    assert theme_scores("rt ai", "en")["information"] == 0
    assert theme_scores("RT and Sputnik", "en")["information"] > 0


def test_unknown_language_uses_every_lexicon() -> None:
    assert "energy" in classify_themes("Газопровод, нефть и газ; атомная электростанция.", None)


def test_picklable() -> None:
    assert pickle.loads(pickle.dumps(classify_themes)) is classify_themes
