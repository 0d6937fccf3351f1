"""Loading the shipped lexicons (``data/lexicons/*.yaml``): theme words, event triggers, mode cues, dates.

The files are read once per process through ``functools.cache`` — immutable results (tuples,
frozen mappings), so the cache is the only process state and a Dask worker rebuilds it on first use.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..errors import AnnotationError

__all__ = ["LANGUAGES", "compile_terms", "lexicon_dir", "lexicon_languages", "load_lexicon"]

# Languages every lexicon covers; "sr" holds Serbian in both Cyrillic and Latin script.
LANGUAGES = ("en", "ru", "uk", "kk", "uz", "sr", "hu")


def lexicon_dir() -> Path:
    """The folder of shipped lexicons."""
    return Path(str(resources.files("eurasiawatch") / "data" / "lexicons"))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _read(path: Path) -> Any:
    try:
        # the C loader when present: the same data, about ten times faster than the Python one
        return yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (OSError, yaml.YAMLError) as exc:
        raise AnnotationError(f"cannot read lexicon {path}: {exc}") from exc


def _merge(base: Any, extra: Any, where: str) -> Any:
    """``extra`` laid over ``base``: mappings merge key by key, lists are joined; anything else must agree."""
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value, f"{where}.{key}") if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return base + [v for v in extra if v not in base]
    if base != extra:
        raise AnnotationError(f"lexicon part {where}: {extra!r} contradicts {base!r}")
    return base


@functools.cache  # read-only data, loaded once per process (see module docstring)
def load_lexicon(name: str) -> Any:
    """The lexicon ``data/lexicons/<name>.yaml``, with the parts in ``data/lexicons/<name>.d/*.yaml``
    merged into it (one file a language, so a language is added without touching the others), as
    nested read-only mappings and tuples.

    Raises:
        AnnotationError: a file is missing or is not valid YAML, or a part contradicts the main file.
    """
    root = lexicon_dir()
    data = _read(root / f"{name}.yaml")
    for part in sorted((root / f"{name}.d").glob("*.yaml")):
        extra = _read(part)
        if not isinstance(data, dict) or not isinstance(extra, dict):
            raise AnnotationError(f"lexicon part {part} must be a mapping like {name}.yaml")
        data = _merge(data, extra, part.name)
    return _freeze(data)


@functools.cache  # derived from the cached lexicon; asked once per article
def lexicon_languages(name: str, section: str) -> frozenset[str]:
    """Every language that some entry of ``section`` in lexicon ``name`` has terms for."""
    table = load_lexicon(name)[section]
    return frozenset(code for entry in table.values() if hasattr(entry, "keys") for code in entry)


def _term_pattern(term: str) -> str:
    """A regex for one lexicon term (word boundaries are added around the whole alternation).

    ``*`` at the end of a word is a stem (any letters may follow: ``переговор*`` matches
    ``переговоров``); a term without it must match the whole word. Spaces match any whitespace. Terms
    match in any case, except acronyms (all capitals), which match only in capitals.
    """
    parts = []
    for word in term.strip().split():
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"[\w'’ʻʼ]*")
        else:
            parts.append(re.escape(word))
    body = r"\s+".join(parts)
    if _is_acronym(term):
        body = f"(?-i:{body})"  # acronyms only in upper case: "RT", "AI", "ТЭС"
    return body


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@functools.cache  # compiled once per term list; the tuple key keeps it hashable
def compile_terms(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any of ``terms`` as whole words (None for an empty list).

    One lookbehind and one lookahead around the whole alternation (not one per term): the regex
    engine then tries the alternatives only at word starts, which is many times faster.
    """
    if not terms:
        return None
    ordered = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    body = "|".join(_term_pattern(t) for t in ordered)
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])", re.IGNORECASE)
