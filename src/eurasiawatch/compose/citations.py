"""Citations of drafted sentences, and the check that a citation really supports its sentence.

A drafted sentence ends with ``[n]`` markers pointing into its block's citations. The citation is
*checkable* when the cited articles contain the sentence word for word, or contain every number,
date and name in it. Names may also come from what the annotator found in the article (the
knowledge base's canonical names of its countries and actors), its outlet and its bylines, because
a sentence in English about an article in Kazakh names "Kazakhstan", not "Қазақстан". Words the
drafter itself writes around facts (month and language names, section words) are not facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..records import Annotation, Article, Block, Citation

__all__ = [
    "CheckSource",
    "DraftSentence",
    "block_sentences",
    "check_block",
    "check_sentence",
    "citation_of",
    "format_day",
    "sentence_facts",
    "split_sentences",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Words our own templates write; capitalised but not facts about the story.
TEMPLATE_WORDS = frozenset(
    {
        "A",
        "An",
        "As",
        "The",
        "In",
        "On",
        "It",
        "Reported",
        "Reporting",
        "Coverage",
        "Sources",
        "Source",
        "Also",
        "Due",
        "Watch",
        "What",
        "Who",
        "When",
        "Where",
        "Upcoming",
        "Scheduled",
        "English",
        "Russian",
        "Ukrainian",
        "Belarusian",
        "Kazakh",
        "Uzbek",
        "Kyrgyz",
        "Tajik",
        "Turkmen",
        "Mongolian",
        "Georgian",
        "Armenian",
        "Azerbaijani",
        "Serbian",
        "Hungarian",
        "Polish",
        "Czech",
        "Slovak",
        "Romanian",
        "Bulgarian",
        "Chinese",
        "German",
        "Lithuanian",
        "Latvian",
        "Estonian",
        "Montenegrin",
        "Bosnian",
        "Albanian",
        "Macedonian",
        "Croatian",
        "Slovenian",
        "Moldovan",
        "Turkish",
        *MONTHS,
    }
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+(?=[\"'“«(]?[A-ZА-ЯЁІЇЄЎҚҒҮҰӘӨҺŞÇÖÜŐŰÁÉ0-9])")
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r")(?: (\d{4}))?\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph (a light splitter: ends of sentence followed by a capital)."""
    text = " ".join(text.split())
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()] if text else []


def format_day(day: date) -> str:
    """A date as the edition writes it: ``4 July 2024``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def citation_of(article: Article) -> Citation:
    """The citation readers see for an article."""
    return Citation(
        article_id=article.article_id,
        url=article.canonical_url or article.url,
        outlet=article.outlet,
        title=article.title,
        language=article.language,
        authors=article.authors,
        published=article.published,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSource:
    """What a citation check may look in: one article's text, title, known names and dates."""

    article_id: str
    text: str
    names: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()  # ISO days the article states (published, event dates)

    @classmethod
    def of(cls, article: Article, annotation: Annotation | None = None) -> CheckSource:
        """The check source of an article and (optionally) its annotation."""
        names: set[str] = set(article.authors)
        if article.outlet:
            names.add(article.outlet)
        dates: set[str] = set()
        if article.published:
            dates.add(article.published.date().isoformat())
        if annotation is not None:
            names.update(m.name for m in annotation.mentions)
            for e in annotation.events:
                dates.update(d for d in (e.date, e.end_date) if d)
                names.update(n for _, n in e.actors if n)
                if e.location:
                    names.add(e.location)
        text = " ".join(((article.title or "") + "\n" + article.text).split())
        return cls(article_id=article.article_id, text=text, names=frozenset(names), dates=frozenset(dates))


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftSentence:
    """A sentence of a block with the citations its markers point to (empty: uncited)."""

    text: str
    citations: tuple[Citation, ...]
    quote: bool = False


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.replace("’", "'").split()))


def sentence_facts(sentence: str) -> tuple[list[str], list[str], list[str]]:
    """The (ISO dates, numbers, names) a sentence states; markers and template words are left out."""
    body = _MARKER.sub("", sentence)
    dates: list[str] = []
    for m in _DATE.finditer(body):
        month = MONTHS.index(m.group(2)) + 1
        dates.append(f"{m.group(3) or '????'}-{month:02d}-{int(m.group(1)):02d}")
    rest = _DATE.sub(" ", body)
    numbers = _NUMBER.findall(rest)
    names = [w for w in _WORD.findall(rest) if w[0].isupper() and w not in TEMPLATE_WORDS]
    return dates, numbers, names


def _name_known(name: str, sources: Sequence[CheckSource]) -> bool:
    for s in sources:
        if name in s.text:
            return True
        if any(name in known for known in s.names):
            return True
    return False


def _date_known(iso: str, sources: Sequence[CheckSource]) -> bool:
    year, month, day = iso.split("-")
    for s in sources:
        if any(d[5:] == f"{month}-{day}" and year in ("????", d[:4]) for d in s.dates):
            return True
        # the article writes the day in English itself ("8 July", "July 8")
        name = MONTHS[int(month) - 1]
        if re.search(rf"\b{int(day)} {name}\b|\b{name} {int(day)}\b", s.text):
            return True
    return False


def check_sentence(sentence: str, sources: Sequence[CheckSource]) -> list[str]:
    """What a sentence states that none of its cited sources supports (empty: the citation checks).

    Args:
        sentence: the drafted sentence, markers included or not.
        sources: the cited articles.

    Returns:
        The unsupported facts (``date:…``, ``number:…``, ``name:…``); ``["uncited"]`` with no sources.
    """
    if not sources:
        return ["uncited"]
    body = _fold(_MARKER.sub("", sentence)).strip().lstrip(">").strip()
    if body and any(body in _fold(s.text) for s in sources):
        return []
    dates, numbers, names = sentence_facts(body)
    missing = [f"date:{d}" for d in dates if not _date_known(d, sources)]
    for n in numbers:
        bare = n.replace(",", "")
        if not any(n in s.text or bare in s.text.replace(",", "") for s in sources):
            missing.append(f"number:{n}")
    missing.extend(f"name:{n}" for n in names if not _name_known(n, sources))
    return missing


def block_sentences(block: Block) -> list[DraftSentence]:
    """Each sentence of a block with the citations its own markers (or its paragraph's last markers) name."""
    out: list[DraftSentence] = []
    for para in block.text.split("\n\n"):
        quote = para.lstrip().startswith(">")
        text = para.lstrip().lstrip(">").strip()
        for sentence in split_sentences(text):
            numbers = [int(n) for n in _MARKER.findall(sentence)]
            cites = tuple(block.citations[n - 1] for n in numbers if 0 < n <= len(block.citations))
            out.append(DraftSentence(text=_MARKER.sub("", sentence).strip(), citations=cites, quote=quote))
    return out


def check_block(block: Block, sources: Iterable[CheckSource]) -> list[tuple[str, list[str]]]:
    """(sentence, unsupported facts) for every sentence of a block whose citation does not check."""
    by_id = {s.article_id: s for s in sources}
    problems = []
    for s in block_sentences(block):
        cited = [by_id[c.article_id] for c in s.citations if c.article_id in by_id]
        if not s.citations:
            problems.append((s.text, ["uncited"]))
            continue
        missing = check_sentence(s.text, cited)
        if missing:
            problems.append((s.text, missing))
    return problems
