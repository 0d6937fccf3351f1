"""Dates in article text, resolved against the publication date, in every supported language.

Ranges are read first ("May 16-17", "16–17 мая", "15–16 червня", "30 May – 2 June"), then single
days ("on May 20", "16 мая", "3 шілдеде", "6-iyun", "május 8-án", "19. marta"), numeric dates
("2024-05-16", "16.05.2024"), weekdays ("on Tuesday", "в среду", "u sredu") and relative words
("yesterday", "last month"). A date without a year takes the year that puts it nearest the
publication date. Month names, weekdays and relative words live in ``data/lexicons/dates.yaml``.

General-purpose parsers such as dateparser read "16-17 May" as the year 2117 and know nothing of the
publication date, hence these tables.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import ahocorasick

from .lexicons import load_lexicon

__all__ = ["DateSpan", "find_dates", "first_date"]

_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_WORD_TAIL = re.compile(r"[\w'’ʻ]*")


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date or range found in text: ``start``..``end`` (inclusive), with where it was found.

    ``precision`` is ``day`` (a calendar day or a range of days), ``week``, ``month`` or ``year``
    (the last two only from ``find_dates(..., coarse=True)``: "in January 2023", "in 2019", "last year").
    """

    start: date
    end: date | None
    begin: int
    stop: int
    precision: str = "day"
    looked_back: bool = False  # a bare weekday taken as the latest one; the next one is 7 days on


def _stem_regex(term: str) -> str:
    if term.endswith("*"):
        return re.escape(term[:-1]) + r"[\w'’ʻ]*"
    return re.escape(term) + r"\.?"


def _key(term: str) -> str:
    """The longest run of letters in a table entry ("понеділ" of "[ув] понеділ[оo]?к"), lower case."""
    runs = re.findall(r"[^\W\d_]+", term.replace("\\w", " "))
    return max(runs, key=len).lower() if runs else term.lower()


