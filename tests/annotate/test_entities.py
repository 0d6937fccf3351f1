"""Entities: canonical English names, bare surnames after a full mention, shared aliases, Xi'an."""

from __future__ import annotations

import pytest

from eurasiawatch.annotate import annotate_text, load_kb


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def entities(text, kb, language="en", title=None):
    ann = annotate_text(text, title=title, language=language, kb=kb)
    return [m.name for m in ann.mentions if m.kind == "entity"]


def test_canonical_english_names_in_every_language(kb):
    assert "Xi Jinping" in entities("Си Цзиньпином и Путиным", kb, "ru")
    assert "Xi Jinping" in entities("Si Đinpingom", kb, "sr")
    assert "Vladimir Putin" in entities("Путиным", kb, "ru")
    assert "Power of Siberia 2" in entities("газопровода «Сила Сибири — 2»", kb, "ru")


def test_bare_surname_only_after_a_full_mention(kb):
    assert "Xi Jinping" not in entities("Xi said nothing about it.", kb)
    assert entities("Xi Jinping arrived. Later Xi said nothing.", kb).count("Xi Jinping") == 2
    # the title's bare surname counts when the text names him in full
    assert "Xi Jinping" in entities("Xi Jinping met them.", kb, title="Xi hosts leaders")
    assert "Wang Yi" not in entities("Wang said the weather was fine.", kb)


def test_long_unique_surnames_stand_alone(kb):
    assert "Vladimir Putin" in entities("Putin said so.", kb)


def test_a_surname_that_is_a_title_word_needs_the_full_name(kb):
    # Uzbek "Raisi" / Tajik "Раиси": "chairman (of)", the title of China's and Tajikistan's presidents
    uz = "Prezident Pekinda Xitoy Raisi bilan muzokaralar o'tkazdi."
    assert "Ebrahim Raisi" not in entities(uz, kb, "uz")
    tg = "Раиси Ҷумҳурии Тоҷикистон бо ҳамтои чинии худ вохӯрд."
    assert "Ebrahim Raisi" not in entities(tg, kb, "tg")
    # named in full, the same word is the man
    assert "Ebrahim Raisi" in entities("Ebrahim Raisi Toshkentga keldi. Raisi nutq so'zladi.", kb, "uz")
    # in other languages the bare surname still stands alone
    assert "Ebrahim Raisi" in entities("Raisi said Tehran would join.", kb, "en")


def test_xian_is_a_city_not_xi(kb):
    ann = annotate_text("Leaders gathered in Xi'an on Friday.", language="en", kb=kb)
    assert "Xi Jinping" not in [m.name for m in ann.mentions if m.kind == "entity"]
    assert "CN" in ann.countries


def test_acronyms_and_longest_names(kb):
    assert entities("The EU and the SCO", kb) == ["European Union", "Shanghai Cooperation Organisation"]
    assert "China Communications Construction Company" in entities(
        "China Communications Construction Company (CCCC) built it", kb
    )


def test_entity_mentions_carry_type_country_and_qid(kb):
    ann = annotate_text("Huawei opened an office.", language="en", kb=kb)
    (m,) = [m for m in ann.mentions if m.kind == "entity"]
    assert (m.name, m.entity_type, m.country) == ("Huawei", "company", "CN")
    assert m.wikidata is None or m.wikidata.startswith("Q")
