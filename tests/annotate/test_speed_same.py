"""Shortcuts taken for speed give exactly what the plain computation gives."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest

from eurasiawatch.annotate import annotate_text, countries, dates, events, load_gazetteer, load_kb, normalize
from eurasiawatch.annotate.countries import ArticleContext
from eurasiawatch.annotate.lexicons import load_lexicon
from eurasiawatch.annotate.normalize import prepare_text, tokenize

_GOLD = Path(__file__).parents[1] / "eval" / "gold.jsonl"

# sentences of several languages, with terms of several words ("a semnat", "held talks") and near misses
MIXED = [
    "Am Dienstag hat Außenministerin Baerbock in Peking Gespräche mit Wang Yi geführt, "
    "a semnat nimic, und die Regierung in Berlin kündigte neue Sanktionen gegen Russland an.",
    "România a semnat un acord cu China; ministrul a declarat că s-a întâlnit cu omologul său la Beijing.",
    "Russia and Belarus held talks on Tuesday and signed a memorandum; China called on both to de-escalate.",
    "Президент Казахстана провёл переговоры с Си Цзиньпином и подписал соглашение о сотрудничестве.",
    "Україна та Польща підписали угоду, а Китай закликав до переговорів у Києві та Варшаві.",
    "Magyarország és Kína megállapodást írt alá Budapesten; a miniszter tárgyalt a kínai féllel.",
    "A at a a s s o o in in de de z z w w v v on on is se au na la",
]


def _plain_hits(text: str, tables) -> list:
    """``events._hits`` without the per-head gate: every longer term checked on its own."""
    out = []
    lowered = events._lower(text)
    for last, (_gate, candidates) in tables.triggers.iter(lowered):
        begin = last - len(candidates[0].head) + 1
        if begin > 0 and events._WORD_CHAR.match(text, begin - 1):
            continue
        word_end = last + 1 < len(text) and events._WORD_CHAR.match(text, last + 1) is not None
        for trigger in candidates:
            if trigger.check is not None:
                match = trigger.check.match(text, begin)
                if match is not None:
                    out.append((begin, match.end(), trigger))
            elif trigger.stem or not word_end:
                out.append((begin, last + 1, trigger))
    return out


@pytest.mark.parametrize("lang", ["*", "en", "ru", "uk", "ro", "hu", "de"])
def test_trigger_gates_find_what_each_term_finds(lang):
    tables = events._tables(events._lang(lang))
    text = " ".join(MIXED)
    got = events._hits(text, tables)
    assert got == _plain_hits(text, tables)
    if lang in ("*", "en"):
        assert any(t.check is not None for _b, _e, t in got)  # terms of several words were checked


def test_all_language_table_gates_its_busiest_heads():
    gates = {head: gate for head, (gate, _found) in events._tables("*").triggers.items()}
    assert gates["a"] is not None  # "a" starts many Romanian/Hungarian terms of several words


def test_a_city_named_again_resolves_again():
    """The per-article lookup memory: every occurrence of a city gets its mention, inflected or not."""
    kb, gazetteer = load_kb(), load_gazetteer()
    for language, text, name in [
        ("de", "Treffen in Harbin. Gespräche in Harbin und Almaty. Später wieder in Harbin.", "Harbin"),
        ("ru", "Встреча в Харбине. Затем переговоры в Харбине и в Харбине снова.", "Харбине"),
    ]:
        text = prepare_text(text)
        tokens = tokenize(text)
        ctx = ArticleContext.build(tokens, language, [])
        found = countries._cities(ctx, kb, [False] * len(tokens), gazetteer, "x")
        where = [m.start for m in found if m.key == "CN"]
        assert where == [t.start for t in tokens if t.text == name]
        assert len(where) == 3


def test_long_german_text_annotates_as_its_parts_do():
    """A long German article (all languages' event triggers, every word capitalised a city candidate)
    gets every country and city mention of each of its paragraphs."""
    kb, gazetteer = load_kb(), load_gazetteer()
    para = (
        "Am Dienstag unterzeichneten China und Kasachstan in Astana ein Abkommen über Gaslieferungen. "
        "Die Bundesregierung in Berlin äußerte sich nicht, Gespräche in Harbin folgen."
    )
    one = annotate_text(para, language="de", published="2024-06-20", kb=kb, gazetteer=gazetteer)
    many = annotate_text(
        "\n\n".join([para] * 30), language="de", published="2024-06-20", kb=kb, gazetteer=gazetteer
    )
    keys = [m.key for m in one.mentions if m.kind == "country"]
    assert "CN" in keys and "KZ" in keys
    assert [m.key for m in many.mentions if m.kind == "country"] == keys * 30


# the token regex as first written: a group with a lookahead repeated per character (slower, same tokens)
_PLAIN_TOKEN = re.compile(r"[^\W_](?:[\w\u0300-\u036f]|['’ʼ`‘ʻ′](?=[^\W_]))*|[^\s\w]")
# characters where token rules meet: apostrophes, underscores, combining marks, stops, line breaks
_TRICKY = "aZ9_'’ʼ`‘ʻ′\u0301.!?…\n \t-«»жİ½٣"


def _plain_tokens(text: str) -> list[tuple]:
    """Tokens read match by match: surface, compare form, offsets, sentence start, word."""
    out, initial, last = [], True, 0
    for m in _PLAIN_TOKEN.finditer(text):
        if "\n" in text[last : m.start()]:
            initial = True
        word = m.group()[0].isalnum()
        out.append((m.group(), normalize.fold(m.group()), m.start(), m.end(), initial and word, word))
        if m.group() in ".!?…":
            initial = True
        elif word:
            initial = False
        last = m.end()
    return out


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Xi'an, O'zbekiston; «Пекин» — İstanbul.\n\nnew paragraph _under_score_ c\u0301 ½ 2024-06-20!",
        "end. Next\r\nline … and ?! again",
        " ".join(MIXED),
    ],
)
def test_tokens_split_at_once_are_the_tokens_read_one_by_one(text):
    text = prepare_text(text)
    assert [tuple(t) for t in tokenize(text)] == _plain_tokens(text)


def test_tokens_of_random_texts_are_the_tokens_read_one_by_one():
    """Random strings of the characters where the token rules meet (apostrophe before or after an
    underscore, a stop before a line break, …): the faster regex and the mapped offsets and sentence
    starts give the tokens the first regex read one by one gives."""
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(_TRICKY) for _ in range(rng.randint(1, 30)))
        assert [tuple(t) for t in tokenize(text)] == _plain_tokens(text), repr(text)


def test_tokens_of_gold_texts_are_the_tokens_read_one_by_one():
    cases = [json.loads(line) for line in _GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) > 50
    for case in cases:
        text = prepare_text(str(case.get("title") or "") + "\n" + str(case["text"]))
        assert [tuple(t) for t in tokenize(text)] == _plain_tokens(text), case.get("id")


def test_word_characters_are_the_alphanumerics_and_the_joiners():
    """``events._hits`` tests a character with string methods instead of ``_WORD_CHAR``."""
    differ = [
        i
        for i in range(sys.maxunicode + 1)
        if (events._WORD_CHAR.match(chr(i)) is not None) != (chr(i).isalnum() or chr(i) in events._JOINERS)
    ]
    assert differ == []


def _plain_key_windows(text: str, keys: set[str], margin: int) -> list[tuple[int, int]]:
    """Windows around every occurrence of every key, found by ``str.find`` one key at a time."""
    lowered, found = text.lower(), []
    for key in keys:
        at = lowered.find(key)
        while at >= 0:
            found.append((max(0, at - margin), min(len(text), at + len(key) + margin)))
            at = lowered.find(key, at + 1)
    return dates._merge(found, text)


def test_one_pass_for_month_and_relative_words_finds_each_kinds_windows():
    """Month words and weekday/relative words share one automaton; each kind's windows are those of
    its own words (a word of both kinds, such as a key of both tables, opens both)."""
    lex = load_lexicon("dates")
    months = {dates._key(t.lower()) for terms in lex["months"].values() for t in terms}
    tables = [terms for terms in lex["weekdays"].values()]
    tables += [terms for table in lex["relative"].values() for terms in table.values()]
    relative = {dates._key(t) for terms in tables for t in terms}
    cases = [json.loads(line) for line in _GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [str(c["text"]) for c in cases] + MIXED
    texts.append("Вчера, 16-17 мая, в среду и в пятницу; yesterday, on Tuesday, May 20 and next week; 6-iyun")
    opened = 0
    for text in texts:
        where = dates._Where.of(text)
        assert where.months == _plain_key_windows(text, months, dates._MONTH_MARGIN), text[:60]
        assert where.relative == _plain_key_windows(text, relative, dates._RELATIVE_MARGIN), text[:60]
        opened += bool(where.months) + bool(where.relative)
    assert opened > len(texts) // 2