def _merge(windows: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sorted, merged windows, each stretched to the end of the word it would cut."""
    out: list[tuple[int, int]] = []
    for begin, stop in sorted(windows):
        stop = _WORD_TAIL.match(text, stop).end()  # type: ignore[union-attr]
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(stop, out[-1][1]))
        else:
            out.append((begin, stop))
    return out


_MONTH_KEY, _RELATIVE_KEY = 1, 2  # what a table word of ``date_keys`` is the key of (either or both)
_MONTH_MARGIN, _RELATIVE_MARGIN = 28, 24


def _key_windows(
    text: str, lowered: str, keys: ahocorasick.Automaton
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Stretches of text around the month words and around the weekday and relative words that
    ``keys`` finds (one pass for both): the big patterns run only there."""
    size = len(text)
    months: list[tuple[int, int]] = []
    relative: list[tuple[int, int]] = []
    for end, (n, kinds) in keys.iter(lowered):
        if kinds & _MONTH_KEY:
            months.append((max(0, end - n + 1 - _MONTH_MARGIN), min(size, end + 1 + _MONTH_MARGIN)))
        if kinds & _RELATIVE_KEY:
            relative.append((max(0, end - n + 1 - _RELATIVE_MARGIN), min(size, end + 1 + _RELATIVE_MARGIN)))
    return _merge(months, text), _merge(relative, text)


def _windows(text: str, margin: int = 48) -> list[tuple[int, int]]:
    """Stretches of text around its numbers: calendar dates live only there."""
    size = len(text)
    return _merge(
        [(max(0, m.start() - margin), min(size, m.end() + margin)) for m in _DIGITS.finditer(text)], text
    )


@functools.cache  # built once from the shipped tables; immutable
def _patterns() -> dict[str, object]:
    lex = load_lexicon("dates")
    month_of: list[tuple[str, int]] = []
    for number, terms in lex["months"].items():
        for term in terms:
            month_of.append((term.lower(), int(number)))
    month_of.sort(key=lambda item: len(item[0]), reverse=True)
    month = "(?:" + "|".join(_stem_regex(t) for t, _ in month_of) + ")"
    month = rf"(?<![\w]){month}(?![\w])"
    year = r"(?:\d{4})"
    day = r"(?:[0-3]?\d)"
    day_tail = r"(?:\.|-?(?:st|nd|rd|th|án|én|ján|jén|jei|ei|ai|i|a|e|го|е|я|ші|шы|inchi))?"
    dash = r"\s*(?:[-–—]|\bto\b|\bдо\b|\bпо\b|\bdo\b|\bи\b|\bі\b|\bта\b|\bi\b|\band\b|\bés\b)\s*"
    year_before = rf"(?:(?P<yb>{year})(?:\.|-?yil\w*|\s*жыл\w*|\s*(?:года|г\.|р\.|року|godine|године))?\s+)?"
    year_after = rf"(?:,?\s*(?P<ya>{year})(?![\d]))?"
    parts = {
        # 16-17 May, 15–16 червня, 30 May – 2 June, 16. i 17. maja
        "range_dm": rf"{year_before}(?P<d1>{day}){day_tail}(?:\s*(?P<m1>{month}))?{dash}"
        rf"(?P<d2>{day}){day_tail}[\s-]*(?P<m2>{month}){year_after}",
        # May 16-17, May 30 – June 2, május 8–9.
        "range_md": rf"{year_before}(?P<m1>{month})\s+(?P<d1>{day}){day_tail}{dash}"
        rf"(?:(?P<m2>{month})\s+)?(?P<d2>{day}){day_tail}(?![\d]){year_after}",
        # 16 мая, 3 шілдеде, 6-iyun, 19. marta
        "single_dm": rf"{year_before}(?<![\d.])(?P<d1>{day}){day_tail}[\s-]*(?P<m1>{month}){year_after}",
        # May 20, május 8-án, 2024. május 8.
        "single_md": rf"{year_before}(?P<m1>{month})\s+(?P<d1>{day}){day_tail}(?![\d]){year_after}",
    }
    compiled = {name: re.compile(p, re.IGNORECASE) for name, p in parts.items()}
    # coarse spans (only when asked for): a month of a year, a month after a preposition, a bare year
    year_word = r"(?:\.|\s*(?:года|году|г\.|р\.|року|godine|године|жыл\w*|yil\w*))?"
    coarse = {
        "month_year": re.compile(
            rf"(?<![\d.])(?:(?P<yb>{year}){year_word}\s+(?P<m1>{month})|(?P<m2>{month}),?\s+(?P<ya>{year}))(?![\d])",
            re.IGNORECASE,
        ),
        # "in April", "In April" opening a sentence, "в апреле", "у квітні", "u aprilu": in English only a
        # capitalised month ("in may" is a modal)
        "month": re.compile(
            r"(?<![\w])(?:[Ii]n\s+(?P<en>January|February|March|April|May|June|July|August|September|"
            r"October|November|December)|(?i:(?:в|во|у|u)\s+(?P<m1>" + month + r")))(?!\s*\d)"
        ),
        # a bare year from 1950; an older one only as a year ("в 1949 году", "in 1939", "1878-ban")
        "year": re.compile(
            r"(?<![\d.,])(?:(?P<y>19[5-9]\d|20\d\d)(?![\d])|(?<=in )(?P<o>1[89]\d\d)(?![\d])"
            r"|(?P<w>1[89]\d\d)(?=\s*(?:года|году|г\.|р\.|року|godine|године|жыл|yil|-?b[ae]n\b)))",
            re.IGNORECASE,
        ),
    }
    month_lookup = [(re.compile(_stem_regex(t) + "$", re.IGNORECASE), n) for t, n in month_of]
    # month adjectives ("майского", "червневий", "júniusi"): one group per month
    adjectives = lex.get("month_adjectives", {})
    coarse["month_adj"] = re.compile(
        r"(?<![\w])(?:"
        + "|".join(
            f"(?P<a{int(n)}>" + "|".join(_stem_regex(t.lower()) for t in terms) + ")"
            for n, terms in adjectives.items()
        )
        + r")(?![\w])",
        re.IGNORECASE,
    )
    # no lookbehind in front (it would defeat the regex engine's fast scan): checked after the match
    iso = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")
    dotted = re.compile(r"([0-3]?\d)\.([01]?\d)\.(\d{4})(?![\d])")
    # weekdays and relative words: one regex, a named group per meaning (g0, g1 …; see ``meanings``)
    meanings: list[tuple[str, int]] = []
    groups: list[str] = []
    tables = [("weekday", int(n), terms) for n, terms in lex["weekdays"].items()]
    tables += [(unit, int(o), terms) for unit, table in lex["relative"].items() for o, terms in table.items()]
    for unit, value, terms in tables:
        groups.append(f"(?P<g{len(meanings)}>" + "|".join(t.replace(" ", r"\s+") for t in terms) + ")")
        meanings.append((unit, value))
    relative = re.compile(r"(?<![\w])(?:" + "|".join(groups) + r")(?![\w])", re.IGNORECASE)
    # cheap prefilters: the big alternations run only where one of their words appears at all
    kinds: dict[str, int] = {}
    for t, _ in month_of:
        kinds[_key(t)] = kinds.get(_key(t), 0) | _MONTH_KEY
    for _, _, terms in tables:
        for t in terms:
            kinds[_key(t)] = kinds.get(_key(t), 0) | _RELATIVE_KEY
    # one automaton for the month words and the weekday and relative ones: one pass over the text
    date_keys = ahocorasick.Automaton()
    for key, kind in kinds.items():
        date_keys.add_word(key, (len(key), kind))
    date_keys.make_automaton()
    return {
        "compiled": compiled,
        "coarse": coarse,
        "months": month_lookup,
        "iso": iso,
        "dotted": dotted,
        "relative": relative,
        "meanings": tuple(meanings),
        "date_keys": date_keys,
    }


def _month_number(word: str) -> int | None:
    for rx, number in _patterns()["months"]:  # type: ignore[attr-defined]
        if rx.match(word.strip()):
            return int(number)
    return None


def _nearest_year(month: int, day: int, published: date) -> int:
    """The year that puts day/month nearest the publication date."""
    best: tuple[int, int] | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            gap = abs((date(year, month, day) - published).days)
        except ValueError:
            continue
        if best is None or gap < best[0]:
            best = (gap, year)
    return best[1] if best else published.year


def _make(year: int | None, month: int, day: int, published: date | None) -> date | None:
    if year is None:
        if published is None:
            return None
        year = _nearest_year(month, day, published)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _overlaps(spans: list[DateSpan], begin: int, stop: int) -> bool:
    return any(s.begin < stop and begin < s.stop for s in spans)


@dataclass(frozen=True, slots=True)
class _Where:
    """Where in a text dates can be: stretches around numbers and around month names (found once)."""

    lowered: str
    numbers: list[tuple[int, int]]
    months: list[tuple[int, int]]
    relative: list[tuple[int, int]]  # around weekday and relative words ("yesterday", "в среду")

    @classmethod
    def of(cls, text: str) -> _Where:
        lowered = text.lower()
        keys: ahocorasick.Automaton = _patterns()["date_keys"]  # type: ignore[assignment]
        return cls(lowered, _windows(text, 24), *_key_windows(text, lowered, keys))


def _calendar_spans(text: str, published: date | None, where: _Where | None = None) -> list[DateSpan]:
    pats = _patterns()
    where = where or _Where.of(text)
    found: list[DateSpan] = []
    # a calendar date is a month name with a number beside it: look only around such names
    windows = [w for w in where.months if _DIGIT.search(text, *w)]
    for name in ("range_dm", "range_md", "single_dm", "single_md"):
        rx = pats["compiled"][name]  # type: ignore[index]
        matches = [m for begin, stop in windows for m in rx.finditer(text, begin, stop)]
        for m in matches:
            if _overlaps(found, m.start(), m.end()):
                continue
            groups = m.groupdict()
            year_text = groups.get("ya") or groups.get("yb")
            year = int(year_text) if year_text else None
            m1 = _month_number(groups["m1"]) if groups.get("m1") else None
            m2 = _month_number(groups["m2"]) if groups.get("m2") else None
            d1 = int(groups["d1"])
            if name == "range_dm":
                month1, month2 = (m1 or m2), m2
            elif name == "range_md":
                month1, month2 = m1, (m2 or m1)
            else:
                month1, month2 = m1, None
            if month1 is None:
                continue
            start = _make(year, month1, d1, published)
            if start is None:
                continue
            end = None
            if name.startswith("range") and month2 is not None:
                end = _make(year if year else start.year, month2, int(groups["d2"]), None)
                if end is not None and end < start:
                    end = _make(start.year + 1, month2, int(groups["d2"]), None)
                if end is not None and (end - start).days > 62:
                    end = None
            found.append(DateSpan(start, end, m.start(), m.end()))
    numeric: tuple[re.Pattern[str], ...] = (pats["iso"], pats["dotted"])  # type: ignore[assignment]
    numbered = [m for b, e in where.numbers for rx in numeric for m in rx.finditer(text, b, e)]
    for m in (m for m in numbered if m.re is pats["iso"]):
        if m.start() and text[m.start() - 1].isdigit():
            continue
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), None)
        if d and not _overlaps(found, m.start(), m.end()):
            found.append(DateSpan(d, None, m.start(), m.end()))
    for m in (m for m in numbered if m.re is pats["dotted"]):
        if m.start() and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue
        d = _make(int(m.group(3)), int(m.group(2)), int(m.group(1)), None)
        if d and not _overlaps(found, m.start(), m.end()):
            found.append(DateSpan(d, None, m.start(), m.end()))
    return found


