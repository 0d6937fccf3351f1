"""Draft an edition: the newsletter's structure filled from the window's stories, every sentence cited.

:func:`draft_edition` is pure: it takes the ranked stories (with their articles and annotations),
the upcoming events, the rising trends and an optional data point, and returns an
:class:`~eurasiawatch.records.Edition` in the briefing's order (see ``records.Block``). Sentences
taken from articles are attributed quotes (``> text [n]``) flagged ``verbatim`` for the editor to
rewrite; sentences the drafter writes itself (who reported, structured facts of stories without an
article in the edition's language) state only names, numbers and dates found in the cited articles.

:func:`merge_redraft` keeps the blocks an editor touched when a window is drafted again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ..analyze.calendar import CalendarDay, CalendarEntry
from ..records import Annotation, Article, Block, Chart, Citation, Edition
from .citations import citation_of, format_day
from .select import SUBREGION_NAMES, Selection, StoryMaterial, select_stories, story_country
from .summarize import Extract, select_sentences, story_facts, trim_quote

__all__ = ["ComposeOptions", "DataPoint", "draft_edition", "edition_slug", "merge_redraft"]

KEY_FACT_KINDS = ("what_it_means", "the_details", "what_you_need_to_know")
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "kk": "Kazakh",
    "uz": "Uzbek",
    "ky": "Kyrgyz",
    "tg": "Tajik",
    "tk": "Turkmen",
    "mn": "Mongolian",
    "ka": "Georgian",
    "hy": "Armenian",
    "az": "Azerbaijani",
    "sr": "Serbian",
    "hu": "Hungarian",
    "pl": "Polish",
    "cs": "Czech",
    "sk": "Slovak",
    "ro": "Romanian",
    "bg": "Bulgarian",
    "zh": "Chinese",
    "de": "German",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "et": "Estonian",
    "tr": "Turkish",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeOptions:
    """The edition's fixed wording and voice; every field has a default."""

    language: str = "en"
    newsletter: str = "China In Eurasia"
    greeting: str = "Hello, and welcome to this edition of China In Eurasia."
    signoff: str = "Until next time,\n\nThe China In Eurasia desk"
    bio: str = (
        "China In Eurasia is written by a correspondent who covers China's reach from Central Europe "
        "to Central Asia."
    )
    about: str = (
        "China In Eurasia is a biweekly briefing built from local reporting in the region's languages. "
        "Every statement links the reporting it rests on."
    )
    subscribe: str = "Forwarded this? Subscribing is free; every edition is also in the archive."
    russia_notice: str = (
        "Readers in Russia: if our site is blocked where you are, every edition is also published as a "
        "static archive that can be mirrored anywhere, and this email is complete on its own."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DataPoint:
    """A figure for the data section: an indicator's change or a reported figure, with its source."""

    title: str
    text: str
    source: str
    chart: Chart | None = None


class _Cites:
    """Citations of one block, numbered in order of first use."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def mark(self, *articles: Article | Citation) -> str:
        out = []
        for a in articles:
            c = a if isinstance(a, Citation) else citation_of(a)
            ids = [x.article_id for x in self.items]
            if c.article_id not in ids:
                self.items.append(c)
                ids.append(c.article_id)
            out.append(f"[{ids.index(c.article_id) + 1}]")
        return "".join(out)


def _block(
    block_id: str,
    section: str,
    kind: str,
    paras: Sequence[str],
    cites: _Cites | None = None,
    *,
    title: str | None = None,
    flags: Sequence[str] = (),
) -> Block:
    text = "\n\n".join(p for p in paras if p)
    all_flags = list(flags)
    if any(p.startswith(">") for p in paras if p) and "verbatim" not in all_flags:
        all_flags.append("verbatim")
    return Block(
        block_id=block_id,
        section=section,
        kind=kind,
        title=title,
        text=text,
        citations=tuple(cites.items) if cites else (),
        flags=tuple(all_flags),
    )


def _quote(extract: Extract, by_id: Mapping[str, Article], cites: _Cites) -> str:
    return f"> {trim_quote(extract.text)} {cites.mark(by_id[extract.article_id])}"


_DAY_PREFIX = re.compile(r"^On \d{1,2} [A-Z][a-z]+ \d{4}, ")


@dataclass(slots=True)
class _Draft:
    """What the edition has said so far: sentences quoted and facts stated (neither is said twice)."""

    language: str
    today: date
    used: list[str]
    stated: set[str]
    rising: Mapping[str, int] = field(default_factory=dict)  # see _rising_rank
    names: Mapping[str, str] = field(default_factory=dict)  # country code → name
    trending: set[str] = field(default_factory=set)  # who a rising sentence has named already


# Who a story's rising sentence may name: people first, then countries (China is in every story).
_TRENDING_KINDS = ("person",)


def _trend_paragraph(m: StoryMaterial, cites: _Cites, state: _Draft) -> list[str]:
    """Why a story matters now, in our words: its people or countries whose coverage is rising.

    "Viktor Orbán and Hungary are in more of this fortnight's reporting than in the weeks before
    [1]." — up to two, people (named in two of the story's articles, China's own left out) before
    the country the story is about, strongest first, each named once in the edition; the citation
    is an article of the story whose annotation names them.
    """
    found: dict[str, tuple[int, int, str]] = {}  # name → (kind order, rank, article id)
    country = story_country(m)
    # a person counts when several of the story's articles name them (not a passing mention), and
    # not China's own leaders: they are in every story, as China is
    articles_naming: dict[str, set[str]] = {}
    for n in m.annotations:
        for mention in n.mentions:
            if (
                mention.kind == "entity"
                and mention.entity_type in _TRENDING_KINDS
                and mention.country != "CN"
            ):
                articles_naming.setdefault(mention.name, set()).add(n.article_id)
    enough = min(2, len(m.articles))
    for n in m.annotations:
        for mention in n.mentions:
            if mention.kind == "country" and mention.key == country and country in state.rising:
                name = state.names.get(country, mention.name)
                order = (1, state.rising[country])
            elif (
                mention.kind == "entity"
                and mention.name in state.rising
                and len(articles_naming.get(mention.name, ())) >= enough
            ):
                name, order = mention.name, (0, state.rising[mention.name])
            else:
                continue
            if name not in state.trending and (name not in found or order < found[name][:2]):
                found[name] = (*order, n.article_id)
    who = sorted(found, key=lambda k: found[k][:2])[:2]
    if not who:
        return []
    state.trending.update(who)
    by_id = {a.article_id: a for a in m.articles}
    marks = cites.mark(*dict.fromkeys(by_id[found[k][2]] for k in who))
    return [_rising_sentence(who, marks)]


def _facts(m: StoryMaterial, cites: _Cites, state: _Draft, limit: int = 1) -> list[str]:
    """Up to ``limit`` of the story's confident events in the drafter's words, each citing who reports it."""
    by_id = {a.article_id: a for a in m.articles}
    out = []
    for fact in story_facts(m.articles, m.annotations, today=state.today, limit=limit + len(state.stated)):
        if fact.text in state.stated:
            continue
        state.stated.add(fact.text)
        # a quote that only repeats the fact is not chosen after it (the day is the template's)
        state.used.append(_DAY_PREFIX.sub("", fact.text))
        marks = cites.mark(*(by_id[i] for i in fact.article_ids[:3]))
        out.append(f"{fact.text} {marks}.")
        if len(out) >= limit:
            break
    return out


def _outlets_sentence(articles: Sequence[Article], cites: _Cites, language: str) -> str:
    """Who reported a story: a count of outlets and languages, then the citations.

    The outlets are not named in the sentence: every citation marker is rendered with its outlet
    (and language, when not the edition's), so naming them here too would print each name twice.
    """
    seen: dict[str, Article] = {}
    for a in articles:
        if a.outlet and a.outlet not in seen:
            seen[a.outlet] = a
    if not seen:
        return ""
    chosen = list(seen.values())[:4]
    languages = {a.language for a in chosen if a.language}
    marks = "".join(cites.mark(a) for a in chosen)
    # counts in words: the citation check demands that every digit in a sentence be in its sources
    words = {1: "one", 2: "two", 3: "three", 4: "four"}
    outlets = "one outlet" if len(chosen) == 1 else f"{words[len(chosen)]} outlets"
    in_languages = "" if len(languages) < 2 else f" in {words[len(languages)]} languages"
    return f"Reported by {outlets}{in_languages} {marks}."


def _annotations_of(m: StoryMaterial, articles: Sequence[Article]) -> list[Annotation]:
    ids = {a.article_id for a in articles}
    return [n for n in m.annotations if n.article_id in ids]


def _facts_paragraphs(m: StoryMaterial, cites: _Cites, state: _Draft) -> list[str]:
    """A story with no article in the edition's language: structured facts, then a quote in the original."""
    by_id = {a.article_id: a for a in m.articles}
    # the marker is rendered with the outlet and its language: naming them here would repeat them
    paras = _facts(m, cites, state, limit=2)
    first = select_sentences(m.articles, limit=1, exclude=state.used)
    if first:
        state.used.append(first[0].text)
        if not paras:
            # no event the drafter can state: the quote follows, its outlet and language on the marker
            a = by_id[first[0].article_id]
            paras.append(f"In the original language {cites.mark(a)}:")
        paras.append(_quote(first[0], by_id, cites))
    return paras


def _story_paragraphs(
    m: StoryMaterial, cites: _Cites, state: _Draft, limit: int, *, facts: int = 0
) -> list[str]:
    """Up to ``facts`` stated events, then quotes: ``limit`` paragraphs in all, at least one quote.

    The facts are the drafter's own sentences (:func:`~.summarize.story_facts`), the quotes the
    story's best sentences in the edition's language, trimmed to their informative clause.
    """
    local = m.in_language(state.language)
    by_id = {a.article_id: a for a in m.articles}
    if not local:
        return _facts_paragraphs(m, cites, state)
    stated = _facts(m, cites, state, limit=facts) if facts else []
    picks = select_sentences(local, limit=max(1, limit - len(stated)), exclude=state.used)
    state.used.extend(p.text for p in picks)
    return stated + [_quote(p, by_id, cites) for p in picks]


def _title(m: StoryMaterial, language: str) -> str:
    local = [a.title for a in m.in_language(language) if a.title]
    return local[0] if local else (m.story.title or "Untitled story")


def _lead_blocks(m: StoryMaterial, state: _Draft) -> list[Block]:
    by_id = {a.article_id: a for a in m.articles}
    cites = _Cites()
    paras = _story_paragraphs(m, cites, state, 3, facts=1)
    paras.append(_outlets_sentence(m.articles, cites, state.language))
    blocks = [_block("lead", "lead", "lead", paras, cites, title=_title(m, state.language))]
    # Finding Perspective: one voice per outlet, in any language, marked with language and outlet
    cites = _Cites()
    voices = []
    for outlet in dict.fromkeys(a.outlet for a in m.articles):
        mine = [a for a in m.articles if a.outlet == outlet]
        pick = select_sentences(mine, limit=1, exclude=state.used)
        if pick:
            state.used.append(pick[0].text)
            voices.append(_quote(pick[0], by_id, cites))
        if len(voices) >= 3:
            break
    blocks.append(_block("lead-perspective", "lead", "finding_perspective", voices, cites))
    for block_id, kind in (("lead-behind", "behind_the_scenes"), ("lead-why", "why_it_matters")):
        cites = _Cites()
        # Behind The Scenes states the story's next confident event when there is one, with a quote
        paras = _story_paragraphs(m, cites, state, 1, facts=1 if kind == "behind_the_scenes" else 0)
        if kind == "why_it_matters":
            paras = _trend_paragraph(m, cites, state) + paras
        blocks.append(_block(block_id, "lead", kind, paras, cites))
    return blocks


def _more_blocks(n: int, m: StoryMaterial, state: _Draft) -> list[Block]:
    cites = _Cites()
    paras = _story_paragraphs(m, cites, state, 2, facts=1)
    paras.append(_outlets_sentence(m.articles, cites, state.language))
    story = _block(f"more-{n}", "more", "story", paras, cites, title=_title(m, state.language))
    cites = _Cites()
    paras = _trend_paragraph(m, cites, state) + _story_paragraphs(m, cites, state, 1, facts=1)
    key = _block(f"more-{n}-key", "more", KEY_FACT_KINDS[(n - 1) % 3], paras, cites)
    return [story, key]


def _item_block(n: int, country: str, m: StoryMaterial, state: _Draft, names: Mapping[str, str]) -> Block:
    cites = _Cites()
    # a short item: the event in our words when one is confident, and one quote
    paras = _story_paragraphs(m, cites, state, 1, facts=1)
    # link every source, so the render can credit each byline and language service
    rest = [a for a in m.articles if a.article_id not in {c.article_id for c in cites.items}]
    sentence = _outlets_sentence(rest, cites, state.language) if rest else ""
    if sentence:
        paras.append(sentence.replace("Reported by", "Also reported by", 1))
    return _block(
        f"sc-{n}",
        "supercontinent",
        "supercontinent_item",
        paras,
        cites,
        title=names.get(country) or SUBREGION_NAMES.get(country, country),
    )


def _country_names(materials: Sequence[StoryMaterial]) -> dict[str, str]:
    names: dict[str, str] = {}
    for m in materials:
        for n in m.annotations:
            for mention in n.mentions:
                if mention.kind == "country":
                    names.setdefault(mention.key, mention.name)
    return names


def _calendar_citation(entry: CalendarEntry) -> tuple[Citation, ...]:
    return tuple(
        Citation(
            article_id=s.article_id,
            url=s.url,
            outlet=s.outlet,
            title=s.title,
            language=s.language,
            published=s.published,
        )
        for s in entry.sources
    )


# What an upcoming event will be, as a noun phrase (the annotator's direction is not trusted here).
WATCH_NOUNS = {
    "AGREE": "an agreement",
    "CONSULT": "talks",
    "SUPPORT": "a show of support",
    "COOPERATE": "a step in cooperation",
    "AID": "aid",
    "REQUEST": "a request",
    "ACCUSE": "accusations",
    "REJECT": "a rejection",
    "THREATEN": "threats",
    "PROTEST": "protests",
    "SANCTION": "sanctions",
    "MOBILIZE": "military exercises",
    "COERCE": "pressure",
    "ASSAULT": "use of force",
}


def _rising_rank(rising: Sequence[str]) -> dict[str, int]:
    """Rising keys (China left out: it is in every story) by strength, strongest 0."""
    return {k: i for i, k in enumerate(k for k in rising if k != "CN")}


def _hot_actors(entry: CalendarEntry, rank: Mapping[str, int], names: Mapping[str, str]) -> list[str]:
    """The entry's actors whose coverage is rising, by name (people and bodies before countries)."""
    hot: list[tuple[int, str]] = []
    for country, entity in entry.actors:
        if entity and entity in rank:
            hot.append((rank[entity], entity))
        elif country in rank:
            hot.append((len(rank) + rank[country], names.get(country, country)))
    return list(dict.fromkeys(n for _, n in sorted(hot)))


# Names read with "the" in a sentence ("the United States", "the Kremlin").
_WITH_THE = re.compile(r"^(?:United |Netherlands$|Czech Republic$|Philippines$|European |Kremlin$|Vatican)")


def _the(name: str) -> str:
    return f"the {name}" if _WITH_THE.match(name) else name


def _rising_sentence(who: Sequence[str], marks: str) -> str:
    verb = "is" if len(who) == 1 else "are"
    subject = " and ".join(_the(w) for w in who[:2])
    subject = subject[:1].upper() + subject[1:]
    return f"{subject} {verb} in more of this fortnight's reporting than in the weeks before {marks}."


def _confident_entry(entry: CalendarEntry) -> bool:
    """An upcoming event worth watching: two sources, or one whose evidence is not just its headline.

    A headline has no date of its own ("В Вашингтоне открывается юбилейный саммит НАТО" became an
    event a week after the summit opened); the body's sentence says when.
    """
    if len(entry.sources) >= 2:
        return True
    return not all(
        s.evidence.strip() and " ".join(s.evidence.split()) == " ".join((s.title or "").split())
        for s in entry.sources
    )


def _watch_block(
    calendar: Sequence[CalendarDay],
    rising: Sequence[str],
    names: Mapping[str, str],
    materials: Sequence[StoryMaterial] = (),
) -> Block | None:
    """One Thing To Watch: the upcoming event whose actors are rising, else the most reported one.

    With no upcoming event, the strongest rising country that a story of the window is about.
    """
    rank = _rising_rank(rising)
    entries = [e for day in calendar for e in day.entries if e.sources and _confident_entry(e)]
    if not entries:
        return _rising_watch(rank, names, materials)

    def order(e: CalendarEntry) -> tuple[int, int, int, str]:
        hot = _hot_actors(e, rank, names)
        best = min(
            (rank.get(k, len(rank)) for c, n in e.actors for k in (c, n or "") if k in rank), default=0
        )
        return (-len(hot), best, -len(e.sources), e.date)

    entry = min(entries, key=order)
    cites = _Cites()
    marks = cites.mark(*_calendar_citation(entry)[:3])
    who = []
    for country, entity in entry.actors:
        name = entity or names.get(country)
        if name and name not in who:
            who.append(name)
    when = format_day(date.fromisoformat(entry.date))
    where = f" in {entry.location}" if entry.location else ""
    what = WATCH_NOUNS.get(entry.type, "an event")
    involving = f" involving {' and '.join(_the(w) for w in who[:3])}" if who else ""
    paras = [f"Due on {when}{where}: {what}{involving} {marks}."]
    hot = _hot_actors(entry, rank, names)
    if hot:
        paras.append(_rising_sentence(hot, marks))
    evidence = entry.sources[0].evidence.strip()
    if evidence:
        paras.append(f"> {evidence} [1]")
    return _block("watch", "watch", "one_thing_to_watch", paras, cites, title=f"Coming up on {when}")


def _rising_watch(
    rank: Mapping[str, int], names: Mapping[str, str], materials: Sequence[StoryMaterial]
) -> Block | None:
    """No upcoming event: the strongest rising country a story is about, with that story's best sentence."""
    stories: dict[str, StoryMaterial] = {}
    for m in materials:
        country = story_country(m)
        if country and country in rank and m.articles:
            stories.setdefault(country, m)
    if not stories:
        return None
    country = min(stories, key=lambda c: rank[c])
    m = stories[country]
    name = names.get(country, country)
    cites = _Cites()
    by_id = {a.article_id: a for a in m.articles}
    paras = [_rising_sentence([name], cites.mark(m.articles[0]))]
    pick = select_sentences(m.articles, limit=1)
    if pick:
        paras.append(_quote(pick[0], by_id, cites))
    return _block("watch", "watch", "one_thing_to_watch", paras, cites, title=f"Watch {name}")


def _footer(options: ComposeOptions) -> list[Block]:
    return [
        _block("signoff", "footer", "signoff", [options.signoff]),
        _block("bio", "footer", "bio", [options.bio]),
        _block("about", "footer", "about", [options.about], title="About this newsletter"),
        _block("subscribe", "footer", "subscribe", [options.subscribe]),
        _block("notice", "footer", "notice", [options.russia_notice]),
    ]


def edition_slug(headline: str, send_date: date) -> str:
    """A URL slug from the headline (ASCII letters and digits, at most eight words)."""
    # accents folded: Orbán → orban
    folded = unicodedata.normalize("NFKD", headline).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())[:8]
    return "-".join(words) or f"edition-{send_date.isoformat()}"


def _skeleton(window_start: date, window_end: date, options: ComposeOptions) -> list[Block]:
    """An empty edition: every section present, nothing to say, flagged for the editor."""
    note = f"No stories were found between {format_day(window_start)} and {format_day(window_end)}."
    empty = ("empty",)
    return [
        _block("greeting", "top", "greeting", [options.greeting]),
        _block("intro", "top", "intro", [note], flags=empty),
        _block("lead", "lead", "lead", [], flags=empty, title="Lead story"),
        _block("more-1", "more", "story", [], flags=empty, title="Story"),
        _block("sc-1", "supercontinent", "supercontinent_item", [], flags=empty, title="Country"),
        _block("watch", "watch", "one_thing_to_watch", [], flags=empty, title="To watch"),
        *_footer(options),
    ]


def draft_edition(
    materials: Sequence[StoryMaterial],
    *,
    send_date: date,
    window_start: date,
    window_end: date,
    calendar: Sequence[CalendarDay] = (),
    rising: Sequence[str] = (),
    data_point: DataPoint | None = None,
    options: ComposeOptions | None = None,
    number: int | None = None,
) -> Edition:
    """Draft the edition for a window from its ranked stories.

    Args:
        materials: the window's stories with articles and annotations, best first.
        send_date: the send slot the edition is drafted for.
        window_start: first day of the window.
        window_end: last day of the window.
        calendar: upcoming events (for One Thing To Watch).
        rising: country codes and entity names whose coverage is rising or new, strongest first
            (One Thing To Watch prefers an upcoming event with rising actors).
        data_point: a figure for the data section, when one changed notably or was reported.
        options: fixed wording (greeting, sign-off, bio, about, subscribe line, notice for Russia).
        number: the edition's number, when known.

    Returns:
        A draft edition; with no stories, an empty skeleton whose intro says the window was empty.
    """
    opts = options or ComposeOptions()
    lang = opts.language
    selection: Selection = select_stories(materials)
    edition_id = f"ed-{send_date.isoformat()}"
    if selection.lead is None:
        headline = f"No stories between {format_day(window_start)} and {format_day(window_end)}"
        return Edition(
            edition_id=edition_id,
            send_date=send_date,
            window_start=window_start,
            window_end=window_end,
            headline=headline,
            language=lang,
            number=number,
            slug=edition_slug("empty " + window_end.isoformat(), send_date),
            blocks=tuple(_skeleton(window_start, window_end, opts)),
        )
    names = _country_names(materials)
    rank = _rising_rank(rising)
    state = _Draft(language=lang, today=send_date, used=[], stated=set(), rising=rank, names=names)
    watch = _watch_block(calendar, rising, names, materials)
    if watch is not None and watch.title and watch.title.startswith("Watch "):
        state.trending.add(watch.title.removeprefix("Watch "))  # One Thing To Watch names it already
    lead = selection.lead
    headline = _title(lead, lang)
    dek = "; ".join(_title(m, lang) for m in selection.more) + ("." if selection.more else "")
    cites = _Cites()
    following = [
        f"{_title(m, lang)} {cites.mark(m.in_language(lang)[0] if m.in_language(lang) else m.articles[0])}"
        for m in (lead, *selection.more)
    ]
    intro = "This fortnight I am following: " + "; ".join(following) + "."
    blocks: list[Block] = [
        _block("headline", "top", "headline", [headline]),
        _block("dek", "top", "dek", [dek]),
        _block("greeting", "top", "greeting", [opts.greeting]),
        _block("intro", "top", "intro", [intro], cites),
        *_lead_blocks(lead, state),
    ]
    for n, m in enumerate(selection.more, 1):
        blocks.extend(_more_blocks(n, m, state))
    for n, (country, m) in enumerate(selection.supercontinent, 1):
        blocks.append(_item_block(n, country, m, state, names))
    if watch is not None:
        blocks.append(watch)
    if data_point is not None:
        blocks.append(
            Block(
                block_id="data",
                section="data",
                kind="data_point",
                title=data_point.title,
                text=f"{data_point.text}\n\nSource: {data_point.source}",
                chart=data_point.chart,
            )
        )
    blocks.extend(_footer(opts))
    return Edition(
        edition_id=edition_id,
        send_date=send_date,
        window_start=window_start,
        window_end=window_end,
        headline=headline,
        dek=dek,
        language=lang,
        number=number,
        slug=edition_slug(headline, send_date),
        blocks=tuple(b for b in blocks if b.text or "empty" in b.flags or b.kind in ("lead", "story")),
    )


def merge_redraft(previous: Edition, fresh: Edition) -> Edition:
    """A fresh draft with the editor's blocks kept: edited blocks win, and stay when the draft drops them.

    Headline and dek follow their blocks when an editor changed those.
    """
    old = {b.block_id: b for b in previous.blocks}
    kept_ids = {b.block_id for b in fresh.blocks}
    out: list[Block] = []
    for b in fresh.blocks:
        prior = old.get(b.block_id)
        out.append(prior if prior is not None and prior.edited else b)
    for b in previous.blocks:
        if b.edited and b.block_id not in kept_ids:
            last = max((i for i, x in enumerate(out) if x.section == b.section), default=len(out) - 1)
            out.insert(last + 1, b)
    by_id = {b.block_id: b for b in out}
    headline = by_id["headline"].text if "headline" in by_id and by_id["headline"].edited else fresh.headline
    dek = by_id["dek"].text if "dek" in by_id and by_id["dek"].edited else fresh.dek
    return replace(
        fresh,
        edition_id=previous.edition_id,
        headline=headline,
        dek=dek,
        slug=previous.slug or fresh.slug,
        number=previous.number if previous.number is not None else fresh.number,
        blocks=tuple(out),
        status="draft",
    )
