"""A naive country finder for tests and measurements until the real matcher lands.

Country names, demonyms and capitals from the knowledge base in the supported languages, matched as
word starts (so inflected forms match); not the project's matcher, only a stand-in.
"""

from __future__ import annotations

import functools
import re

from eurasiawatch.annotate.kb import load_kb
from eurasiawatch.records import Mention

_LANGS = ("en", "ru", "uk", "kk", "uz", "sr", "sr-Latn", "hu")


@functools.cache
def _index() -> tuple[re.Pattern[str], dict[str, str]]:
    kb = load_kb()
    lookup: dict[str, str] = {}
    for code, country in kb.countries.items():
        names: list[str] = []
        for lang in _LANGS:
            names += list(country.names.get(lang, ()))
            names += list(country.demonyms.get(lang, ()))
            names += list(country.capital_names.get(lang, ()))
        names.append(country.capital)
        for name in names:
            if name and len(name) >= 4:
                stem = name[:-1] if len(name) > 5 else name
                lookup.setdefault(stem.lower(), code)
    alternatives = sorted(lookup, key=len, reverse=True)
    rx = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alternatives) + r")\w{0,5}", re.I)
    return rx, lookup


def find_countries(text: str, article_id: str = "a") -> tuple[Mention, ...]:
    """Country mentions (offsets into ``text``)."""
    rx, lookup = _index()
    out = []
    for m in rx.finditer(text):
        code = lookup[m.group(1).lower()]
        out.append(
            Mention(article_id=article_id, kind="country", key=code, name=code, start=m.start(), end=m.end())
        )
    return tuple(out)