# "from Friday", "с понедельника", "від понеділка", "od ponedeljka", "starting Monday": a start ahead
_FROM_DAY = re.compile(r"(?:\bfrom|\bstarting|(?<!\w)с|(?<!\w)со|(?<!\w)від|(?<!\w)od)\s+$", re.IGNORECASE)


def _relative_spans(
    text: str, published: date, prefer_future: bool, where: _Where | None = None
) -> list[DateSpan]:
    pats = _patterns()
    meanings: tuple[tuple[str, int], ...] = pats["meanings"]  # type: ignore[assignment]
    found: list[DateSpan] = []
    rx: re.Pattern[str] = pats["relative"]  # type: ignore[assignment]
    where = where or _Where.of(text)
    for m in (m for begin, stop in where.relative for m in rx.finditer(text, begin, stop)):
        unit, offset = meanings[int((m.lastgroup or "g0")[1:])]
        if unit == "weekday":
            ahead = _FROM_DAY.search(text, 0, m.start()) or m.group(0).lower().endswith(("tól", "től"))
            if ahead:  # "from Monday" on a Monday is that day
                day = published + timedelta(days=(offset - published.weekday()) % 7)
            elif prefer_future:
                day = published + timedelta(days=(offset - published.weekday()) % 7 or 7)
            else:
                day = published - timedelta(days=(published.weekday() - offset) % 7)
                found.append(DateSpan(day, None, m.start(), m.end(), looked_back=True))
                continue
            found.append(DateSpan(day, None, m.start(), m.end()))
        elif unit == "days":
            found.append(DateSpan(published + timedelta(days=offset), None, m.start(), m.end()))
        elif unit == "weeks":
            monday = published - timedelta(days=published.weekday()) + timedelta(weeks=offset)
            found.append(DateSpan(monday, monday + timedelta(days=6), m.start(), m.end(), "week"))
        elif unit == "years":
            year = published.year + offset
            found.append(DateSpan(date(year, 1, 1), date(year, 12, 31), m.start(), m.end(), "year"))
        else:
            year, month = divmod(published.year * 12 + published.month - 1 + offset, 12)
            found.append(_month_span(year, month + 1, m.start(), m.end()))
    return found


