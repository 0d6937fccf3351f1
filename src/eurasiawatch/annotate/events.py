"""PLOVER events per sentence: type from trigger lexicons, actors from mentions, date, mode.

One pass of one combined regex per language (``data/lexicons/events.yaml``, every type's triggers as a
named group) finds the trigger words of the whole article; only sentences holding one are looked at
further. Before that pass, entity names ("Shanghai Cooperation Organisation"), quoted words
(«peace talks», "root causes") and phrases that only look like events ("asked not to be named",
"попросивший не называть") are blanked out, keeping offsets. Per sentence, the most specific type
wins (the priority list), with a meeting (CONSULT) and a signing (AGREE) kept beside it: "held talks
and signed". Its actors are the countries mentioned in the sentence (and the entities there, with
their home country), falling back to the article's main countries when the sentence names none.

Its mode comes from cue words in the sentence — negated ("without a deal", "без договорённости"),
hypothetical ("may sign", "может подписать"), planned ("plans to build", "will visit", "планирует";
an English headline's "X to visit") — so a promised deal is never a signed one. Its date is the date
nearest the trigger, resolved against the publication date: planned events take a date after
publication (from the sentence, else the next sentences or the lead); asserted ones a date on or
before it (else the previous sentence's day, the day the lead names, or the publication day). A
trigger whose nearest date lies weeks or years back ("signed in January 2023", "bombed in 1999",
"last year") is background, not news, and yields no event. ``upcoming`` is true when the date lies
after publication. Events repeating the same type and mode are kept once (the first, usually the
lead's, completed with a later mention's date); a sentence naming one country is paired with the
article's main other country (an event has two sides); past the lead, a trigger needs an actor in its
sentence, and the generic COOPERATE both sides. Of the candidates, at most ``_MAX_EVENTS`` are kept,
ranked by position, named sides, mode and type.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import ahocorasick

from ..records import Event, Mention
from .dates import DateSpan, find_dates
from .lexicons import compile_terms, lexicon_languages, load_lexicon
from .sentences import Sentence, split_sentences

__all__ = ["EVENT_TYPES", "MODES", "detect_mode", "extract_events"]

EVENT_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
MODES = ("asserted", "negated", "hypothetical", "planned")
_MAX_TYPES_PER_SENTENCE = (
    1  # the most specific type only: a second one was trigger noise more often than not (measured)
)
_COMPANION_TYPES = ("CONSULT", "AGREE")  # kept beside the sentence's most specific type ...
# ... when that is the other of the two ("held talks and signed"); beside others they were noise (measured)
_COMPANION_WITH = frozenset({"AGREE", "CONSULT"})
_MAIN_COUNTRIES = 2
_MIN_SIDES = 2
_MAX_EVENTS = 3  # an article reports a few events; more were trigger noise (tuned on the sample corpus)
_LEAD_SENTENCES = 3  # the title and the lead may lean on the article's main countries
# ranking of an article's candidate events (tuned on the sample corpus, checked on the other sets):
# one point per sentence from the top; these bonuses and penalties move an event up or down
_OWN_ACTORS_BONUS = 0.5  # per side (up to two) named in the sentence itself
_ASSERTED_BONUS = 3.0  # reports of what happened outrank plans and conditionals
_NON_CHINA_PENALTY = 2.0  # in an article mainly about China, the events without it (the tracker's subject)
_GENERIC_PENALTY = {"COOPERATE": 3.0}  # "built", "opened", "launched": mostly background
_GENERIC_MIN_OWN = {"COOPERATE": 2}  # past the lead, only where both sides are named
_MIN_SCORE = -1.0  # candidates past the best one need this rank score
_POSITION_WEIGHT = 1.0  # rank points lost per sentence from the top
_LEAD_WINDOW_DAYS = 7
_DEAL_GAP = 12  # characters between a signing and a "no deal" cue for them to be two deals
_CUE_REACH = 90  # characters after a trigger where a mode cue still speaks for it
_CLAUSE_REACH = 10_000  # verb-final languages (events.yaml): a cue anywhere after the trigger counts
_BACKGROUND_DAYS = 14  # a trigger whose nearest date ended this long before publication is background
_PLANNED_LOOKAHEAD = 2  # sentences after a planned event's own that may give its date
# entities that name an event keep their words ("SCO summit", "EU sanctions against Russia");
# the other names are blanked ("Shanghai Cooperation Organisation" is no COOPERATE)
_EVENT_ENTITY_TYPES = frozenset({"event", "event_series", "treaty", "policy", "list"})
_STRONG_OVER = frozenset({"AGREE", "CONSULT", "REQUEST", "SUPPORT", "AID"})  # not over duties in force
# not event types: look-alike phrases, failed deals, words of a sports report
_SUPPRESS, _NO_DEAL, _SPORTS = "-suppress", "-no-deal", "-sports"
_SPORTS_CUES = 2  # distinct sports words that make an article a sports report
_SPORTS_TYPES = frozenset({"CONSULT", "ASSAULT"})  # teams meet and attack on the pitch
_SPORTS_ACTORS = frozenset({"person", "organisation", "organization"})  # who still meets in one
_GOVERNING = ("REQUEST", "REJECT")  # types whose verb takes another event as its object
_REFUTED = frozenset(
    {"ACCUSE", "SANCTION"}
)  # what a refusal names that happened ("rejected the accusations")
_NEGATING_TYPES = frozenset({"REJECT"})  # their triggers hold a negation ("will not attend")
_MAX_MASK = 200  # longest blanked quotation; entity names and phrases are shorter
_QUOTED = re.compile(r"«[^»\n]{1,200}»|“[^”\n]{1,200}”|„[^“”\n]{1,200}[“”]|\"[^\"\n]{1,200}\"")
# a dateline: "BEIJING, June 28 (CGTN) —" dates the report, not the event
_TRAILING_NOTE = re.compile(r"(?:\s*\([^()\n]{0,40}\))?\s*$")  # "(Xinhua)", "(#12)" after the stop
_DATELINE_TAIL = re.compile(r"\s*(?:\([^)]{0,40}\))?\s*[—–-]")


def _lang(language: str | None) -> str:
    code = (language or "").split("-")[0].lower()
    if code in ("hr", "bs", "sh", "cnr"):
        return "sr"
    # a language with triggers of its own (events.yaml or a part in events.d/) uses them; others all
    return code if code in lexicon_languages("events", "triggers") else "*"


def _term_regex(term: str) -> str:
    """A regex for one trigger term: ``*`` ends a stem, spaces match any whitespace; a word that
    starts with ``*`` is any word with that ending ("принял* *ую декларац*": "Астанинскую")."""
    parts = []
    for word in term.strip().split():
        if word.startswith("*") and len(word) > 1:
            parts.append(r"[\w'’ʻʼ-]+" + re.escape(word[1:]))
        elif word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"[\w'’ʻʼ]*")
        else:
            parts.append(re.escape(word))
    return r"\s+".join(parts)


def _terms(section: str, key: str, lang: str) -> tuple[str, ...]:
    table = load_lexicon("events")[section].get(key, {})
    languages = (lang,) if lang in table else tuple(table)
    return tuple(t for code in languages for t in table[code])


_WORD_CHAR = re.compile(r"[\w'’ʻʼ]")
_JOINERS = "_'’ʻʼ"  # the characters of _WORD_CHAR that are not alphanumeric
_SIMPLE_TERM = re.compile(r"[\w'’ʻʼ]+\*?")


@dataclass(frozen=True, slots=True)
class _Trigger:
    """One trigger term: its lower-case literal head, found by the automaton, and what must follow it.

    A one-word term is a whole word (``stem`` false) or a stem (any letters may follow). A longer term
    ("called on", "совместн* предприяти*") is checked in full by ``check`` where its head was found.
    """

    type: str
    head: str
    stem: bool
    check: re.Pattern[str] | None
    strong: bool = False  # decides its sentence's type whatever the priority ("entered into force")


def _trigger(event_type: str, term: str, strong: bool = False) -> _Trigger:
    term = term.strip()
    if _SIMPLE_TERM.fullmatch(term):
        return _Trigger(event_type, term.rstrip("*").lower(), term.endswith("*"), None, strong)
    head = re.match(r"[\w'’ʻʼ]+", term)
    literal = (head.group(0) if head else term.split()[0].rstrip("*")).lower()
    check = re.compile(_term_regex(term) + r"(?![\w])", re.IGNORECASE)
    return _Trigger(event_type, literal, True, check, strong)


@dataclass(frozen=True, slots=True)
class _Tables:
    """A language's compiled patterns (built once per language, read-only)."""

    triggers: ahocorasick.Automaton  # literal head -> its triggers (types, look-alikes, "no deal" cues)
    priority: tuple[str, ...]
    modes: tuple[tuple[str, re.Pattern[str]], ...]
    headline_planned: re.Pattern[str] | None
    background: re.Pattern[str] | None
    sides: re.Pattern[str] | None
    coordinate: re.Pattern[str] | None
    relative: re.Pattern[str] | None
    durations: tuple[tuple[re.Pattern[str], int], ...] = ()  # "two-day", "двухдневные": days of a meeting
    closing: re.Pattern[str] | None = None  # "ended", "завершились": the date names the last day
    opening: re.Pattern[str] | None = None  # "began", "начавшийся": the sentence names the first day
    cue_reach: int = _CUE_REACH  # characters after a trigger where a mode cue still speaks for it
    attributive: re.Pattern[str] | None = None  # a trigger word that is an adjectival participle
    attributive_types: frozenset[str] = frozenset()
    after: frozenset[str] = frozenset()  # words after which it is one ("a blacklisted …"); else any
    be: frozenset[str] = frozenset()  # words before it that make it the predicate ("були затримані")
    since_before: re.Pattern[str] | None = None  # "since 2000", "с 2000 года": a point of reference
    since_after: re.Pattern[str] | None = None  # "2000 óta", "2000 yildan beri"
    speech_before: re.Pattern[str] | None = None  # "said on Monday": the day of a statement
    speech_after: re.Pattern[str] | None = None  # "в пятницу заявила"
    until_before: re.Pattern[str] | None = None  # "until 8 May", "до 8 мая": the end of a period
    until_after: re.Pattern[str] | None = None
    future: re.Pattern[str] | None = None  # future verb endings ("триватиме")
    backshift: re.Pattern[str] | None = None  # "said … would": a plan in reported speech
    speech: re.Pattern[str] | None = None  # statement verbs ("said", "заявил")
    condition: re.Pattern[str] | None = None  # "if", "если": a condition's own clause
    habitual: re.Pattern[str] | None = None  # "continues to", "по-прежнему": a state, not an event
    located: re.Pattern[str] | None = None  # "Ауғанстандағы ахуал": a country as the place of a thing
    describing: re.Pattern[str] | None = None  # present forms ("поддерживают"): a relative clause's


