"""Multi-pattern matching of knowledge-base names in a text, in their case forms.

Every name of the knowledge base (country names, demonyms and capitals in every language; actor names
and aliases; region names) becomes a pattern: its tokens' keys (see ``normalize`` and
``inflection``) joined by spaces. An article's tokens go through the same steps, and one Aho-Corasick
automaton (``pyahocorasick``) finds every pattern in the article's key string in one pass. Spaces
around every key make each hit start and end on a word boundary.

A hit counts only when the words are written like the name:

- acronyms (``EU``, ``SCO``, ``ШОС``) only in upper case, and never inflected;
- names of three letters or fewer (``Xi``, ``Си``, ``Li``) exactly as written, case included;
- a capitalised word of a name must be capitalised in the text (``china`` is not ``China``);
- a word may be longer than the name's word only by what a case ending adds in that language family
  (Belarusian ``Перамовы``, "talks", is not ``Перу``).

Overlapping hits are settled longest first (``China Exim Bank`` over ``China``). There is one
automaton per family of suffix rules, built on first use and kept per knowledge-base version.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

import ahocorasick

from .inflection import Stemmer, stemmer_for
from .kb import KnowledgeBase
from .normalize import Token, fold, is_acronym, prepare_text, tokenize

__all__ = ["Hit", "Matcher", "Target", "get_matcher", "match_text"]


@dataclass(frozen=True, slots=True)
class Target:
    """What a pattern names: ``kind`` is country, demonym, capital, actor or region."""

    kind: str
    key: str  # ISO2 code, actor id or region id
    alias: str  # the name as written in the knowledge base
    language: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: tokens ``first``..``last`` (exclusive) of the text, and what they may name."""

    first: int
    last: int
    start: int
    end: int
    surface: str
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    tokens: tuple[str, ...]  # the alias's surface tokens, for the case rules
    target: Target
    acronym: bool
    short: bool
    # per alias token, worked out once: _ANY (no rule), _UPPER (an acronym inside a longer name: the
    # text's word must be one too) or _CAPITAL (the text's word must start with a capital)
    rules: tuple[int, ...] = ()


_ANY, _UPPER, _CAPITAL = 0, 1, 2


def _rules(tokens: Sequence[str]) -> tuple[int, ...]:
    rules = []
    for alias_token in tokens:
        first = alias_token[:1]
        if not first.isalpha():
            rules.append(_ANY)
        elif is_acronym(alias_token) and len(alias_token) > 1:
            rules.append(_UPPER)
        elif first.isupper():
            rules.append(_CAPITAL)
        else:
            rules.append(_ANY)
    return tuple(rules)


def _alias_tokens(alias: str) -> list[Token]:
    return tokenize(prepare_text(alias))


def _key(tokens: Iterable[Token], stemmer: Stemmer) -> str:
    return " ".join(stemmer.stem(t.norm) if t.is_word else t.norm for t in tokens)


