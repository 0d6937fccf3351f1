"""An edition laid out for reading: sections, heading levels, paragraphs split into text and citations.

Every channel (email, web page, plain text) renders this one layout, so headings, citation groups,
quotes and credits are decided once. Nothing here produces markup; strings stay untrusted until a
channel escapes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from ..records import Block, Citation, Edition

__all__ = [
    "Item",
    "Para",
    "Section",
    "citation_label",
    "language_name",
    "layout_edition",
    "safe_url",
]

# Section headings; ``lead`` has none (its story title is the h2) and ``top``/``footer`` need none.
SECTION_HEADINGS = {
    "more": "Three More Stories",
    "supercontinent": "Across The Supercontinent",
    "watch": "One Thing To Watch",
    "data": "By The Numbers",
}
# Default titles of sub-blocks whose kind names their heading.
KIND_HEADINGS = {
    "finding_perspective": "Finding Perspective",
    "behind_the_scenes": "Behind The Scenes",
    "why_it_matters": "Why It Matters",
    "what_it_means": "What It Means",
    "the_details": "The Details",
    "what_you_need_to_know": "What You Need To Know",
}
PRIMARY_KINDS = frozenset({"lead", "story", "supercontinent_item", "one_thing_to_watch", "data_point"})
# Blocks of ``top`` already shown from the Edition's own fields.
SKIPPED_KINDS = frozenset({"headline", "dek"})
SECTION_ORDER = ("top", "lead", "more", "supercontinent", "watch", "data", "footer")

_MARKERS = re.compile(r"\s*(\[\d{1,3}\](?:\s*\[\d{1,3}\])*)")
_ONE_MARKER = re.compile(r"\[(\d{1,3})\]")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph: runs of text, each followed by the citations it rests on (possibly none)."""

    parts: tuple[tuple[str, tuple[Citation, ...]], ...]
    quote: bool = False

    @property
    def text(self) -> str:
        """The paragraph without its citation markers."""
        return "".join(text for text, _ in self.parts).strip()

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every citation of the paragraph, in order, without repeats."""
        seen: dict[str, Citation] = {}
        for _, cites in self.parts:
            for c in cites:
                seen.setdefault(c.url + "\x00" + c.article_id, c)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Item:
    """A block in place: its heading (level 0 = none), paragraphs, chart and reporter credits."""

    block: Block
    level: int
    heading: str | None
    paragraphs: tuple[Para, ...]
    credits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the briefing, in reading order."""

    key: str
    heading: str | None
    items: tuple[Item, ...]


def safe_url(url: str | None) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL without control characters, else None."""
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def language_name(code: str | None, in_language: str = "en") -> str | None:
    """English (or ``in_language``) name of a language code, e.g. ``kk`` → ``Kazakh``."""
    if not code:
        return None
    try:
        locale = Locale.parse(in_language or "en")
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en")
    name = locale.languages.get(code.split("-")[0].lower())
    return name or code


def citation_label(citation: Citation) -> str:
    """What a reader sees for a citation: the outlet, else the site's host name."""
    if citation.outlet and citation.outlet.strip():
        return " ".join(citation.outlet.split())
    host = urlsplit(citation.url).hostname if safe_url(citation.url) else None
    return host or "source"


def _split_paragraph(raw: str, citations: tuple[Citation, ...]) -> Para:
    text = raw.strip()
    quote = text.startswith(">")
    if quote:
        text = "\n".join(line.lstrip(">").strip() for line in text.splitlines())
    text = " ".join(text.split())
    parts: list[tuple[str, tuple[Citation, ...]]] = []
    pos = 0
    for match in _MARKERS.finditer(text):
        numbers = [int(n) for n in _ONE_MARKER.findall(match.group(1))]
        cites = tuple(citations[n - 1] for n in numbers if 1 <= n <= len(citations))
        parts.append((text[pos : match.start()], cites))
        pos = match.end()
    if pos < len(text):
        parts.append((text[pos:], ()))
    return Para(parts=tuple(p for p in parts if p[0] or p[1]), quote=quote)


def _paragraphs(block: Block) -> tuple[Para, ...]:
    chunks = re.split(r"\n\s*\n", block.text or "")
    return tuple(_split_paragraph(c, block.citations) for c in chunks if c.strip())


def _credits(block: Block, edition_language: str) -> tuple[str, ...]:
    out: list[str] = []
    for c in block.citations:
        service = language_name(c.language, edition_language)
        where = citation_label(c)
        if c.language and c.language != edition_language and service:
            where = f"{where}, {service} service"
        for author in c.authors:
            name = " ".join(author.split())
            credit = f"{name} ({where})"
            if name and credit not in out:
                out.append(credit)
    return tuple(out)


def layout_edition(edition: Edition) -> tuple[Section, ...]:
    """Group an edition's blocks into sections and give every heading a level without skips.

    Args:
        edition: any edition; unknown sections go after the known ones, in their own order.

    Returns:
        The sections that have at least one block, in reading order.
    """
    order = list(SECTION_ORDER)
    for block in edition.blocks:
        if block.section not in order:
            order.insert(order.index("footer"), block.section)
    sections: list[Section] = []
    last_level = 1  # the h1 is the edition's headline
    for key in order:
        blocks = [b for b in edition.blocks if b.section == key and b.kind not in SKIPPED_KINDS]
        if not blocks:
            continue
        heading = SECTION_HEADINGS.get(key)
        if heading is None and key not in ("top", "lead", "footer"):
            heading = key.replace("_", " ").title()
        if heading:
            last_level = 2
        base = 3 if heading else 2
        items: list[Item] = []
        for block in blocks:
            title = block.title.strip() if block.title and block.title.strip() else None
            if block.kind in KIND_HEADINGS:
                title = title or KIND_HEADINGS[block.kind]
                level = base + 1
            elif block.kind == "lead":
                title = title or "The Lead Story"
                level = base
            elif block.kind in PRIMARY_KINDS or key == "footer":
                level = base
            else:
                level = base + 1
            if title:
                level = max(2, min(level, last_level + 1))
                last_level = level
            items.append(
                Item(
                    block=block,
                    level=level if title else 0,
                    heading=title,
                    paragraphs=_paragraphs(block),
                    credits=_credits(block, edition.language) if block.kind == "supercontinent_item" else (),
                )
            )
        sections.append(Section(key=key, heading=heading, items=tuple(items)))
    return tuple(sections)