def _gate(found: Sequence[_Trigger]) -> re.Pattern[str] | None:
    """One pattern that matches where any of a head's longer terms does (None for fewer than two): a
    head such as "a" starts dozens of terms in the all-languages table, most of its hits start none."""
    checks = [t.check.pattern for t in found if t.check is not None]
    if len(checks) < 2:
        return None
    return re.compile("|".join(f"(?:{c})" for c in dict.fromkeys(checks)), re.IGNORECASE)


@functools.cache  # compiled once per language; immutable
def _tables(lang: str) -> _Tables:
    lex = load_lexicon("events")
    priority = tuple(lex["priority"])
    heads: dict[str, list[_Trigger]] = {}
    terms = [(t, term, False) for t in priority for term in _terms("triggers", t, lang)]
    terms += [(t, term, True) for t in lex["strong"] for term in _terms("strong", t, lang)]
    terms += [(_SUPPRESS, term, False) for term in _terms("suppress", "phrases", lang)]
    terms += [(_NO_DEAL, term, False) for term in _terms("no_deal", "phrases", lang)]
    terms += [(_SPORTS, term, False) for term in _terms("sports", "phrases", lang)]
    rank = {t: i for i, t in enumerate(priority)}
    for event_type, term, strong in sorted(
        set(terms), key=lambda x: (not x[2], rank.get(x[0], -1), -len(x[1]))
    ):
        trigger = _trigger(event_type, term, strong)
        heads.setdefault(trigger.head, []).append(trigger)
    triggers = ahocorasick.Automaton()
    for head, found in heads.items():
        triggers.add_word(head, (_gate(found), tuple(found)))
    triggers.make_automaton()
    modes = []
    for mode in ("negated", "hypothetical", "planned"):
        pattern = compile_terms(_terms("modes", mode, lang))
        if pattern is not None:
            modes.append((mode, pattern))
    headline = _terms("headline", "planned", lang) if lang in lex["headline"]["planned"] else ()
    background = compile_terms(_terms("background", "phrases", lang))
    sides = compile_terms(_terms("sides", "phrases", lang))
    coordinate_terms = _terms("coordinate", "clauses", lang) if lang in lex["coordinate"]["clauses"] else ()
    coordinate = None
    if coordinate_terms:
        coordinate = re.compile(
            r"[,;]\s*(?:" + "|".join(_term_regex(t) for t in coordinate_terms) + r")(?![\w])", re.I
        )
    relative_terms = _terms("relative", "clauses", lang) if lang in lex["relative"]["clauses"] else ()
    relative = None
    if relative_terms:
        relative = re.compile(
            r",\s*(?:" + "|".join(_term_regex(t) for t in relative_terms) + r")(?![\w])", re.I
        )
    days = lex["duration"]["days"]
    durations = tuple(
        (pattern, int(n))
        for code in ((lang,) if lang in days else tuple(days))
        for term, n in days[code].items()
        if (pattern := compile_terms((term,))) is not None
    )
    closing = compile_terms(_terms("duration", "closing", lang))
    return _Tables(
        triggers,
        priority,
        tuple(modes),
        compile_terms(headline),
        background,
        sides,
        coordinate,
        relative,
        durations,
        closing,
        compile_terms(_terms("duration", "opening", lang)),
        _CLAUSE_REACH if lang in lex.get("verb_final", ()) else _CUE_REACH,
        *_attributive(lex["attributive"], lang),
        *_around(lex["since"]["before"], lex["since"]["after"], lang),
        *_around(lex["speech"], lex["speech"], lang),
        *_around(lex["until"]["before"], lex["until"]["after"], lang),
        _endings(lex.get("future_endings", {}).get(lang, ())),
        compile_terms(tuple(lex.get("backshift", {}).get(lang, ()))),
        compile_terms(tuple(lex["speech"].get(lang, ()))),
        compile_terms(tuple(lex.get("condition", {}).get(lang, ()))),
        compile_terms(_terms("habitual", "phrases", lang)),
        _suffixes(lex.get("locative_attribute", {}).get(lang, ())),
        _present(*(lex["describing"][k].get(lang, ()) for k in ("subjects", "endings", "adverbs"))),
    )