def _exact(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate({0x2019: "'", 0x02BC: "'", 0x2018: "'"})


class Matcher:
    """An automaton over every knowledge-base name, for one family of suffix rules."""

    def __init__(self, kb: KnowledgeBase, stemmer: Stemmer) -> None:
        """Build the automaton.

        Args:
            kb: the knowledge base.
            stemmer: suffix rules applied to both names and texts.
        """
        self.stemmer = stemmer
        self.kb_version = kb.version
        table: dict[str, list[_Entry]] = {}
        for target in _targets(kb):
            tokens = _alias_tokens(target.alias)
            if not tokens:
                continue
            key = _key(tokens, stemmer)
            letters = sum(ch.isalpha() for ch in target.alias)
            entry = _Entry(
                tokens=tuple(t.text for t in tokens),
                target=target,
                acronym=len(tokens) == 1 and is_acronym(target.alias),
                short=letters <= 3,
                rules=_rules([t.text for t in tokens]),
            )
            table.setdefault(key, []).append(entry)
        self._table = {k: tuple(v) for k, v in table.items()}
        automaton = ahocorasick.Automaton()
        for key in self._table:
            automaton.add_word(f" {key} ", key)
        automaton.make_automaton()
        self._automaton = automaton

    def __len__(self) -> int:
        return len(self._table)

    def match(self, tokens: Sequence[Token]) -> list[Hit]:
        """Non-overlapping hits in a tokenised text, in text order (longest wins an overlap).

        Args:
            tokens: the text's tokens (``normalize.tokenize``).

        Returns:
            The hits whose words are written like at least one of the names they match.
        """
        if not tokens:
            return []
        stem = self.stemmer.stem
        stems = {word: stem(word) for word in {t.norm for t in tokens if t.is_word}}  # each word once
        keys = [stems[t.norm] if t.is_word else t.norm for t in tokens]
        # the offset of the space before each token in the haystack -> that token
        starts = dict(zip(accumulate((len(k) + 1 for k in keys), initial=0), range(len(keys)), strict=False))
        haystack = " " + " ".join(keys) + " "
        candidates: list[tuple[int, int, tuple[Target, ...]]] = []
        for end, key in self._automaton.iter(haystack):
            first = starts.get(end - len(key) - 1)
            if first is None:
                continue
            n = key.count(" ") + 1
            surface = tokens[first : first + n]
            targets = tuple(
                e.target for e in self._table[key] if _written_alike(e, surface, self.stemmer.max_growth)
            )
            if targets:
                candidates.append((first, first + n, targets))
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = [False] * len(tokens)
        hits = []
        for first, last, targets in candidates:
            if any(taken[first:last]):
                continue
            for i in range(first, last):
                taken[i] = True
            start, end = tokens[first].start, tokens[last - 1].end
            surface_text = " ".join(t.text for t in tokens[first:last])
            hits.append(Hit(first, last, start, end, surface_text, targets))
        hits.sort(key=lambda h: h.first)
        return hits


def _written_alike(entry: _Entry, surface: Sequence[Token], max_growth: int = 99) -> bool:
    """The case rules: acronyms upper-case and uninflected, short names exact, capitals kept, and no
    word longer than a case form of the name's word can be (``Stemmer.max_growth``)."""
    if any(len(s.text) - len(a) > max_growth for a, s in zip(entry.tokens, surface, strict=True)):
        return False
    if entry.acronym:
        word = surface[0].text
        return is_acronym(word) and fold(word) == fold(entry.tokens[0])
    if entry.short:
        return all(_exact(a) == _exact(s.text) for a, s in zip(entry.tokens, surface, strict=True))
    for rule, token in zip(entry.rules, surface, strict=True):
        if rule == _CAPITAL:
            if not token.text[:1].isupper():
                return False
        elif rule == _UPPER and not is_acronym(token.text):
            return False
    return True


def _targets(kb: KnowledgeBase) -> Iterable[Target]:
    """Every name the knowledge base knows, with what it names."""
    for country in kb.countries.values():
        yield Target("country", country.code, country.name, "en")
        for lang, names in country.names.items():
            for name in names:
                yield Target("country", country.code, name, lang)
        for lang, names in country.demonyms.items():
            for name in names:
                yield Target("demonym", country.code, name, lang)
        if country.capital:
            yield Target("capital", country.code, country.capital, "en")
        for lang, names in country.capital_names.items():
            for name in names:
                yield Target("capital", country.code, name, lang)
    for actor in kb.actors.values():
        yield Target("actor", actor.id, actor.name, "en")
        for lang, names in actor.aliases.items():
            for name in names:
                yield Target("actor", actor.id, name, lang)
    for region in kb.regions.values():
        yield Target("region", region.id, region.name, "en")
        for lang, names in region.aliases.items():
            for name in names:
                yield Target("region", region.id, name, lang)


# One matcher per (knowledge-base version, rule family), built once per process: building takes a
# few hundred milliseconds, matching an article well under one. Read-only once built.
_MATCHERS: dict[tuple[str, str], Matcher] = {}
_LOCK = threading.Lock()


def get_matcher(kb: KnowledgeBase, language: str | None) -> Matcher:
    """The matcher for a knowledge base and a text language (built on first use).

    Args:
        kb: the knowledge base.
        language: ISO 639-1 code of the text (None: no suffix rules).

    Returns:
        The shared matcher.
    """
    stemmer = stemmer_for(language)
    cache_key = (kb.version, stemmer.name)
    matcher = _MATCHERS.get(cache_key)
    if matcher is None:
        with _LOCK:
            matcher = _MATCHERS.get(cache_key)
            if matcher is None:
                if len(_MATCHERS) >= 16:
                    _MATCHERS.clear()
                matcher = _MATCHERS[cache_key] = Matcher(kb, stemmer)
    return matcher


def match_text(text: str, kb: KnowledgeBase, language: str | None = None) -> list[Hit]:
    """Knowledge-base names in a text (a convenience for tests and the REPL).

    Args:
        text: any text.
        kb: the knowledge base.
        language: the text's language, for its suffix rules.

    Returns:
        Non-overlapping hits in text order.
    """
    return get_matcher(kb, language).match(tokenize(prepare_text(text)))
