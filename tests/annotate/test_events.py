"""PLOVER events: type, actors from mentions, dates against publication, modes."""

from __future__ import annotations

import pickle
import re
from datetime import date

from eurasiawatch.annotate.events import detect_mode, extract_events
from eurasiawatch.records import Mention

_NAMES = {"China": "CN", "Kazakhstan": "KZ", "Russia": "RU", "Китай": "CN", "Россия": "RU", "Srbija": "RS",
          "Kina": "CN", "Китаю": "CN", "России": "RU", "Kínával": "CN", "Magyarország": "HU"}  # fmt: skip


def _mentions(text: str) -> tuple[Mention, ...]:
    out = []
    for name, code in _NAMES.items():
        for m in re.finditer(re.escape(name), text):
            out.append(
                Mention(article_id="a", kind="country", key=code, name=name, start=m.start(), end=m.end())
            )
    return tuple(out)


def _events(text: str, language: str, published: date = date(2024, 5, 22)):  # type: ignore[no-untyped-def]
    return extract_events(text, language, published, _mentions(text))


def test_agree_with_actors_and_range_date() -> None:
    (event,) = [
        e for e in _events("China and Kazakhstan signed a deal on May 16-17.", "en") if e.type == "AGREE"
    ]
    assert {c for c, _ in event.actors} == {"CN", "KZ"}
    assert (event.date, event.end_date, event.mode, event.upcoming) == (
        "2024-05-16",
        "2024-05-17",
        "asserted",
        False,
    )
    assert event.evidence.startswith("China and Kazakhstan")


def test_modes() -> None:
    assert detect_mode("Talks ended without a deal.", "en") == "negated"
    assert detect_mode("Moscow denied the report.", "en") == "negated"
    assert detect_mode("They may sign an agreement.", "en") == "hypothetical"
    assert detect_mode("China plans to build a plant.", "en") == "planned"
    assert detect_mode("Президент посетит Пекин.", "ru") == "planned"
    assert detect_mode("Переговоры завершились без договорённости.", "ru") == "negated"
    assert detect_mode("Стороны могут подписать соглашение.", "ru") == "hypothetical"
    assert detect_mode("Kína és Magyarország tervezi a megállapodást.", "hu") == "planned"


def test_promised_deal_is_not_signed() -> None:
    events = _events("China will sign a deal with Kazakhstan on June 5.", "en")
    agree = [e for e in events if e.type == "AGREE"]
    assert agree and all(e.mode == "planned" for e in agree)
    assert agree[0].upcoming and agree[0].date == "2024-06-05"


def test_russian_weekday_and_fallback_actors() -> None:
    text = "Китай и Россия укрепляют связи. В среду министры провели переговоры в Пекине."
    consult = [e for e in _events(text, "ru") if e.type == "CONSULT"]
    assert consult and consult[0].date == "2024-05-22"
    assert {c for c, _ in consult[0].actors} == {"CN", "RU"}  # the article's main countries


def test_serbian_and_entities() -> None:
    text = "Srbija i Kina su u sredu potpisale sporazum."
    mentions = (
        *_mentions(text),
        Mention(article_id="a", kind="entity", key="x", name="Huawei", start=0, end=1),
    )
    events = extract_events(text, "sr", date(2024, 5, 24), mentions)
    agree = [e for e in events if e.type == "AGREE"]
    assert agree and agree[0].date == "2024-05-22" and {c for c, _ in agree[0].actors} == {"RS", "CN"}


def test_no_trigger_no_event_and_picklable() -> None:
    assert _events("The weather in China was fine.", "en") == ()
    assert pickle.loads(pickle.dumps(extract_events)) is extract_events