def _present(
    subjects: Sequence[str], endings: Sequence[str], adverbs: Sequence[str]
) -> re.Pattern[str] | None:
    """A relative clause opened by a subject pronoun (``subjects``) and a present form (``endings``),
    one adverb (``adverbs``: its endings) allowed between them: ", которые материально поддерживают"."""
    if not subjects or not endings:
        return None
    pronoun = "|".join(map(re.escape, subjects))
    verb = r"[\w'’]+(?:" + "|".join(endings) + r")"
    adverb = r"(?:[\w'’]+(?:" + "|".join(adverbs) + r")\s+)?" if adverbs else ""
    return re.compile(rf",\s*(?:{pronoun})\s+{adverb}({verb})(?![\w'’])", re.IGNORECASE)


def _suffixes(suffixes: Sequence[str]) -> re.Pattern[str] | None:
    """A word's end in one of ``suffixes``."""
    if not suffixes:
        return None
    return re.compile(r"(?:" + "|".join(map(re.escape, suffixes)) + r")$", re.IGNORECASE)


_SUFFIX_REACH = 8  # letters a case suffix adds after a country's matched name
_TURKIC_WORD = re.compile(r"[\w'’ʻʼ]+")


def _sides_only(text: str, mentions: Sequence[Mention], tables: _Tables) -> Sequence[Mention]:
    """Mentions without the countries named as the place of a thing ("Ауғанстандағы ахуал")."""
    if tables.located is None:
        return mentions
    kept = []
    for m in mentions:
        if m.kind == "country" and m.start >= 0:
            word = _TURKIC_WORD.match(text, m.start)
            if word and word.end() - m.end <= _SUFFIX_REACH and tables.located.search(word.group(0)):
                continue
        kept.append(m)
    return kept


def _endings(endings: Sequence[str]) -> re.Pattern[str] | None:
    """Words ending in one of ``endings`` (whole words, at least two letters before the ending)."""
    if not endings:
        return None
    return re.compile(r"(?<![\w])\w{2,}(?:" + "|".join(map(re.escape, endings)) + r")(?![\w])", re.I)