def _month_span(year: int, month: int, begin: int, stop: int) -> DateSpan:
    last = calendar.monthrange(year, month)[1]
    return DateSpan(date(year, month, 1), date(year, month, last), begin, stop, "month")


def _coarse_spans(
    text: str, published: date | None, taken: list[DateSpan], where: _Where | None = None
) -> list[DateSpan]:
    """Months of a year ("January 2023"), months after a preposition ("in April"), bare years."""
    pats: dict[str, re.Pattern[str]] = _patterns()["coarse"]  # type: ignore[assignment]
    where = where or _Where.of(text)
    found: list[DateSpan] = []
    numbered_months = [w for w in where.months if _DIGIT.search(text, *w)]
    for m in (m for b, e in numbered_months for m in pats["month_year"].finditer(text, b, e)):
        if _overlaps(taken, m.start(), m.end()):
            continue
        number = _month_number(m.group("m1") or m.group("m2"))
        if number:
            found.append(_month_span(int(m.group("yb") or m.group("ya")), number, m.start(), m.end()))
    for m in (m for b, e in where.months for m in pats["month"].finditer(text, b, e)):
        if published is None or _overlaps(taken + found, m.start(), m.end()):
            continue
        number = _month_number(m.group("en") or m.group("m1"))
        if number:
            found.append(_month_span(_nearest_year(number, 15, published), number, m.start(), m.end()))
    for m in (m for b, e in where.months for m in pats["month_adj"].finditer(text, b, e)):
        if published is None or _overlaps(taken + found, m.start(), m.end()) or not m.lastgroup:
            continue
        number = int(m.lastgroup[1:])
        found.append(_month_span(_nearest_year(number, 15, published), number, m.start(), m.end()))
    for m in (m for b, e in where.numbers for m in pats["year"].finditer(text, b, e)):
        if not _overlaps(taken + found, m.start(), m.end()):
            year = int(m.group("y") or m.group("o") or m.group("w"))
            found.append(DateSpan(date(year, 1, 1), date(year, 12, 31), m.start(), m.end(), "year"))
    return found


