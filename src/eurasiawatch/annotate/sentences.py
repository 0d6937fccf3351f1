"""Sentence splitting for the region's languages, keeping character offsets into the text.

A rule-based splitter: a sentence ends at ``.``, ``!``, ``?`` or ``…`` (optionally followed by a
closing quote or bracket) before whitespace and an upper-case letter, a digit or an opening quote;
paragraph breaks always end a sentence. Abbreviations and initials per language do not end one
("Dr.", "г.", "ул.", "J. Smith"), nor do ordinal dates ("19. marta", "2024. május").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Sentence", "split_sentences"]


def _words(words: str) -> frozenset[str]:
    """A set from space-separated words (keeps the tables below short)."""
    return frozenset(words.split())


# Words after which a full stop rarely ends a sentence, per language (lower case, without the dot).
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": _words(
        "mr mrs ms dr prof st gen col lt sgt capt gov sen rep jr sr inc ltd co corp vs etc e.g i.e "
        "jan feb mar apr jun jul aug sep sept oct nov dec no approx est dept u.s u.k"
    ),
    "ru": _words("г гг т тыс млн млрд руб ул им др пр см напр проф акад гос стр ст"),
    "uk": _words("р рр т тис млн млрд грн вул ім ін др проф див ст"),
    "kk": _words("ж жж млн млрд мың т б"),
    "uz": _words("y mln mlrd ming prof"),
    "sr": _words("g god br dr prof tzv itd npr mil mlrd god ul st г год бр др проф тзв итд нпр"),
    "hu": _words("dr prof stb pl ún kb sz évf ill jan febr márc ápr jún júl aug szept okt nov dec"),
}
_ALL_ABBREVIATIONS = frozenset().union(*_ABBREVIATIONS.values())

_BOUNDARY = re.compile(r"[.!?…]+[\"'»”“)\]]*(?=\s+[\"'«„“(\[—–-]?\s*[\w\d])")
_PARAGRAPH = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WINDOW = 64  # characters looked at before and after a full stop


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its text and where it sits in the article text."""

    text: str
    start: int
    end: int


def _is_false_stop(text: str, stop: int, language: str | None) -> bool:
    """Whether the full stop at ``stop`` belongs to an abbreviation, an initial or an ordinal."""
    if text[stop] != ".":
        return False
    # look at a bounded window around the stop (copying the whole text here made splitting quadratic)
    match = _WORD_BEFORE.search(text, max(0, stop - _WINDOW), stop)
    word = match.group(1) if match else ""
    nxt = text[stop + 1 : stop + 1 + _WINDOW].lstrip()[:1]
    if word.isdigit():
        # "19. marta", "2024. május 8." — an ordinal or year unless a capital starts the next sentence
        return not nxt[:1].isupper()
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. Smith", "В. Путин"
    abbreviations = _ABBREVIATIONS.get(language or "", _ALL_ABBREVIATIONS)
    return word.lower().rstrip(".") in abbreviations


@lru_cache(maxsize=4)  # the annotator and the event extractor split the same article in turn
def split_sentences(text: str, language: str | None = None) -> tuple[Sentence, ...]:
    """Split ``text`` into sentences with their character offsets (cached for the last few texts).

    Args:
        text: the article text (paragraphs separated by blank lines, or not).
        language: ISO 639-1 code, for the language's abbreviations; None uses all of them.

    Returns:
        The sentences in order; whitespace around each is trimmed and offsets point into ``text``.
    """
    cuts: list[int] = []
    for para in _PARAGRAPH.finditer(text):
        cuts.append(para.start())
    for match in _BOUNDARY.finditer(text):
        first_stop = match.start() + len(match.group(0).rstrip("\"'»”“)]")) - 1
        if _is_false_stop(text, match.start(), language) and first_stop == match.start():
            continue
        cuts.append(match.end())
    cuts = sorted(set(cuts))
    sentences: list[Sentence] = []
    begin = 0
    for cut in [*cuts, len(text)]:
        chunk = text[begin:cut]
        stripped = chunk.strip()
        if stripped:
            offset = begin + (len(chunk) - len(chunk.lstrip()))
            sentences.append(Sentence(stripped, offset, offset + len(stripped)))
        begin = cut
    return tuple(sentences)
