"""What a reader notices in the sample corpus's draft: country labels, facts sentences, watch, data point."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

from eurasiawatch.analyze.calendar import CalendarDay, CalendarEntry, CalendarSource
from eurasiawatch.analyze.indicators import IndicatorSeries, ReportedFigure
from eurasiawatch.analyze.stories import Story
from eurasiawatch.compose import draft_edition
from eurasiawatch.compose.datapoint import choose_data_point
from eurasiawatch.compose.gather import gather_inputs
from eurasiawatch.compose.select import StoryMaterial, story_country
from eurasiawatch.compose.summarize import fact_sentence, story_facts, trim_quote
from eurasiawatch.records import Annotation, Article, Event, Mention

from .conftest import CLOCK

START, END, SEND = date(2024, 6, 26), date(2024, 7, 9), date(2024, 7, 10)


def _draft(sample_db):
    db, settings = sample_db
    inputs = gather_inputs(db, settings, CLOCK, start=START, end=END)
    return draft_edition(
        inputs.materials,
        send_date=SEND,
        window_start=START,
        window_end=END,
        calendar=inputs.calendar,
        rising=inputs.rising,
        data_point=inputs.data_point,
    )


def test_supercontinent_items_are_labelled_with_the_country_they_are_about(sample_db) -> None:
    items = {b.title: b for b in _draft(sample_db).blocks if b.section == "supercontinent"}
    # the Dushanbe talks were labelled "Kazakhstan" and Russian car sales "Armenia" / "Japan"
    tajikistan = items["Tajikistan"]
    assert "Emomali Rahmon" in tajikistan.text
    assert any("Dushanbe" in (c.title or "") for c in tajikistan.citations)
    assert not {"Armenia", "Japan", "Czechia", "Cape Verde"} & set(items)
    assert len(items) == len([b for b in _draft(sample_db).blocks if b.section == "supercontinent"])


def _material(text: str, title: str, mentions: list[tuple[str, int]]) -> StoryMaterial:
    article = Article(
        article_id="a1",
        url="https://x.invalid/1",
        canonical_url="https://x.invalid/1",
        title=title,
        text=text,
        language="en",
        published=datetime(2024, 7, 1, tzinfo=UTC),
    )
    notes = Annotation(
        article_id="a1",
        language="en",
        china_related=True,
        mentions=tuple(
            Mention(article_id="a1", kind="country", key=k, name=k, start=s, end=s + 3) for k, s in mentions
        ),
    )
    story = Story(
        story_id="s1",
        title=title,
        first_day=None,
        last_day=None,
        article_ids=("a1",),
        countries=("CN", "CZ", "TJ"),
    )
    return StoryMaterial(story=story, score=1.0, articles=(article,), annotations=(notes,))


def test_a_dateline_city_does_not_make_the_story_about_the_outlets_home() -> None:
    title = "Xi in Dushanbe"
    text = "PRAGUE — Xi Jinping met the Tajik president in Dushanbe."
    body = len(title) + 2
    # Prague (CZ) in the dateline, twice to outweigh; Tajikistan once in the body after the lead
    m = _material(text, title, [("CZ", body), ("CZ", body + 1), ("TJ", body + 500)])
    assert story_country(m) == "TJ"
    # a mention in the headline weighs more than one in the body
    m = _material("Talks were held. " * 40, title, [("CZ", body + 600), ("CZ", body + 650), ("TJ", 3)])
    assert story_country(m) == "TJ"


def _event(type_: str, actors, *, day: str | None = "2024-07-01", upcoming: bool = False) -> Event:
    return Event(article_id="a1", type=type_, date=day, actors=tuple(actors), upcoming=upcoming)


def _notes(*entities: tuple[str, str]) -> Annotation:
    mentions = [
        Mention(article_id="a1", kind="country", key=k, name=n)
        for k, n in (("HU", "Hungary"), ("CN", "China"), ("BY", "Belarus"), ("RU", "Russia"))
    ]
    mentions += [Mention(article_id="a1", kind="entity", key=n, name=n, entity_type=t) for n, t in entities]
    return Annotation(article_id="a1", language="sr", china_related=True, mentions=tuple(mentions))


def test_facts_sentences_are_grammatical_and_only_about_real_actors() -> None:
    notes = _notes(
        ("Moskvich", "product"),
        ("Viktor Orbán", "person"),
        ("Xi Jinping", "person"),
        ("Xinhua News Agency", "media"),
    )
    # a car brand threatening a prime minister: not stated
    assert fact_sentence(_event("THREATEN", [("RU", "Moskvich"), ("HU", "Viktor Orbán")]), notes) is None
    # the reporting agency is not an actor
    talks = [("CN", "Xinhua News Agency"), ("CN", "Xi Jinping"), ("HU", "Viktor Orbán")]
    assert (
        fact_sentence(_event("CONSULT", talks), notes)
        == "On 1 July 2024, Xi Jinping and Viktor Orbán held talks"
    )
    assert (
        fact_sentence(_event("SANCTION", [("HU", "Viktor Orbán"), ("CN", None)]), notes)
        == "On 1 July 2024, Viktor Orbán imposed sanctions on China"
    )
    upcoming = _event(
        "AGREE", [("HU", "Viktor Orbán"), ("CN", "Xi Jinping")], day="2024-07-20", upcoming=True
    )
    assert (
        fact_sentence(upcoming, notes)
        == "Viktor Orbán and Xi Jinping are due to reach an agreement on 20 July 2024"
    )
    # countries alone, a type without a wording, three sides: quoted instead
    assert fact_sentence(_event("ASSAULT", [("BY", None), ("RU", None)]), notes) is None
    assert fact_sentence(_event("CONCEDE", [("HU", "Viktor Orbán"), ("CN", None)]), notes) is None
    three = [("HU", "Viktor Orbán"), ("CN", "Xi Jinping"), ("RU", None)]
    assert fact_sentence(_event("CONSULT", three), notes) is None


def test_the_draft_writes_no_label_style_facts_and_quotes_with_language_and_outlet(sample_db) -> None:
    edition = _draft(sample_db)
    own = [
        p
        for b in edition.blocks
        if b.section in ("lead", "more", "supercontinent")
        for p in b.text.split("\n\n")
        if p and not p.startswith(">")
    ]
    # "Moskvich and Viktor Orbán: threat, 1 July 2024" was the old form
    assert not [p for p in own if re.search(r"\w: [a-z ]+, \d{1,2} [A-Z]", p)]
    assert "Moskvich" not in "\n".join(own)
    facts = [p for p in own if p.startswith("On ")]
    assert facts and all(re.match(r"On \d{1,2} [A-Z][a-z]+ \d{4}, .+ [a-z]+ ", p) for p in facts)
    # a story with no English article and no statable event: whose words follow, in which language
    fallback = [p for p in own if p.startswith("In the original language")]
    # (the sample's items all have a stated event or an English article now; the form stays checked)
    assert all(re.match(r"In the original language \[\d+\]:$", p) for p in fallback)


def _entry(day: str, type_: str, actors, n_sources: int) -> CalendarEntry:
    sources = tuple(
        CalendarSource(
            article_id=f"{type_}{i}",
            title="t",
            url=f"https://x.invalid/{type_}{i}",
            outlet="Outlet",
            language="en",
            published=datetime(2024, 7, 1, tzinfo=UTC),
            evidence="",
        )
        for i in range(n_sources)
    )
    return CalendarEntry(
        date=day,
        end_date=None,
        type=type_,
        mode="planned",
        actors=tuple(actors),
        location=None,
        sources=sources,
    )


def test_one_thing_to_watch_prefers_an_upcoming_event_whose_actors_are_rising() -> None:
    calendar = (
        CalendarDay(
            date="2024-07-12", entries=(_entry("2024-07-12", "CONSULT", [("DE", None), ("CN", None)], 3),)
        ),
        CalendarDay(
            date="2024-07-20",
            entries=(_entry("2024-07-20", "MOBILIZE", [("BY", "Alexander Lukashenko"), ("CN", None)], 1),),
        ),
    )
    edition = draft_edition(
        (_material("Talks in Minsk were held on Monday with Chinese officers.", "Minsk", []),),
        send_date=SEND,
        window_start=START,
        window_end=END,
        calendar=calendar,
        rising=("CN", "Alexander Lukashenko", "BY"),
    )
    watch = next(b for b in edition.blocks if b.kind == "one_thing_to_watch")
    assert watch.title == "Coming up on 20 July 2024"
    assert watch.text.startswith("Due on 20 July 2024: military exercises involving Alexander Lukashenko")
    assert "Alexander Lukashenko is in more of this fortnight's reporting" in watch.text
    # nothing rising: the most reported event
    plain = draft_edition(
        (_material("Talks in Minsk were held on Monday with Chinese officers.", "Minsk", []),),
        send_date=SEND,
        window_start=START,
        window_end=END,
        calendar=calendar,
    )
    assert (
        next(b for b in plain.blocks if b.kind == "one_thing_to_watch").title == "Coming up on 12 July 2024"
    )


def test_with_no_upcoming_event_the_watch_is_the_strongest_rising_country(sample_db) -> None:
    db, settings = sample_db
    inputs = gather_inputs(db, settings, CLOCK, start=START, end=END)
    assert "Kassym-Jomart Tokayev" in inputs.rising and "BY" in inputs.rising
    edition = draft_edition(
        inputs.materials, send_date=SEND, window_start=START, window_end=END, rising=inputs.rising
    )
    watch = next(b for b in edition.blocks if b.kind == "one_thing_to_watch")
    assert watch.title == "Watch Belarus" and watch.citations
    # the sample draft's own watch names its rising actor
    sample = next(b for b in _draft(sample_db).blocks if b.kind == "one_thing_to_watch")
    # (from the calendar's event when one is upcoming, else the rising country itself)
    assert re.search(r"^[A-Z][\w' -]+ (is|are) in more of this fortnight's reporting", sample.text, re.M)


def _series(points, *, reporter: str = "China", partner: str = "Kazakhstan") -> IndicatorSeries:
    return IndicatorSeries(
        id=1,
        dataset="test",
        reporter=reporter,
        partner=partner,
        measure="exports of machinery",
        hs_code="",
        unit="USD million",
        source="Test customs office",
        synthetic=False,
        points=tuple(points),
    )


def _figure(
    row: int, subject: str, measure: str, value: str | None, period: str, source: str
) -> ReportedFigure:
    return ReportedFigure(
        dataset="test",
        row=row,
        subject=subject,
        period=period,
        measure=measure,
        value=value,
        qualifier=None,
        unit="percent",
        source=source,
    )


def test_the_data_point_is_a_notable_indicator_change_with_its_sentence_and_source() -> None:
    months = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 9)]
    rising = _series([(p, 100.0 if p < "2024" else 160.0) for p in months])
    flat = _series([(p, 100.0) for p in months], partner="Hungary")
    point = choose_data_point(
        series=(flat, rising), countries={"Kazakhstan": 1.0}, window_end=date(2024, 7, 9)
    )
    assert point is not None and point.source == "Test customs office"
    # measured up to the window's end (August 2024 is not known on 9 July) and quoted as analyze writes it
    assert point.text.startswith("Exports of machinery (China → Kazakhstan) was up 60% in January–July 2024")
    # no notable change: no series point
    assert choose_data_point(series=(flat,), countries={"Hungary": 3.0}, window_end=date(2024, 7, 9)) is None


def test_else_a_reported_figure_about_the_editions_countries_and_themes_with_a_standalone_source() -> None:
    figures = (
        _figure(
            1, "China → Russia", "share of Russia's imports of military goods", "41", "2021", "KSE study"
        ),
        _figure(
            2, "China → Russia", "share of Russia's imports of military goods", "76", "2023", "same KSE study"
        ),
        _figure(3, "Hungary", "cameras at police headquarters", None, "2024", "RFE/RL"),
        _figure(4, "Serbia", "share of camera contracts", "42", "2023", "RFE/RL Balkan Service"),
        _figure(5, "Serbia", "share of cameras", "50", "2025", "from the future"),
        _figure(6, "China → Russia", "share of car sales", "55", "2024", "car dealers"),
    )
    pick = choose_data_point(
        figures=figures, countries={"Hungary": 3.0, "Russia": 2.0}, themes=("security",), window_end=END
    )
    assert pick is not None and "76 percent" in pick.text and pick.source == "KSE study"
    # a figure with no number, or dated after the window, is never the data point
    only = choose_data_point(figures=figures, countries={"Serbia": 1.0, "Hungary": 3.0}, window_end=END)
    assert only is not None and "42 percent" in only.text
    assert choose_data_point(figures=figures, countries={"Mongolia": 1.0}, window_end=END) is None


def test_the_sample_drafts_data_point_fits_its_stories(sample_db) -> None:
    data = next(b for b in _draft(sample_db).blocks if b.kind == "data_point")
    assert "Russia" in data.title and "Source: same" not in data.text
    assert "http" in data.text.split("Source:", 1)[1]


def _doc(title: str, text: str, sides: list[tuple[str, str, str | None]]) -> tuple[Article, Annotation]:
    """An article and its annotation; ``sides`` are (kind, key or name, entity type) found in the text."""
    doc = f"{title}\n\n{text}"
    mentions = []
    for kind, key, etype in sides:
        word = {"UA": "Ukraine", "RU": "Russia", "US": "US", "CN": "China", "HU": "Hungary"}.get(key, key)
        at = doc.find(word)
        assert at >= 0, word
        mentions.append(
            Mention(
                article_id="a1",
                kind=kind,
                key=key,
                name=word,
                start=at,
                end=at + len(word),
                entity_type=etype,
            )
        )
    article = Article(
        article_id="a1",
        url="https://x.invalid/1",
        canonical_url="https://x.invalid/1",
        title=title,
        text=text,
    )
    return article, Annotation(article_id="a1", language="en", china_related=True, mentions=tuple(mentions))


def _twice(article: Article, notes: Annotation, event: Event) -> tuple[list[Article], list[Annotation]]:
    """The same article and event under a second id: two outlets reporting it."""
    other = replace(article, article_id="a2")
    notes2 = replace(notes, article_id="a2", events=(replace(event, article_id="a2"),))
    return [article, other], [replace(notes, events=(event,)), notes2]


def test_facts_are_stated_only_when_confident_and_planned_ones_as_plans() -> None:
    title = "Talks in Beijing"
    text = "Viktor Orbán held talks with Xi Jinping in Beijing. Joe Biden will speak tonight."
    article, notes = _doc(
        title,
        text,
        [
            ("entity", "Viktor Orbán", "person"),
            ("entity", "Xi Jinping", "person"),
            ("entity", "Joe Biden", "person"),
        ],
    )
    talks = Event(
        article_id="a1",
        type="CONSULT",
        date="2024-07-08",
        actors=(("HU", "Viktor Orbán"), ("CN", "Xi Jinping")),
        evidence="Viktor Orbán held talks with Xi Jinping in Beijing.",
    )
    # one outlet is not enough; two are, every article cited
    assert story_facts([article], [replace(notes, events=(talks,))]) == []
    facts = story_facts(*_twice(article, notes, talks))
    assert [(f.text, f.article_ids) for f in facts] == [
        ("On 8 July 2024, Viktor Orbán and Xi Jinping held talks", ("a1", "a2"))
    ]
    # a side its own sentence does not name (the annotator took it from elsewhere): not stated
    biden = replace(
        talks, type="AGREE", actors=(("US", "Joe Biden"), ("CN", "Xi Jinping")), evidence=text[52:]
    )
    assert story_facts(*_twice(article, notes, biden)) == []
    # planned: a plan, due on a day (past or future) or without one; hypothetical: may
    plan = replace(talks, mode="planned", upcoming=True)
    assert fact_sentence(plan, notes, today=date(2024, 7, 10)) == (
        "Viktor Orbán and Xi Jinping were due to hold talks on 8 July 2024"
    )
    assert fact_sentence(plan, notes, today=date(2024, 7, 1)) == (
        "Viktor Orbán and Xi Jinping are due to hold talks on 8 July 2024"
    )
    assert fact_sentence(replace(plan, date=None), notes) == "Viktor Orbán and Xi Jinping plan to hold talks"
    assert (
        fact_sentence(replace(talks, mode="hypothetical"), notes)
        == "Viktor Orbán and Xi Jinping may hold talks"
    )
    assert fact_sentence(replace(talks, mode="negated"), notes) is None


def test_a_directed_fact_needs_the_doer_first_in_its_sentence() -> None:
    text = "A Russian missile struck Okhmatdyt, Ukraine's largest children's hospital, on Monday."
    article, notes = _doc(
        "Strike on Kyiv", text, [("country", "RU", None), ("entity", "Okhmatdyt", "organisation")]
    )
    backwards = Event(
        article_id="a1",
        type="ASSAULT",
        date="2024-07-08",
        actors=(("UA", "Okhmatdyt"), ("RU", None)),
        evidence=text,
    )
    # "Okhmatdyt used force against Russia" was drafted from this; the right way round, it is stated
    assert story_facts(*_twice(article, notes, backwards)) == []
    forwards = replace(backwards, actors=(("RU", None), ("UA", "Okhmatdyt")))
    assert [f.text for f in story_facts(*_twice(article, notes, forwards))] == [
        "On 8 July 2024, Russia used force against Okhmatdyt"
    ]


def test_quotes_are_trimmed_to_their_informative_clause_word_for_word() -> None:
    assert trim_quote("KYIV — A Russian missile struck the hospital on Monday.") == (
        "A Russian missile struck the hospital on Monday."
    )
    assert trim_quote("BEIJING, July 8 (Xinhua) -- Xi met Orbán.") == "Xi met Orbán."
    long = (
        "Belarus became the tenth full member of the Shanghai Cooperation Organisation on Thursday at a "
        "summit in Astana attended by Xi Jinping and Vladimir Putin, extending a bloc that Moscow and "
        "Beijing present as an alternative to Western-led institutions."
    )
    short = trim_quote(long)
    assert short.endswith("Vladimir Putin…") and short[:-1] in long
    # the clause after the break holds a figure: the sentence stays whole
    figures = long.replace("Western-led institutions", "the 32 members of NATO")
    assert trim_quote(figures) == figures


def test_supercontinent_items_come_from_the_region_and_a_regional_story_is_labelled_with_its_region(
    sample_db,
) -> None:
    edition = _draft(sample_db)
    titles = [b.title for b in edition.blocks if b.section == "supercontinent"]
    assert "United States" not in titles  # a Russian-language report of the NATO summit was an item
    # "Xi's Central Asian week" was labelled "Russia" (a Moscow paper's headline names Moscow)
    regional = next(b for b in edition.blocks if b.title == "Central Asia")
    assert any("Central Asia" in (c.title or "") for c in regional.citations)
    own = [
        p
        for b in edition.blocks
        if b.section in ("lead", "more", "supercontinent")
        for p in b.text.split("\n\n")
        if p and not p.startswith(">")
    ]
    # no fact sentence from a misread event ("Okhmatdyt used force against Russia", "Joe Biden and
    # China reached an agreement"); the lead opens with the talks in the drafter's own words
    assert not [p for p in own if "Okhmatdyt used" in p or "Joe Biden and China" in p]
    lead = next(b for b in edition.blocks if b.block_id == "lead")
    assert lead.text.startswith("On 8 July 2024, Viktor Orbán and Xi Jinping held talks [1][2][3].")
    # the data point was published by the window's end
    data = next(b for b in edition.blocks if b.kind == "data_point")
    assert "Nov 2024" not in data.text
    # why the lead matters now, in our words: its rising people, not China's own leader
    why = next(b for b in edition.blocks if b.kind == "why_it_matters").text.split("\n\n")[0]
    assert re.fullmatch(
        r"[A-Z][^\[]+ are in more of this fortnight's reporting than in the weeks before (\[\d\])+\.", why
    )
    assert "Viktor Orbán" in why and "Xi Jinping" not in why
    # nobody is said to be rising twice (One Thing To Watch included)
    subjects = [
        p.split(" is in more")[0].split(" are in more")[0]
        for b in edition.blocks
        for p in b.text.split("\n\n")
        if "in more of this fortnight's reporting" in p
    ]
    names = [n for s in subjects for n in s.split(" and ")]
    assert len(names) == len(set(names)) >= 3


def test_an_upcoming_event_known_only_from_one_headline_is_not_watched() -> None:
    headline = "В Вашингтоне открывается юбилейный саммит НАТО"
    entry = _entry("2024-07-16", "CONSULT", [("US", None), ("CN", None)], 1)
    source = replace(entry.sources[0], title=headline, evidence=headline)
    calendar = (CalendarDay(date="2024-07-16", entries=(replace(entry, sources=(source,)),)),)
    material = _material("Talks in Minsk were held on Monday with Chinese officers.", "Minsk", [("US", 0)])
    notes = material.annotations[0]
    us = replace(notes.mentions[0], name="United States")
    material = replace(material, annotations=(replace(notes, mentions=(us,)),))
    edition = draft_edition(
        (material,), send_date=SEND, window_start=START, window_end=END, calendar=calendar, rising=("US",)
    )
    assert not [b for b in edition.blocks if b.kind == "one_thing_to_watch" and "16 July" in (b.title or "")]
    # a sentence of the body, or a second source, makes it one
    body = replace(source, evidence="Саммит НАТО откроется 16 июля.")
    calendar = (CalendarDay(date="2024-07-16", entries=(replace(entry, sources=(body,)),)),)
    edition = draft_edition(
        (material,), send_date=SEND, window_start=START, window_end=END, calendar=calendar, rising=("US",)
    )
    watch = next(b for b in edition.blocks if b.kind == "one_thing_to_watch")
    assert watch.text.startswith("Due on 16 July 2024: talks involving the United States [1].")
    assert "The United States is in more of this fortnight's reporting" in watch.text
