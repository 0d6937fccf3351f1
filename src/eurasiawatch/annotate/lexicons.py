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

__all__ = ["LANGUAGES", "compile_terms", "lexicon_dir", "load_lexicon"]

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


@functools.cache  # read-only data, loaded once per process (see module docstring)
def load_lexicon(name: str) -> Any:
    """The lexicon ``data/lexicons/<name>.yaml`` as nested read-only mappings and tuples.

    Raises:
        AnnotationError: the file is missing or is not valid YAML.
    """
    path = lexicon_dir() / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AnnotationError(f"cannot read lexicon {path}: {exc}") from exc
    return _freeze(data)


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
