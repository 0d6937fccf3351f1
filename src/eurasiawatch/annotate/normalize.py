"""Text normalisation and tokenisation shared by the matcher and the knowledge-base patterns.

Both sides of a match go through the same steps, so a name in the knowledge base and the same name in
an article always compare equal:

- the text is put in NFC first (offsets refer to that form, which is the form of nearly every text);
- tokens are runs of letters and digits (apostrophes inside a word keep it whole: ``Xi'an``,
  ``O'zbekiston``), and every other visible character is a token of its own, so a name never
  matches across a full stop or a bracket;
- each token's compare form is NFKC, case-folded, with one apostrophe ``'`` and one dash ``-``
  (quotes « » „ “ become ``"``); Cyrillic and Latin letters are never transliterated, so a Latin
  look-alike does not match a Cyrillic name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

__all__ = ["Token", "fold", "is_acronym", "prepare_text", "tokenize"]

_APOSTROPHES = "'’ʼ`‘ʻ′"
_DASHES = "-‐‑‒–—―−"
_QUOTES = '«»„“”‟‹›"“'
_FOLD = str.maketrans(
    {**dict.fromkeys(_APOSTROPHES, "'"), **dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_QUOTES, '"')}
)
# a word: letters/digits (and combining marks), with apostrophes or Uzbek ʻ inside; or one other character
# (a single-character class under ``*``, not a group with a lookahead: the regex engine's fast loop)
_TOKEN = re.compile(r"[^\W_][\w\u0300-\u036f]*(?:['’ʼ`‘ʻ′][^\W_][\w\u0300-\u036f]*)*|[^\s\w]", re.UNICODE)
_SPLIT = re.compile(f"({_TOKEN.pattern})", _TOKEN.flags)
_SENTENCE_END = frozenset(".!?…")


class Token(NamedTuple):
    """One token: its surface form, compare form, and offsets in the (NFC) text.

    A named tuple rather than a frozen dataclass: an article has hundreds of tokens, and a tuple is
    made several times faster (tokenising was a fifth of the matching time).
    """

    text: str
    norm: str
    start: int
    end: int
    # True when the token opens a sentence (first token, or after . ! ? or a line break)
    initial: bool = False
    # a word (letters or digits), not punctuation
    is_word: bool = True


@lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """Compare form of a piece of text: NFKC, case-folded, one kind of apostrophe, dash and quote."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()


def prepare_text(text: str) -> str:
    """The form of ``text`` that offsets refer to: NFC, NUL bytes removed."""
    text = text.replace("\x00", "")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def tokenize(text: str) -> list[Token]:
    """Tokens of a text already passed through :func:`prepare_text`.

    Args:
        text: NFC text.

    Returns:
        Words and single punctuation characters, each with its compare form and offsets.
    """
    # one C-level split gives the gaps and tokens in turn ([gap, token, gap, token, …, gap]); the offsets
    # follow from their lengths (a quarter faster than reading each match's span on a long text)
    parts = _SPLIT.split(text)
    surfaces = parts[1::2]
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__  # what Token(...) calls, without its Python-level constructor
    initial = True
    end = 0
    for gap, surface, norm in zip(parts[0::2], surfaces, map(fold, surfaces), strict=False):
        start = end + len(gap)
        end = start + len(surface)
        if "\n" in gap:
            initial = True
        word = surface[0].isalnum()
        append(new(Token, (surface, norm, start, end, initial and word, word)))
        if surface in _SENTENCE_END:
            initial = True
        elif word:
            initial = False
    return tokens


@lru_cache(maxsize=100_000)
def is_acronym(surface: str) -> bool:
    """Whether a name is written as an acronym: two or more letters, all upper case (``EU``, ``ШОС``)."""
    letters = [c for c in surface if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)