def _around(before: dict, after: dict, lang: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """Patterns for words right before a date (matched at the end of the text before it) and right
    after it (at the start of the text after it)."""

    def alternation(table: dict) -> str | None:
        terms = table.get(lang, ())
        return "|".join(_term_regex(t) for t in terms) if terms else None

    head, tail = alternation(before), alternation(after)
    return (
        re.compile(rf"(?<![\w])(?:{head})[\s,]*(?:on|в|во|у|u)?\s*$", re.IGNORECASE) if head else None,
        re.compile(rf"^[-\w]*\s+(?:{tail})(?![\w])", re.IGNORECASE) if tail else None,
    )


def _attributive(
    table: dict, lang: str
) -> tuple[re.Pattern[str] | None, frozenset[str], frozenset[str], frozenset[str]]:
    """The attributive-participle rule of a language: word endings, the types it applies to, the words
    it must follow (English) and the forms of "be" that make it a predicate (Russian, Ukrainian)."""
    endings = table["endings"].get(lang)
    if not endings:
        return None, frozenset(), frozenset(), frozenset()
    pattern = re.compile(r"[\w'’]*(?:" + "|".join(endings) + r")$", re.IGNORECASE)
    after = frozenset(table["after"].get(lang, ()))
    types = frozenset(table["types"] if after else table["long_types"])
    return pattern, types, after, frozenset(table["be"].get(lang, ()))


_WORD = re.compile(r"[\w'’]+")
_BY_AGENT = re.compile(r"\s+by\s")
_TWO_BEFORE = re.compile(r"([\w'’]+)\s+([\w'’]+)\s+$")
_WORD_BEFORE = re.compile(r"([\w'’]+)\s+$")


def _is_attributive(text: str, begin: int, trigger: _Trigger, tables: _Tables) -> bool:
    """Whether the trigger word at ``begin`` is a participle used as an adjective ("a blacklisted
    university", "Chinese-built", "депортированных детей"): it describes, it reports no event."""
    if tables.attributive is None or trigger.type not in tables.attributive_types:
        return False
    word = _WORD.match(text, begin)
    if word is None or word.end() < begin + len(trigger.head) or not tables.attributive.match(word.group(0)):
        return False
    if trigger.check is not None and r"\s+" in trigger.check.pattern:
        return False  # a phrase ("imposed duties") is a verb with its object
    before = _WORD_BEFORE.search(text, max(0, begin - 40), begin)
    previous = before.group(1).lower() if before else ""
    if tables.after:
        if (begin > 0 and text[begin - 1] == "-") or previous in tables.after:
            return True
        # "Karácsony, backed by the opposition": a participle with its agent describes the noun
        # before it, unless a form of "be" makes it a passive verb ("was backed by")
        two = _TWO_BEFORE.search(text, max(0, begin - 60), begin)
        passive = two is not None and not tables.be.isdisjoint(w.lower() for w in two.groups())
        return _BY_AGENT.match(text, word.end()) is not None and not passive  # "was widely backed by"
    return previous not in tables.be


def _habitual(sentence: str, position: int, tables: _Tables) -> bool:
    """Whether a habit or state cue ("continues to", "по-прежнему") stands before the trigger at
    ``position`` in its own coordinate clause."""
    if tables.habitual is None:
        return False
    begin = 0
    if tables.coordinate is not None:
        for match in tables.coordinate.finditer(sentence, 0, position):
            begin = match.start()
    return tables.habitual.search(sentence, begin, position) is not None


def _describes(
    sentence: str,
    position: int,
    hidden: Sequence[tuple[int, int]],
    spans: Sequence[DateSpan],
    tables: _Tables,
) -> bool:
    """Whether the trigger at ``position``, inside the relative clause between ``hidden``'s two
    stretches, is its present-tense verb in a clause naming no date ("…, which support the war
    machine"; "the summit, which opens on Tuesday" is a schedule)."""
    if tables.describing is None:
        return False
    begin, stop = hidden[0][1], hidden[1][0]
    if any(begin <= s.begin < stop for s in spans):
        return False
    verb = tables.describing.match(sentence, begin)
    return verb is not None and verb.start(1) <= position < verb.end(1)


def _first_day(sentence: str, day: date, tables: _Tables) -> date:
    """The first day of a meeting dated by its close: "ended three days of talks on Friday" began on
    Wednesday; a sentence without a length and a closing word keeps ``day``."""
    if tables.closing is None or not tables.closing.search(sentence):
        return day
    if tables.opening is not None and tables.opening.search(sentence):
        return day  # "начавшийся в четверг и завершившийся в Харбине": the day named is the first
    for pattern, days in tables.durations:
        if pattern.search(sentence):
            return day - timedelta(days=days - 1)
    return day


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for begin, stop in spans:
        for i in range(max(begin, 0), min(stop, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _mode_of(
    sentence: str, spans: Sequence[DateSpan], tables: _Tables, headline: bool, position: int | None = None
) -> str:
    """The mode cues of ``sentence`` before its trigger at ``position`` or shortly after it ("talks are
    planned"); a cue far behind it belongs to another clause ("… as protesters rallied against plans")."""
    # blank out dates first: "May 20" is not the modal "may", "6-may" not a cue either
    sentence = _blank(sentence, [(s.begin, s.stop) for s in spans])
    if position is not None:
        begin, stop = 0, position + tables.cue_reach
        if tables.coordinate is not None:  # "Russia was not invited, and China declined": two clauses
            for match in tables.coordinate.finditer(sentence):
                if match.end() <= position:
                    begin = match.start()
                elif match.start() > position:
                    stop = min(stop, match.start())
                    break
        if tables.condition is not None:  # "… would apply from July 4 if talks fail": the condition's
            condition = tables.condition.search(sentence, position + 1, stop)
            if condition is not None:
                stop = condition.start()
        sentence = " " * begin + sentence[begin:stop]
    reported = False
    if tables.backshift is not None and tables.speech is not None:
        said = tables.speech.search(sentence)
        if said is not None:  # "said the duties would apply": the future of reported speech
            shifted = [(m.start(), m.end()) for m in tables.backshift.finditer(sentence, said.end())]
            reported = bool(shifted)
            sentence = _blank(sentence, shifted)
    for mode, pattern in tables.modes:
        if pattern.search(sentence):
            return mode
    if reported:
        return "planned"
    if headline and tables.headline_planned is not None:
        # "Xi to visit Serbia": a headline's infinitive is a plan — when it carries the trigger or
        # comes before it; "Kazakhstan agreed with China to build a plant" reports the agreement
        for cue in tables.headline_planned.finditer(sentence):
            if position is None or cue.start() <= position:
                return "planned"
    if tables.future is not None and tables.future.search(sentence):
        return "planned"  # "візит триватиме": a future form without a cue word
    return "asserted"


def detect_mode(sentence: str, language: str | None) -> str:
    """The sentence's mode: negated, hypothetical, planned or asserted (cues checked in that order)."""
    spans = find_dates(sentence, language, date(2000, 1, 1))  # only to blank dates out
    return _mode_of(sentence, spans, _tables(_lang(language)), headline=False)


def _actors(
    mentions: Sequence[Mention],
    start: int,
    end: int,
    fallback: tuple[str, ...],
    inside: dict[int, tuple[str, ...]] | None = None,
) -> tuple[tuple[str, str | None], ...]:
    countries: list[str] = []
    entities: list[tuple[str, str | None]] = []
    for m in mentions:
        if m.start < start or m.end > end or m.start < 0:
            continue
        if m.kind == "country" and m.key not in countries:
            countries.append(m.key)
        elif m.kind == "entity" and m.country:
            entities.append((m.country, m.name))
            # "Summit on Peace in Ukraine" (home CH) also names Ukraine: both are sides
            countries.extend(c for c in (inside or {}).get(m.start, ()) if c not in countries)
    if not countries and not entities:
        return tuple((c, None) for c in fallback)
    actors: list[tuple[str, str | None]] = []
    for country, name in entities:
        if (country, name) not in actors:
            actors.append((country, name))
    named = {c for c, _ in actors}
    actors.extend((c, None) for c in countries if c not in named)
    return tuple(actors)


_MIN_STEM = 4  # letters of a country's name kept when it is looked for inflected inside an entity name
_INFLECTION = 2  # letters an inflected form may add or change at a name's end ("Украине", "Putina")
_FAR = 1 << 62  # past any offset
_MIN_NAME_PART = 3  # shorter parts of a person's name ("Xi", "Un") are left to the matcher


def _countries_inside(
    text: str, mentions: Sequence[Mention], where: Sequence[tuple[int, int]]
) -> dict[int, tuple[str, ...]]:
    """Per entity mention (by its start) in the stretches ``where`` (the sentences holding triggers): the
    other countries its name spells out, as the article writes them elsewhere ("Summit on Peace in
    Ukraine", home CH, names Ukraine; "Саммит по миру в Украине")."""
    stems: dict[str, str] = {}
    for m in mentions:
        if m.kind == "country" and m.start >= 0:
            surface = text[m.start : m.end]
            if len(surface) > _MIN_STEM:
                surface = surface[: max(_MIN_STEM, len(surface) - _INFLECTION)]
            stems.setdefault(surface, m.key)
    out: dict[int, tuple[str, ...]] = {}
    for m in mentions:
        if (
            m.kind != "entity"
            or m.start < 0
            or not m.country
            or m.start in out
            or not _within(where, m.start)
        ):
            continue
        name = text[m.start : m.end]
        extra = tuple(
            dict.fromkeys(
                code
                for stem, code in stems.items()
                if code != m.country
                and stem in name
                and any(_word_start(name, at) for at in _finds(name, stem))
            )
        )
        if extra:
            out[m.start] = extra
    return out


def _finds(text: str, needle: str, begin: int = 0, end: int | None = None) -> list[int]:
    """Every offset of ``needle`` in ``text[begin:end]`` (plain search: no pattern to compile)."""
    found = []
    stop = len(text) if end is None else end
    at = text.find(needle, begin, stop)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1, stop)
    return found


def _within(where: Sequence[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` lies in one of the sorted, disjoint stretches ``where``."""
    i = bisect.bisect_right(where, (position, _FAR)) - 1
    return i >= 0 and where[i][0] <= position < where[i][1]


def _word_start(text: str, at: int) -> bool:
    return at == 0 or not _WORD_CHAR.match(text, at - 1)


def _surnames(
    text: str, mentions: Sequence[Mention], where: Sequence[tuple[int, int]]
) -> tuple[Mention, ...]:
    """A person named in full once and then by one part of the name alone ("Putin and Kim sign",
    "Wang and Lavrov meet") is that person: mentions for those bare parts, where no mention is, in
    the stretches ``where`` (the sentences holding triggers). A part shared by people of different
    countries names none of them."""
    parts: dict[str, set[tuple[str, str]]] = {}
    for m in mentions:
        if m.kind == "entity" and m.entity_type == "person" and m.country and m.start >= 0:
            for part in re.split(r"[\s\-]+", text[m.start : m.end]):
                if len(part) >= _MIN_NAME_PART and part[:1].isupper():
                    parts.setdefault(part, set()).add((m.country, m.name))
    parts = {p: who for p, who in parts.items() if len({c for c, _ in who}) == 1}
    if not parts:
        return ()
    taken = sorted((m.start, m.end) for m in mentions if m.start >= 0)
    starts = [b for b, _ in taken]
    out = []
    for part, who in parts.items():
        country, name = min(who)
        for at in (at for begin, end in where for at in _finds(text, part, begin, end)):
            tail = _WORD_TAIL.match(text, at + len(part))
            end = tail.end() if tail else at + len(part)
            if not _word_start(text, at) or end - at - len(part) > _INFLECTION or _inside(taken, starts, at):
                continue  # inside a longer word, or a name the matcher found already
            out.append(
                Mention(article_id="", kind="entity", key=name, name=name, start=at, end=end,
                        country=country, entity_type="person")
            )  # fmt: skip
    return tuple(out)


_WORD_TAIL = re.compile(r"[\w'’ʻʼ]*")


def _main_countries(mentions: Sequence[Mention]) -> tuple[str, ...]:
    counts = Counter(m.key for m in mentions if m.kind == "country")
    counts.update(m.country for m in mentions if m.kind == "entity" and m.country)
    return tuple(c for c, _ in counts.most_common(_MAIN_COUNTRIES))


def _location(mentions: Sequence[Mention], start: int, end: int) -> str | None:
    for m in mentions:
        if start <= m.start and m.end <= end and (m.entity_type or "") in ("city", "place", "location"):
            return m.name
    return None


def _fill_actors(
    actors: tuple[tuple[str, str | None], ...], main: tuple[str, ...]
) -> tuple[tuple[str, str | None], ...]:
    """An event has two sides: a sentence naming one country pairs it with the article's main other one."""
    countries = {c for c, _ in actors}
    if len(countries) >= 2:
        return actors
    extra = [(c, None) for c in main if c not in countries][: _MIN_SIDES - len(countries)]
    return (*actors, *extra)


def _rank(event: Event, index: int, own: int, china: bool = False, dated: bool = False) -> tuple[float, int]:
    """Higher first: early sentences, sentences naming both sides, asserted reports, specific types,
    and — in an article mainly about China (``china``) — events China takes part in."""
    score = -_POSITION_WEIGHT * float(index)
    if china and all(country != "CN" for country, _ in event.actors):
        score -= _NON_CHINA_PENALTY
    score += _OWN_ACTORS_BONUS * min(own, 2)
    # what happened, or failed to ("no deal was signed"), or is scheduled for a named day ("takes
    # effect on July 1"): news, ahead of vague plans and conditionals
    scheduled = event.mode == "planned" and dated and event.upcoming
    if event.mode in ("asserted", "negated") or scheduled:
        score += _ASSERTED_BONUS
    score -= _GENERIC_PENALTY.get(event.type, 0.0)
    return (score, -index)


class _Dates:
    """The dates of an article's sentences, found on first use (most sentences never need them)."""

    def __init__(
        self,
        text: str,
        sentences: Sequence[Sentence],
        language: str | None,
        published: date | None,
        tables: _Tables | None = None,
    ):
        self._since = (tables.since_before, tables.since_after) if tables else (None, None)
        self._speech = (tables.speech_before, tables.speech_after) if tables else (None, None)
        self._said: set[tuple[int, int]] = set()  # (sentence, offset) of the dates of statements
        self._until = (tables.until_before, tables.until_after) if tables else (None, None)
        self._ends: set[tuple[int, int]] = set()  # (sentence, offset) of dates ending a period
        self._text = text
        self._sentences = sentences
        self._language = language
        self._published = published
        self._cache: dict[int, tuple[DateSpan, ...]] = {}
        self._lead: list[date | None] = []

    def _all(self) -> dict[int, tuple[DateSpan, ...]]:
        """Every date of the article, found in one pass and filed by sentence (offsets in it)."""
        starts = [s.start for s in self._sentences]
        per: dict[int, list[DateSpan]] = {}
        for span in find_dates(self._text, self._language, self._published, coarse=True):
            index = bisect.bisect_right(starts, span.begin) - 1
            if index < 0 or span.stop > self._sentences[index].end:
                continue
            offset = self._sentences[index].start
            local = replace(span, begin=span.begin - offset, stop=span.stop - offset)
            text = self._sentences[index].text
            if index < _LEAD_SENTENCES and local.begin < 40 and _DATELINE_TAIL.match(text, local.stop):
                continue  # a dateline's date ("BEIJING, June 28 (CGTN) —") dates the report
            before = text[max(0, local.begin - _NEAR) : local.begin]
            after = text[local.stop : local.stop + _NEAR]
            if local.precision in ("month", "year") and _next_to(before, after, *self._since):
                continue  # "the first visit since 2000": a point of reference, not the event's date
            if _next_to(before, after, *self._speech):
                self._said.add((index, local.begin))  # "officials said on Monday": no plan's date
            if _next_to(before, after, *self._until):
                self._ends.add((index, local.begin))  # "lasts until 8 May": not the event's day
            per.setdefault(index, []).append(local)
        return {i: tuple(v) for i, v in per.items()}

    def of(self, index: int, *, future: bool = False, ends: bool = False) -> tuple[DateSpan, ...]:
        """A sentence's dates; ``future`` takes bare weekdays forward ("will meet on Tuesday")."""
        if not self._cache:
            self._cache.update(self._all())
            self._cache[-1] = ()  # computed
        spans = self._cache.get(index, ())
        if future and self._said:
            spans = tuple(s for s in spans if (index, s.begin) not in self._said)
        if self._ends and not ends:  # ``ends``: also the dates ending a period (to blank them out)
            spans = tuple(s for s in spans if (index, s.begin) not in self._ends)
        if future and any(s.looked_back for s in spans):
            # the next such weekday; the publication day's own weekday is that day ("the summit opens
            # on Tuesday" in Tuesday's paper), as news style names today by its weekday too
            week = timedelta(days=7)
            return tuple(
                replace(s, start=s.start + week, looked_back=False)
                if s.looked_back and (self._published is None or s.start < self._published)
                else s
                for s in spans
            )
        return spans

    def day(self, index: int, *, future: bool) -> date | None:
        """The first day-precise date of a sentence on the right side of publication."""
        for span in self.of(index, future=future):
            if span.precision == "day" and self._fits(span, future):
                return span.start
        return None

    def lead(self) -> date | None:
        """The date of the news: a day named in the lead within the week before publication, else that day.

        News reports what happened in the past day or two; an asserted event whose sentence names no
        date took place then (the lead usually names the day: "on Tuesday", "yesterday").
        """
        if not self._lead:
            found = self._published
            for index in range(min(_LEAD_SENTENCES, len(self._sentences))):
                day = self.day(index, future=False)
                if day is not None:
                    found = day
                    break
            self._lead.append(found)
        return self._lead[0]

    def _fits(self, span: DateSpan, future: bool) -> bool:
        if self._published is None:
            return True
        if future:
            return span.start > self._published  # a day after publication: what lies ahead
        return 0 <= (self._published - span.start).days <= _LEAD_WINDOW_DAYS


_NEAR = 24  # characters around a date where "since" or "said" speak of it


def _next_to(before: str, after: str, head: re.Pattern[str] | None, tail: re.Pattern[str] | None) -> bool:
    """Whether ``head`` ends the text before a date or ``tail`` starts the text after it."""
    return bool((head is not None and head.search(before)) or (tail is not None and tail.search(after)))


def _nearest(spans: Sequence[DateSpan], position: int) -> DateSpan | None:
    best: tuple[int, DateSpan] | None = None
    for span in spans:
        gap = min(abs(span.begin - position), abs(span.stop - position))
        if span.begin <= position < span.stop:
            gap = 0
        if best is None or gap < best[0]:
            best = (gap, span)
    return best[1] if best else None


def _is_background(span: DateSpan | None, published: date | None) -> bool:
    """A date weeks or years before publication: the trigger tells history, not the news."""
    if span is None or published is None:
        return False
    last = span.end or span.start
    return last < published - timedelta(days=_BACKGROUND_DAYS)


def _event_date(
    dates: _Dates,
    index: int,
    position: int,
    mode: str,
    published: date | None,
    count: int,
    hidden: Sequence[tuple[int, int]] = (),
    before: date | None = None,
    carry: bool = True,  # the sentence before holds no trigger: its dates may be this event's
) -> tuple[date | None, date | None, bool, bool]:
    """(date, end date, background, explicit) of an event whose trigger sits at ``position`` in sentence
    ``index``; explicit when the date comes from the sentence itself."""
    future = mode == "planned"
    spans = _seen(dates.of(index, future=future), hidden)
    near = _nearest(spans, position)
    if _is_background(near, published) and mode != "planned":
        return None, None, True, False
    days = [s for s in spans if s.precision == "day"]
    if published is not None:
        if future:
            days = [s for s in days if s.start >= published] or []
        elif mode == "asserted":
            days = [s for s in days if s.start <= published]
    chosen = _nearest(days, position)
    if chosen is not None:
        return chosen.start, chosen.end, False, True
    if future:
        for later in range(index + 1, min(index + 1 + _PLANNED_LOOKAHEAD, count)):
            day = dates.day(later, future=True)
            if day is not None and (published is None or day > published):
                return day, None, False, False
        for lead in range(min(_LEAD_SENTENCES, count)):
            day = dates.day(lead, future=True)
            if day is not None and (published is None or day > published):
                return day, None, False, False
        return None, None, False, False
    if mode != "asserted":
        return None, None, False, False
    if index > 0:  # the event of the sentence before ("They met on Thursday. They signed …"); the
        # dates of a sentence with triggers of its own are those events' ("the visit, which lasts from
        # 22 to 26 June"): only its dated asserted event (``before``) carries, else the lead's day
        day = before or (dates.day(index - 1, future=False) if carry else None)
        if day is not None:
            return day, None, False, False
    return dates.lead(), None, False, False


def _future_nearest(spans: Sequence[DateSpan], position: int, published: date | None) -> bool:
    """Whether the day-precise date nearest the trigger lies after publication ("visits on 16–17 May")."""
    near = _nearest([s for s in spans if s.precision == "day"], position)
    return near is not None and published is not None and near.start > published


def _inside(spans: list[tuple[int, int]], starts: list[int], position: int) -> bool:
    """Whether ``position`` lies in one of the sorted ``spans`` (``starts`` are their starts)."""
    i = bisect.bisect_right(starts, position) - 1
    while i >= 0 and position - starts[i] <= _MAX_MASK:
        if spans[i][1] > position:
            return True
        i -= 1
    return False


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # keep offsets ("İ")


@dataclass(frozen=True, slots=True)
class _Found:
    """What the trigger pass found, per sentence index (offsets within the sentence)."""

    types: dict[int, dict[str, int]]  # each type with its first trigger's offset
    strong: dict[int, str]  # the type a strong trigger decides
    agree: dict[int, list[tuple[int, int]]]  # every AGREE trigger (a made deal beside a failed one)
    negating: dict[int, list[tuple[int, int]]]  # triggers that hold their own negation
    no_deals: dict[int, tuple[int, int]]  # the first "no deal" cue ("without a deal")
    sports: set[str]  # the sports words of the article ("tournament", "сборная")


def _hits(text: str, tables: _Tables) -> list[tuple[int, int, _Trigger]]:
    """(begin, stop, trigger) of every trigger, look-alike and cue in ``text``: one Aho-Corasick pass
    over the lower-cased text finds their heads; a hit counts where it starts a word, ends one (unless
    a stem), and the rest of a longer term follows."""
    out: list[tuple[int, int, _Trigger]] = []
    lowered = _lower(text)
    size = len(text)
    for last, (gate, candidates) in tables.triggers.iter(lowered):
        begin = last - len(candidates[0].head) + 1
        # a character is in _WORD_CHAR exactly when it is alphanumeric or one of _JOINERS (every code
        # point checked in the tests); the string methods cost a fifth of a regex call per hit
        if begin > 0 and ((c := text[begin - 1]).isalnum() or c in _JOINERS):
            continue  # not at a word start
        word_end = last + 1 < size and ((c := text[last + 1]).isalnum() or c in _JOINERS)
        checked = gate is None or gate.match(text, begin) is not None  # else no longer term is here
        for trigger in candidates:
            if trigger.check is not None:
                if not checked:
                    continue
                match = trigger.check.match(text, begin)
                if match is not None:
                    out.append((begin, match.end(), trigger))
            elif trigger.stem or not word_end:
                out.append((begin, last + 1, trigger))
    return out


def _scan(text: str, sentences: Sequence[Sentence], tables: _Tables, mentions: Sequence[Mention]) -> _Found:
    """The triggers of each sentence, outside entity names ("Shanghai Cooperation Organisation"),
    quotations («peace talks») and look-alike phrases ("asked not to be named")."""
    hits = _hits(text, tables)
    masked = [
        (m.start, m.end)
        for m in mentions
        if m.kind == "entity" and m.start >= 0 and m.entity_type not in _EVENT_ENTITY_TYPES
    ]
    masked.extend(m.span() for m in _QUOTED.finditer(text))
    masked.extend((b, e) for b, e, t in hits if t.type == _SUPPRESS)
    masked.sort()
    masked_starts = [b for b, _ in masked]
    starts = [s.start for s in sentences]
    found = _Found({}, {}, {}, {}, {}, set())
    for begin, stop, trigger in hits:
        if trigger.type == _SPORTS:
            found.sports.add(trigger.head if trigger.check is None else trigger.check.pattern)
            continue
        if trigger.type == _SUPPRESS or (masked and _inside(masked, masked_starts, begin)):
            continue
        if _is_attributive(text, begin, trigger, tables):
            continue
        index = bisect.bisect_right(starts, begin) - 1
        if index < 0 or begin >= sentences[index].end:
            continue
        offset = sentences[index].start
        if trigger.type == _NO_DEAL:
            found.no_deals.setdefault(index, (begin - offset, stop - offset))
            continue
        found.types.setdefault(index, {}).setdefault(trigger.type, begin - offset)
        if trigger.strong:
            found.strong.setdefault(index, trigger.type)
        if trigger.type == "AGREE":
            found.agree.setdefault(index, []).append((begin - offset, stop - offset))
        if trigger.type in _NEGATING_TYPES:
            found.negating.setdefault(index, []).append((begin - offset, stop - offset))
    return found


def _outside(
    sentence: str, position: int, tables: _Tables
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """What the trigger at ``position`` does not see, for its mode and for its date: a relative clause
    ("…, which will host on June 15") speaks for the triggers inside it only; a trigger inside one
    takes its mode from there, but may take its date from the clause it hangs on ("Monday's meeting,
    where they signed")."""
    if tables.relative is None:
        return [], []
    clauses = []
    for match in tables.relative.finditer(sentence):
        stop = sentence.find(",", match.end())
        clauses.append((match.start(), len(sentence) if stop < 0 else stop))
    for begin, stop in clauses:
        if begin <= position < stop:
            return [(0, begin), (stop, len(sentence))], []
    return clauses, clauses


def _seen(spans: Sequence[DateSpan], hidden: Sequence[tuple[int, int]]) -> tuple[DateSpan, ...]:
    return tuple(s for s in spans if not any(b <= s.begin < e for b, e in hidden))


def _apart(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans of a sentence are more than a few words apart ("no contract was signed": not)."""
    return a[0] - b[1] > _DEAL_GAP or b[0] - a[1] > _DEAL_GAP


def _types(
    found: dict[str, int], priority: tuple[str, ...], strong: str | None = None
) -> list[tuple[str, int]]:
    ordered = [(t, found[t]) for t in priority if t in found]
    governing = [(found[t], t) for t in _GOVERNING if t in found and ordered and found[t] < ordered[0][1]]
    if governing:
        # a request or a refusal governs what it names after it ("urged Beijing to ease its export
        # controls", "призвал снять санкции", "rejected the accusations", "відкинув звинувачення"):
        # the sanction, accusation or deal is its object, not another event
        _, verb = min(governing)
        object_ = ordered[0]
        ordered = [(verb, found[verb]), *(x for x in ordered if x[0] != verb)]
        if verb == "REJECT" and object_[0] in _REFUTED:
            # "rejected the accusations", "відкинув звинувачення": the accusation was made too
            return [ordered[0], object_]
    # "the agreement entered into force": cooperation under way, not a signing (duties that take effect
    # are the sanction they are)
    if strong is not None and "SANCTION" not in found:
        first = next((i for i, (t, _) in enumerate(ordered) if t in _STRONG_OVER or t == strong), None)
        if first is not None:
            mine = [x for x in ordered if x[0] == strong]
            ordered = ordered[:first] + mine + [x for x in ordered[first:] if x[0] != strong]
    kept = ordered[:_MAX_TYPES_PER_SENTENCE]
    # a meeting is reported with its outcome ("held talks and signed"): both are events
    if kept and kept[0][0] in _COMPANION_WITH:
        kept.extend(t for t in ordered[_MAX_TYPES_PER_SENTENCE:] if t[0] in _COMPANION_TYPES)
    return kept


def extract_events(
    text: str,
    language: str | None,
    published: date | None,
    mentions: Sequence[Mention],
    *,
    article_id: str = "",
) -> tuple[Event, ...]:
    """PLOVER events reported in ``text``.

    Args:
        text: the article text; ``mentions`` offsets point into it.
        language: ISO 639-1 code of the text (unknown languages use every lexicon).
        published: the publication date, to resolve dates without a year, weekdays and "yesterday".
        mentions: countries and entities found in ``text`` (from the matcher).
        article_id: stamped on each event.

    Returns:
        The article's main events (at most ``_MAX_EVENTS``), in text order, one per (type, mode).
    """
    tables = _tables(_lang(language))
    mentions = sorted(_sides_only(text, mentions, tables), key=lambda m: m.start)
    sentences = split_sentences(text, language)
    found_all = _scan(text, sentences, tables, mentions)
    triggers, trigger_spans, no_deals = found_all.types, found_all.negating, found_all.no_deals
    if not triggers and not no_deals:
        return ()
    sports = len(found_all.sports) >= _SPORTS_CUES
    fallback = _main_countries(mentions)
    where = [(sentences[i].start, sentences[i].end) for i in sorted(set(triggers) | set(no_deals))]
    inside = _countries_inside(text, mentions, where)
    mentions = sorted((*mentions, *_surnames(text, mentions, where)), key=lambda m: m.start)
    dates = _Dates(text, sentences, language, published, tables)
    first: dict[tuple[str, ...], int] = {}
    candidates: list[tuple[tuple[float, int], int, Event]] = []
    explicit: dict[int, bool] = {}
    event_days: dict[int, date] = {}  # per sentence: the day its first asserted event names
    for index in sorted(set(triggers) | set(no_deals)):
        sentence = sentences[index]
        found = dict(triggers.get(index, {}))
        if sports and not any(
            m.kind == "entity"
            and (m.entity_type or "") in _SPORTS_ACTORS
            and sentence.start <= m.start < sentence.end
            for m in mentions
        ):  # a sports report: "Georgia will meet Spain on Sunday" is a match, not talks
            found = {t: at for t, at in found.items() if t not in _SPORTS_TYPES}
            if not found and index not in no_deals:
                continue
        deal = no_deals.get(index)  # "talks ended without a deal": a negated AGREE beside the talks
        signed = [b for b, e in found_all.agree.get(index, ()) if deal is None or _apart((b, e), deal)]
        if deal is not None:
            found["AGREE"] = deal[0]
        types: list[tuple[str, int]] = list(_types(found, tables.priority, found_all.strong.get(index)))
        if deal is not None:
            if all(t != "AGREE" for t, _ in types):
                types.append(("AGREE", deal[0]))
            if signed:  # "sign a statement, but no pipeline contract": one deal made, one not
                types.append(("AGREE", -1 - signed[0]))
        own = _actors(mentions, sentence.start, sentence.end, (), inside)
        if not own and tables.sides is not None and tables.sides.search(sentence.text):
            own = tuple((c, None) for c in fallback)  # "the two sides signed": the article's two sides
        if not own and index >= _LEAD_SENTENCES:
            continue  # a trigger far from any actor is background, not the news
        if len({c for c, _ in own}) < _GENERIC_MIN_OWN.get(types[0][0], 0) and index >= _LEAD_SENTENCES:
            continue  # generic triggers ("built", "met") count only where both sides are named
        actors = _fill_actors(own or tuple((c, None) for c in fallback), fallback)
        if not actors:
            continue
        # a title has no full stop; "… on Wednesday. (Xinhua)" still ends like a sentence
        headline = index == 0 and not _TRAILING_NOTE.sub("", sentence.text).endswith((".", "!", "?"))
        if tables.background is not None and tables.background.search(sentence.text):
            continue  # "years ago", "год назад": history, not the news
        # the trigger's own words are no cues ("will not attend" is a refusal, not a negated event),
        # nor is the failed deal for the talks that failed to reach it
        plain = _blank(sentence.text, [*trigger_spans.get(index, ()), *([deal] if deal else [])])
        spans, every = dates.of(index), dates.of(index, ends=True)
        for event_type, at in types:
            hidden: list[tuple[int, int]] = []
            unseen: list[tuple[int, int]] = []
            position = at if at >= 0 else -1 - at  # negative: the deal that was made
            if deal is not None and event_type == "AGREE" and at == deal[0]:
                mode = "negated"
            else:
                hidden, unseen = _outside(plain, position, tables)
                if hidden and not unseen and _describes(plain, position, hidden, spans, tables):
                    continue  # "companies, which support the war machine": what they are, no event
                if _habitual(_blank(plain, hidden), position, tables):
                    continue  # "banks still refuse payments": a state of affairs, not an event
                if hidden and not unseen and any(_is_background(x, published) for x in _seen(spans, hidden)):
                    unseen = hidden  # "the hall where the treaty was signed in 1949": history in the clause
                mode = _mode_of(_blank(plain, hidden), every, tables, headline, position)
                if mode == "asserted" and _future_nearest(_seen(spans, unseen), position, published):
                    mode = "planned"  # "the agreement enters into force on 28 May": scheduled, not done
            day, end_day, background, own_date = _event_date(
                dates,
                index,
                position,
                mode,
                published,
                len(sentences),
                unseen,
                event_days.get(index - 1),
                index - 1 not in triggers,
            )
            if day is not None and own_date and mode == "asserted":
                event_days.setdefault(index, day)
            if background:
                continue
            if event_type == "CONSULT" and mode == "asserted" and own_date and day is not None:
                first_day = _first_day(sentence.text, day, tables)  # a meeting is dated by its first day
                if first_day != day:
                    day, end_day = first_day, end_day or day
            key: tuple[str, ...] = (event_type, mode)
            sides = {c for c, _ in own}
            if key in first and len(sides) >= _MIN_SIDES:
                earlier_sides = {c for c, _ in candidates[first[key]][2].actors}
                if not sides <= earlier_sides and day is not None and own_date:
                    # "he held talks with his Russian colleague": another pair, its own day: another event
                    key = (event_type, mode, *sorted(sides))
            if key in first:  # the same event again: it may give the date the first mention lacked
                slot = first[key]
                rank, at, earlier = candidates[slot]
                if day is not None and own_date and not explicit[slot]:
                    candidates[slot] = (rank, at, _dated(earlier, day, end_day, published))
                    explicit[slot] = True
                continue
            event = Event(
                article_id=article_id,
                type=event_type,
                mode=mode,
                date=day.isoformat() if day else None,
                end_date=end_day.isoformat() if end_day else None,
                upcoming=bool(day and published and day > published),
                actors=actors,
                location=_location(mentions, sentence.start, sentence.end),
                evidence=sentence.text,
            )
            first[key] = len(candidates)
            explicit[len(candidates)] = own_date
            rank = _rank(event, index, len({c for c, _ in own}), "CN" in fallback, own_date)
            candidates.append((rank, index, event))
    ranked = sorted(candidates, key=lambda c: c[0], reverse=True)
    kept = ranked[:1] + [c for c in ranked[1:_MAX_EVENTS] if c[0][0] >= _MIN_SCORE]
    return tuple(e for _, _, e in sorted(kept, key=lambda c: c[1]))


def _dated(event: Event, day: date, end_day: date | None, published: date | None) -> Event:
    return Event(
        article_id=event.article_id,
        type=event.type,
        mode=event.mode,
        date=day.isoformat(),
        end_date=end_day.isoformat() if end_day else None,
        upcoming=bool(published and day > published),
        actors=event.actors,
        location=event.location,
        evidence=event.evidence,
    )
