"""Per-language suffix rules that bring case forms of a name to one key (``Китая`` → ``кит``).

The matcher stems every token of the article *and* every token of every knowledge-base name with the
same rules, then compares keys, so ``Си Цзиньпином`` meets ``Си Цзиньпин`` and ``Kínával`` meets
``Kína``. The rules are deliberately greedy — the key need not be a real stem, only the same for all
forms of one name — and a matched word must still be capitalised like the name (see ``matcher``),
which keeps greedy keys from matching common words.

A key is found by repeatedly removing, from the end of the (case-folded) word, either the longest
listed ending or one "soft" letter (vowel, й, ь, j …), while at least ``min_stem`` letters remain.
Words of ``min_stem`` letters or fewer are never changed (``Си``, ``ЕС``). Ukrainian also undoes the
і/о and ї/є alternation of a last syllable (``Київ``/``Києві``, ``Харків``/``Харкова``); Hungarian
removes the assimilated instrumental (``Oroszországgal``, ``Brüsszellel``).

Measured recall on the case forms in ``tests/annotate/test_matcher.py`` and the figures in
``docs/annotate.md``; pymorphy3 was the alternative considered (see there for why it was not used).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["STEMMED_LANGUAGES", "Stemmer", "stemmer_for"]


@dataclass(frozen=True, slots=True)
class Stemmer:
    """Suffix rules of one language family."""

    name: str
    endings: tuple[str, ...] = ()  # longest first
    soft: frozenset[str] = frozenset()
    min_stem: int = 3
    alternation: bool = False  # Ukrainian і/ї → о/є in the last syllable
    assimilation: bool = False  # Hungarian -Cal/-Cel after a doubled consonant
    possessive: bool = True  # English-style 's
    # at most this many letters more than the name in a case form of it: the greedy key alone would let
    # Belarusian "Перамовы" ("talks", capitalised at a sentence start) reach "Перу" through -ы, -ов, -ам
    max_growth: int = 99

    def stem(self, word: str) -> str:
        """The key of one case-folded word (remembered: articles repeat their words)."""
        cache = _STEM_CACHE.setdefault(self.name, {})
        key = cache.get(word)
        if key is None:
            if len(cache) > _CACHE_SIZE:
                cache.clear()
            key = cache[word] = self._stem(word)
        return key

    def _stem(self, word: str) -> str:
        if self.possessive and word.endswith("'s") and len(word) > 3:
            word = word[:-2]
        word = word.rstrip("'")
        if not self.endings and not self.soft:
            return word
        if len(word) <= self.min_stem or not word.replace("'", "").isalpha():
            return word
        if self.assimilation and len(word) > self.min_stem + 3 and word[-2:] in ("al", "el"):
            c = word[-3]
            if word[-4] == c and c not in "aeiouáéíóöőúüű":
                word = word[:-3]
        lengths = _lengths(self.endings)
        endings = _ending_set(self.endings)
        changed = True
        while changed and len(word) > self.min_stem:
            changed = False
            for n in lengths:
                if len(word) - n >= self.min_stem and word[-n:] in endings:
                    word = word[:-n]
                    changed = True
                    break
            else:
                if word[-1] in self.soft:
                    word = word[:-1]
                    changed = True
        if self.alternation and len(word) >= 3 and word[-2] in "іїio" and word[-1] not in self.soft:
            word = word[:-2] + {"і": "о", "ї": "є"}.get(word[-2], word[-2]) + word[-1]
        return word


# word -> key, per rule family: a plain dict because lookups are the hot path of matching
_STEM_CACHE: dict[str, dict[str, str]] = {}
_CACHE_SIZE = 200_000


@lru_cache(maxsize=16)
def _lengths(endings: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(sorted({len(e) for e in endings}, reverse=True))


@lru_cache(maxsize=16)
def _ending_set(endings: tuple[str, ...]) -> frozenset[str]:
    return frozenset(endings)


def _sorted(*groups: str) -> tuple[str, ...]:
    items = {e for group in groups for e in group.split()}
    return tuple(sorted(items, key=lambda e: (-len(e), e)))


_CYR_VOWELS = "аеёиоуыэюяйьъіїєўґ"
_LAT_VOWELS = "aeiouyjáéíóúýäöüőűăâîșțěůąęóəıòà"
# Slavic (Cyrillic): Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian case endings
_SLAVIC_CYR = _sorted(
    "ами ями ого его ому ему ыми ими ой ей ом ем ам ям ах ях ов ев ий ый ых их ым им ую юю ая яя ое ее "
    "ые ие ою ею єю ів їв ові еві єві ої ій ім єм",
)
_SLAVIC_LAT = _sorted(
    "ama ima om em oj ej ov ova ove ovi ih im om u ach ami ów owi em ach ich ym ymi ego emu ou ami",
)
_TURKIC = _sorted(
    # Kazakh / Kyrgyz (Cyrillic): genitive, dative, locative, ablative, accusative, instrumental, plural
    "дың дің тың тің ның нің ға ге қа ке на не да де та те нда нде дан ден тан тен нан нен ды ді ты ті "
    "ны ні мен бен пен лар лер дар дер тар тер дағы дегі тағы тегі ндағы ндегі дын дин тын тин нын нин "
    "га го ко дун дүн нун нүн дон дөн тон төн дан дын лык лық лік",
    # Uzbek, Turkmen, Azerbaijani (Latin)
    "ning ni ga ka qa da dan dagi lar niki nyň niň yň iň a e da de dan den yň "
    "ın in un ün nın nin nun nün ya yə dan dən da də la lə ı i u ü",
)
_HUNGARIAN = _sorted(
    "val vel ban ben ba be nak nek ból ből ról ről tól től hoz hez höz ra re on en ön n t ig ként ért "
    "nál nél ul ül ot et öt at ok ek ök ak k ai ei i",
)
_ROMANIAN = _sorted("ului ul ei ia iei a ei ii i le lor")

_NONE = Stemmer("none")
_STEMMERS = {
    # growth: a Slavic case ending adds up to three letters ("Цзиньпином", "Chinami"); Hungarian
    # up to four ("Kínától", "Oroszországgal"); Turkic stacks possessive and case ("Xitoydagi",
    # "Қазақстандағы"); Romanian the article and case ("României", "Chinei")
    "slavic": Stemmer("slavic", _sorted(" ".join(_SLAVIC_CYR), " ".join(_SLAVIC_LAT)),
                      frozenset(_CYR_VOWELS + _LAT_VOWELS), max_growth=3),
    "uk": Stemmer("uk", _SLAVIC_CYR, frozenset(_CYR_VOWELS), alternation=True, max_growth=3),
    "turkic": Stemmer("turkic", _TURKIC, frozenset(_CYR_VOWELS + "әөүұһ" + _LAT_VOWELS + "ʻ'"),
                      max_growth=6),
    "hu": Stemmer("hu", _HUNGARIAN, frozenset(_LAT_VOWELS), assimilation=True, max_growth=4),
    "ro": Stemmer("ro", _ROMANIAN, frozenset(_LAT_VOWELS), max_growth=4),
}  # fmt: skip
_FAMILY = {
    **dict.fromkeys(("ru", "be", "bg", "mk", "sr", "hr", "bs", "sl", "pl", "cs", "sk", "sh"), "slavic"),
    "uk": "uk",
    **dict.fromkeys(("kk", "ky", "uz", "tk", "az", "tg", "tr"), "turkic"),
    "hu": "hu",
    "ro": "ro",
}
#: languages whose names are matched in their case forms
STEMMED_LANGUAGES = frozenset(_FAMILY)


@lru_cache(maxsize=32)
def stemmer_for(language: str | None) -> Stemmer:
    """The suffix rules for a language (``sr-Latn`` and ``sr`` share them); English and unknown: none."""
    base = (language or "").split("-")[0].lower()
    return _STEMMERS.get(_FAMILY.get(base, ""), _NONE)
