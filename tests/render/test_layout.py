"""Layout of any edition: heading levels never skip, unknown sections and empty editions still render."""

from __future__ import annotations

from datetime import date

import pytest

from eurasiawatch.records import Block, Citation, Edition
from eurasiawatch.render import render_edition
from eurasiawatch.render.layout import layout_edition, safe_url

from .helpers import assert_no_skipped_headings, parse


def _edition(*blocks: Block) -> Edition:
    return Edition(
        edition_id="e",
        send_date=date(2024, 5, 22),
        window_start=date(2024, 5, 8),
        window_end=date(2024, 5, 21),
        headline="A headline",
        blocks=blocks,
    )


def test_empty_edition_renders_every_channel() -> None:
    r = render_edition(_edition())
    assert r.web_path == "editions/2024/05/22/a-headline/index.html"
    for html in (r.email_html, r.web_html):
        assert_no_skipped_headings(parse(html))
    assert "A HEADLINE" in r.text and "LINKS" not in r.text


def test_sub_blocks_without_their_story_do_not_skip_levels() -> None:
    blocks = (
        Block(block_id="a", section="more", kind="the_details", text="Details."),
        Block(block_id="b", section="lead", kind="why_it_matters", text="Why."),
        Block(block_id="c", section="opinion", kind="column", title="A column", text="Text."),
        Block(block_id="d", section="footer", kind="about", title="About", text="About."),
    )
    sections = layout_edition(_edition(*blocks))
    assert [s.key for s in sections] == ["lead", "more", "opinion", "footer"]
    r = render_edition(_edition(*blocks))
    for html in (r.email_html, r.web_html):
        assert_no_skipped_headings(parse(html))


def test_markers_group_and_out_of_range_markers_drop() -> None:
    c = Citation(article_id="1", url="https://a.example/1", outlet="A")
    block = Block(
        block_id="x", section="top", kind="intro", text="One [1][2], two [1] [9] end.", citations=(c,)
    )
    (section,) = layout_edition(_edition(block))
    para = section.items[0].paragraphs[0]
    assert [len(cites) for _, cites in para.parts] == [1, 1, 0]
    assert para.text == "One, two end."


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.example/x", True),
        ("http://a.example", True),
        ("javascript:alert(1)", False),
        (" https://a.example", False),
        ("https://a.example/\nx", False),
        ("//a.example/x", False),
        ("data:text/html,x", False),
        ("", False),
    ],
)
def test_only_absolute_http_urls_become_links(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok
