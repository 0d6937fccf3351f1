"""Language identification restricted to the languages our region writes in.

py3langid scores ~100 languages. Left unrestricted it labels short Kazakh, Kyrgyz or Tajik Cyrillic
as Russian, Mongolian or Bashkir, so the identifier here only chooses among the region's languages
plus a few major ones that turn up in its press. A small letter-based check then settles the
Cyrillic and Latin scripts whose distinctive letters are certain evidence (ә ұ for Kazakh, ӣ ӯ ҷ for
Tajik, ə for Azerbaijani, oʻ gʻ for Uzbek…), which the character n-gram model can miss on a short
sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["REGION_LANGUAGES", "detect_language"]

#: The region's languages (ISO 639-1), then neighbours and major languages of its press.
REGION_LANGUAGES: tuple[str, ...] = (
    "en", "ru", "uk", "be", "kk", "ky", "uz", "tg", "tk", "mn",
    "sr", "hr", "bs", "sl", "mk", "sq", "hu", "ro", "bg", "ka", "hy", "az", "tr", "zh",
    "de", "fr", "pl", "sk", "cs", "lt", "lv", "et", "fi", "el",
    "es", "it", "pt", "nl", "sv", "ar", "fa", "he", "ja", "ko", "hi", "ur",
)  # fmt: skip

_SAMPLE_CHARS = 1200
_MIN_LETTERS = 3
_WORD = re.compile(r"[^\W\d_]+")

_UK_LETTERS = frozenset("єїґ")
_UZ_LATIN = re.compile(r"\b\w*[og][ʻ‘'`ʼ]\w*", re.IGNORECASE)
_TK_LETTERS = frozenset("ňýž")
_SERBO_CROATIAN = frozenset({"sr", "hr", "bs"})
# Croatian and Bosnian write ijekavian forms (vrijeme, mjesto, djeca, svijet, posjet); Serbian mostly
# ekavian (vreme, mesto, deca, svet, poset). Croatian also has its own words (vanjski, tisuća,
# suradnja, sljedeći). A list of stems, because a bare "-bje-"/"-ije-" pattern also matches ekavian
# Serbian case endings ("Srbije", "Kine"). Without any of them the text is taken for Serbian.
_IJEKAVIAN = re.compile(
    r"\b(?:(?:prije|poslije|gdje|ovdje|tko)\b|(?:vrijem|mjest|djec|rijek|rijeć|riječ|lijep|bijel|mjesec|"
    r"svijet|tijek|cijel|cijen|uvjet|tjed|stoljeć|primjer|vijest|sjedi|sjev|zapovjed|pjesm|dje[lv]|proljeć|"
    r"posjet|prijelaz|promijen|vrijed|lijek|mjer|vanjsk|tisuć|suradn|sljedeć|dužnosn|središn|gospodarsk|"
    r"izaslan|ulagač|unatoč)\w*)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # A lazily built, cached model object: loading the model takes ~0.3 s, so every call in a
    # process (or a Dask worker) shares one. It is read-only after construction.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(REGION_LANGUAGES)
    return identifier


def _share(words: list[str], letters: frozenset[str]) -> float:
    """Fraction of words that contain any of ``letters``."""
    return sum(1 for w in words if letters.intersection(w)) / len(words) if words else 0.0


def _script_override(sample: str) -> str | None:
    """A language certain from its letters, or None.

    The evidence must run through the text: a Kazakh place name ("Қазақстан темір жолы") inside a
    Russian report, or an English possessive ("Jinping's") that looks like Uzbek oʻ/gʻ, is not enough.
    """
    low = sample.lower()
    words = _WORD.findall(low)
    if not words:
        return None
    letters = set(low)
    if _share(words, frozenset("ə")) >= 0.03:
        return "az"
    if _share(words, frozenset("ӣӯҷ")) >= 0.02:
        return "tg"
    kazakh = _share(words, frozenset("әұ")) >= 0.03 or (
        # і alone is Ukrainian too: Kazakh needs its own letters (қ ғ ң ө ү һ) running through the text
        "і" in letters and _share(words, frozenset("қғңөүһ")) >= 0.04 and not letters & _UK_LETTERS
    )
    if kazakh:
        return "kk"
    if _share(words, frozenset("ў")) >= 0.02 and letters & set("қғҳ"):
        return "uz"
    if _share(words, frozenset("ҳ")) >= 0.02 and letters & set("қғ"):
        return "tg"
    if _share(words, frozenset("ңөү")) >= 0.05 and not letters & set("қғәұіһ"):
        return "ky"
    if (
        "ă" not in letters
        and "ä" in letters
        and _share(words, frozenset(_TK_LETTERS)) >= 0.03
        and "ş" in letters
    ):
        return "tk"
    if len(_UZ_LATIN.findall(low)) >= max(2, 0.03 * len(words)) and not letters & set("ğışçöü"):
        return "uz"
    return None


def detect_language(text: str) -> tuple[str | None, float]:
    """Identify the language of a text.

    Args:
        text: Any text; only the first few thousand characters are read.

    Returns:
        An ISO 639-1 code and a confidence in [0, 1]; ``(None, 0.0)`` when the text has too few
        letters to judge.
    """
    sample = text[:_SAMPLE_CHARS] if text else ""
    if sum(len(w) for w in _WORD.findall(sample[:200])) < _MIN_LETTERS:
        return None, 0.0
    identifier = _identifier()
    code, score = identifier.classify(sample)
    if code in _SERBO_CROATIAN:
        # One language in three standards: the model splits its confidence between them.
        ranks = dict(identifier.rank(sample))
        score = sum(ranks.get(c, 0.0) for c in _SERBO_CROATIAN)
        words = _WORD.findall(sample)
        if code != "sr" and len(words) >= 6 and not _IJEKAVIAN.search(sample):
            code = "sr"
    override = _script_override(sample)
    if override is not None and override != code:
        # Distinctive letters are strong evidence, but a stray loanword is not: trust them more
        # the more of the text's words carry them.
        return override, 0.9
    return str(code), round(min(max(float(score), 0.0), 1.0), 4)
