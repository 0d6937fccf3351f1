"""Countries in context: Georgia, china, Turkey, capitals as metonyms, Brussels, cities and traps."""

from __future__ import annotations

import pytest

from eurasiawatch.annotate import annotate_text, load_kb


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def countries(text, kb, language="en", title=None):
    return set(annotate_text(text, title=title, language=language, kb=kb).countries)


def test_georgia_the_us_state(kb):
    assert countries("The debate was held in Atlanta, Georgia, on Thursday.", kb) == {"US"}
    assert "GE" not in countries("Voters in the state of Georgia went to the polls.", kb)
    assert "GE" not in countries("Republicans hope to win Georgia in the Senate race.", kb)


def test_georgia_the_country(kb):
    assert countries("Georgia's parliament in Tbilisi passed the law.", kb) == {"GE"}
    # US politics in the sentence, but the article is about the Caucasus
    text = "Georgia's ruling party met in Tbilisi. Republicans in Washington criticised Georgia's law."
    assert "GE" in countries(text, kb)


def test_china_the_porcelain(kb):
    assert "CN" not in countries("She collects fine china and porcelain cups.", kb)
    assert "CN" not in countries("Herend's bone China plates are painted by hand.", kb)
    assert "CN" in countries("China signed a deal with Serbia.", kb)


def test_turkey_the_bird(kb):
    assert "TR" not in countries("Turkey prices rose before Thanksgiving dinner on the farm.", kb)
    assert "TR" not in countries("farmers raise turkey and chicken", kb)
    assert "TR" in countries("Turkey and Azerbaijan signed a gas deal.", kb)


def test_capitals_stand_for_their_country(kb):
    assert countries("Beijing said the talks went well.", kb) == {"CN"}
    assert countries("Пекин заявил о готовности к переговорам.", kb, "ru") == {"CN"}
    assert countries("У Києві заявили", kb, "uk") == {"UA"}


def test_brussels_is_the_eu_unless_belgium_is_the_subject(kb):
    ann = annotate_text("Brussels warned Budapest about the law.", language="en", kb=kb)
    assert "BE" not in ann.countries
    assert "European Union" in {m.name for m in ann.mentions if m.kind == "entity"}
    ann = annotate_text("Belgium's police in Brussels arrested two men.", language="en", kb=kb)
    assert "BE" in ann.countries


def test_cities_resolve_to_countries(kb):
    assert "JP" in countries("The G7 leaders met in Hiroshima.", kb)
    assert "RS" in countries("The line reached Subotica near the border.", kb)
    assert "KZ" in countries("Переговоры прошли в Алматы.", kb, "ru")
    assert "CN" in countries("Xi hosted them in Xi'an.", kb)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Most of the delegates left. Police said nothing.", "en"),
        ("Best of all, the Nice weather held. Of course.", "en"),
        ("Split decisions are common. Bar none.", "en"),
        ("Most ljudi je došlo. Bar je tako.", "sr"),
        ("On March 19 the Union met; Reading the report took time.", "en"),
    ],
)
def test_trap_words_make_no_country(kb, text, language):
    assert countries(text, kb, language) == set()


def test_demonyms(kb):
    assert countries("Chinese and Hungarian officials met.", kb) == {"CN", "HU"}
    assert countries("китайские компании", kb, "ru") == {"CN"}


def test_a_name_of_two_countries_in_two_languages_follows_the_article(kb):
    # Slovak "Slovensko" is Slovakia; the Croatian adjective "slovensko" is Slovenian
    assert countries("Slovensko a Čína podpísali dohodu o spolupráci.", kb, "sk") == {"SK", "CN"}
    assert "SI" in countries("Slovensko gospodarstvo raste, a Kina ulaže u Kopar.", kb, "hr")
