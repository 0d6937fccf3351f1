"""The plain-text alternative: wrapped to 72 columns, headings underlined, links as numbered footnotes.

It is written to be read on its own (some readers only ever see this part), so quotes keep their
attribution, charts are replaced by their alt text, and every source is listed at the end.
"""

from __future__ import annotations

import textwrap

from ..records import Citation, Edition
from .common import RenderOptions, edition_date, web_path
from .layout import Para, citation_label, language_name, layout_edition, safe_url

__all__ = ["WIDTH", "render_text"]

WIDTH = 72
SAMPLE_NOTE = "written for the eurasiawatch project from its invented sample corpus; not real reporting."


class _Notes:
    """Footnote numbers by URL, in order of first use."""

    # not a dataclass: it is a small accumulator private to one render call
    def __init__(self) -> None:
        self.urls: dict[str, int] = {}
        self.lines: list[str] = []

    def ref(self, c: Citation, language: str) -> str:
        label = citation_label(c)
        if c.language and c.language != language:
            label += f", in {language_name(c.language, language)}"
        url = safe_url(c.url)
        if not url:
            return label
        if url not in self.urls:
            self.urls[url] = len(self.urls) + 1
            title = " ".join((c.title or "").split())
            head = f"{citation_label(c)}" + (f", “{title}”" if title else "")
            if c.published:
                head += f", {c.published:%Y-%m-%d}"
            self.lines.append(_wrap(f"[{self.urls[url]}] {head}", "", "    ") + f"\n    {url}")
        return f"{label} [{self.urls[url]}]"

    def url(self, url: str, label: str) -> str:
        if url not in self.urls:
            self.urls[url] = len(self.urls) + 1
            self.lines.append(_wrap(f"[{self.urls[url]}] {label}", "", "    ") + f"\n    {url}")
        return f"[{self.urls[url]}]"


def _wrap(text: str, indent: str = "", subsequent: str | None = None) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _heading(text: str, level: int) -> str:
    lines = textwrap.wrap(" ".join(text.split()), WIDTH)
    width = max(len(line) for line in lines) if lines else 0
    if level <= 2:
        return "\n".join(line.upper() for line in lines) + "\n" + "=" * width
    if level == 3:
        return "\n".join(lines) + "\n" + "-" * width
    return "\n".join(lines) + ":"


def _para(para: Para, notes: _Notes, language: str) -> str:
    if para.quote:
        refs = "; ".join(notes.ref(c, language) for c in para.citations) or "source not given"
        return _wrap(f"“{para.text}”", "    > ") + "\n" + _wrap(f"— {refs}, quoted word for word", "      ")
    out = []
    for text, cites in para.parts:
        out.append(text)
        if cites:
            out.append(" (" + "; ".join(notes.ref(c, language) for c in cites) + ")")
    return _wrap("".join(out))


def render_text(edition: Edition, options: RenderOptions) -> str:
    """Render the plain-text part.

    Returns:
        Text with lines of at most 72 characters (URLs in the footnotes may be longer).
    """
    language = edition.language or "en"
    notes = _Notes()
    masthead = f"{options.newsletter}" + (f" · No. {edition.number}" if edition.number else "")
    out = [_wrap(f"{masthead} · {edition_date(edition)}")]
    if options.sample:
        out.append(_wrap(f"SAMPLE EDITION: {SAMPLE_NOTE}"))
    site = options.site_url.rstrip("/")
    if site:
        page = site + "/" + web_path(edition).removesuffix("index.html")
        out.append(f"Read on the web: {notes.url(page, 'This edition on the web')}")
    out.append(_heading(edition.headline, 1))
    if edition.dek.strip():
        out.append(_wrap(edition.dek))
    for section in layout_edition(edition):
        if section.key == "footer":
            out.append("-" * 24)
        if section.heading:
            out.append(_heading(section.heading, 2))
        for item in section.items:
            if item.heading:
                out.append(_heading(item.heading, item.level))
            body = [_para(p, notes, language) for p in item.paragraphs]
            if item.credits:
                body.append(_wrap("Reporting: " + ", ".join(item.credits)))
            chart = item.block.chart
            if chart is not None:
                body.append(_wrap(f"[Chart] {chart.alt}", "  "))
                if chart.source:
                    body.append(_wrap(chart.source, "  "))
            out.extend(body)
    if notes.lines:
        out.append(_heading("Links", 2))
        out.extend(notes.lines)
    return "\n\n".join(part.rstrip() for part in out if part.strip()) + "\n"