_APPOSITION = re.compile(r"[,\s]{1,3}")


def find_dates(
    text: str,
    language: str | None,
    published: date | None,
    *,
    prefer_future: bool = False,
    coarse: bool = False,
) -> tuple[DateSpan, ...]:
    """Every date and date range in ``text``, resolved against ``published``.

    Args:
        text: a sentence or a whole article.
        language: ISO 639-1 code (the tables cover every supported language at once, so it is
            only a hint and may be None).
        published: the publication date; needed for dates without a year, weekdays and relative
            words (those are skipped when it is None).
        prefer_future: resolve a bare weekday forward ("will meet on Tuesday") instead of back.
        coarse: also months ("in January 2023", "в апреле"), bare years ("in 2019") and
            "last year" (precision ``month`` / ``year``): what dates background, not the news.

    Returns:
        The spans in text order; ranges come with ``end``.
    """
    del language  # the month and weekday tables are shared across languages
    where = _Where.of(text)
    spans = _calendar_spans(text, published, where)
    if published is not None:
        calendar_starts = {s.begin for s in spans}
        for span in _relative_spans(text, published, prefer_future, where):
            gap = _APPOSITION.match(text, span.stop)
            if gap is not None and gap.end() in calendar_starts:
                continue  # "on Tuesday, June 25", "во вторник, 25 июня": the calendar date names the day
            if not _overlaps(spans, span.begin, span.stop) and (coarse or span.precision != "year"):
                spans.append(span)
    if coarse:
        spans.extend(_coarse_spans(text, published, spans, where))
    return tuple(sorted(spans, key=lambda s: s.begin))


def first_date(
    text: str, language: str | None, published: date | None, *, prefer_future: bool = False
) -> DateSpan | None:
    """The first day-precise date in ``text``, else the first date of any precision, else None."""
    spans = find_dates(text, language, published, prefer_future=prefer_future)
    for span in spans:
        if span.precision == "day":
            return span
    return spans[0] if spans else None
