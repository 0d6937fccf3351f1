"""Cities resolve to countries; trap words do not."""

from __future__ import annotations

import pytest
import yaml

from eurasiawatch.annotate.gazetteer import city_traps, load_gazetteer, lookup_city
from eurasiawatch.annotate.kb import load_kb, normalize_alias, shipped_kb_dir

TRAPS = yaml.safe_load((shipped_kb_dir() / "city_traps.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Subotica", "RS"),
        ("Суботица", "RS"),
        ("Almaty", "KZ"),
        ("Алматы", "KZ"),
        ("Astana", "KZ"),
        ("Нур-Султан", "KZ"),
        ("Пекин", "CN"),
        ("Сиань", "CN"),
        ("Xi'an", "CN"),
        ("Zhanaozen", "KZ"),
        ("Тбилиси", "GE"),
        ("Vaduz", "LI"),  # a capital under the population floor
        ("Budimpešta", "HU"),
    ],
)
def test_cities_resolve_to_their_country(gazetteer, name: str, country: str) -> None:
    assert gazetteer.country_of(name) == country


def test_population_floor_and_short_alternates(gazetteer) -> None:
    assert all(c.population >= 15_000 or c.capital for c in gazetteer.cities.values())
    # short keys are only primary GeoNames names ("Bor", "Of") and the KB's capital names ("Рим")
    kb = load_kb()
    allowed = {normalize_alias(c.name) for c in gazetteer.cities.values()}
    allowed |= {
        normalize_alias(n) for c in kb.countries.values() for ns in c.capital_names.values() for n in ns
    }
    assert [key for key in gazetteer.index if len(key) < 4 and key not in allowed] == []
    # "Bar" is a town in Montenegro (and Ukraine) and a three-letter alternate name of a Chinese city
    countries = {c.country for c in gazetteer.lookup("Bar", allow_traps=True)}
    assert "ME" in countries and "CN" not in countries


def test_country_names_never_resolve_to_a_city_elsewhere(gazetteer) -> None:
    assert gazetteer.lookup("Jordan") == ()  # a Hong Kong district in GeoNames
    assert gazetteer.lookup("Georgia") == ()
    assert gazetteer.country_of("Singapore") == "SG"


@pytest.mark.parametrize(
    ("language", "word"),
    [(lang, word) for lang, words in TRAPS.items() for word in words],
)
def test_trap_words_do_not_resolve(gazetteer, language: str, word: str) -> None:
    assert gazetteer.lookup(word, language=language) == ()
    assert gazetteer.lookup(word.lower(), language=language) == ()
    assert lookup_city(word, language=language) is None


def test_traps_still_resolve_with_context(gazetteer) -> None:
    assert gazetteer.country_of("Split", allow_traps=True) == "HR"
    assert gazetteer.country_of("Police", allow_traps=True) == "PL"
    assert gazetteer.country_of("Batman", allow_traps=True) == "TR"
    assert "split" in city_traps("en") and "pápa" in city_traps("hu") and "pápa" not in city_traps("ru")
    # a trap of one language is an ordinary city in another
    assert gazetteer.country_of("Pápa", language="en") == "HU"
