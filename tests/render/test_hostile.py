"""Text from feeds and pages is untrusted: hostile titles, outlets, quotes and URLs never run."""

from __future__ import annotations

from datetime import date

import feedparser

from eurasiawatch.records import Block, Chart, Citation, Edition
from eurasiawatch.render import RenderOptions, archive_entry, archive_files, render_edition

from .helpers import hostile_markers, parse

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'


def _hostile_edition() -> Edition:
    bad = Citation(
        article_id="bad",
        url="javascript:alert('url')",
        outlet=f"Evil {XSS} Outlet",
        title=f'"><svg onload=alert(4)> {XSS}',
        language='ru" onmouseover="alert(5)',
        authors=(f"Reporter {XSS}",),
    )
    odd = Citation(article_id="odd", url="https://ok.example/a?x=\"'><script>", outlet=None, title=XSS)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(6)</script>'
        '<a href="javascript:x"><rect onclick="y"/></a></svg>'
    )
    return Edition(
        edition_id="x</title><script>alert(7)</script>",
        send_date=date(2024, 7, 10),
        window_start=date(2024, 6, 26),
        window_end=date(2024, 7, 9),
        headline=f"Headline {XSS}",
        dek=f"Dek {XSS}",
        slug="../../etc/passwd",
        blocks=(
            Block(
                block_id="i", section="top", kind="intro", text=f"Intro {XSS} [1][2]", citations=(bad, odd)
            ),
            Block(
                block_id="q",
                section="lead",
                kind="lead",
                title=f"Lead {XSS}",
                text=f"> Quote {XSS} [1]",
                citations=(bad,),
                flags=("verbatim",),
            ),
            Block(
                block_id="s",
                section="supercontinent",
                kind="supercontinent_item",
                title=XSS,
                text=f"Item [1] {XSS}",
                citations=(bad,),
            ),
            Block(
                block_id="c",
                section=f"data{XSS}",
                kind="data_point",
                text="x",
                chart=Chart(chart_id=f"../{XSS}", alt='alt" onerror="alert(8)', png=b"\x89PNG", svg=svg),
            ),
        ),
    )


def test_hostile_input_never_reaches_the_output() -> None:
    edition = _hostile_edition()
    r = render_edition(edition)
    assert r.web_path.startswith("editions/2024/07/10/") and ".." not in r.web_path
    for html in (r.email_html, r.web_html):
        doc = parse(html)
        assert hostile_markers(doc) == []
        assert "alert(3)" not in " ".join(a.get("href", "") for a in doc.iter("a"))
        assert "Evil" in doc.text_content()  # shown, as text
    # plain text shows hostile text as text; only its footnote URLs could become links
    urls = [line.strip() for line in r.text.splitlines() if line.startswith("    ") and "://" in line]
    assert urls == ["https://ok.example/a?x=\"'><script>"]
    options = RenderOptions()
    files = archive_files([archive_entry(edition, options)], options)
    for path, data in files.items():
        assert ".." not in path
        if path.endswith(".html"):
            assert hostile_markers(parse(data.decode())) == []
        if path.endswith(".svg"):
            assert b"<script" not in data and b"onclick" not in data and b"javascript:" not in data
    feed = feedparser.parse(files["atom.xml"])
    assert not feed.bozo
    content = parse("<html><body>" + feed.entries[0].content[0].value + "</body></html>")
    assert hostile_markers(content) == []
    assert "<script" not in files["atom.xml"].decode()
