"""The plain-text part reads on its own: 72 columns, headings, numbered footnotes."""

from __future__ import annotations

import re

from eurasiawatch.records import RenderedEdition


def test_lines_are_wrapped_at_72_columns(rendered: RenderedEdition) -> None:
    for line in rendered.text.splitlines():
        if line.strip().startswith("http"):
            continue
        assert len(line) <= 72, line


def test_headings_and_sample_mark(rendered: RenderedEdition) -> None:
    text = rendered.text
    assert "SAMPLE EDITION" in text
    for heading in ("THREE MORE STORIES\n===", "ACROSS THE SUPERCONTINENT\n===", "Finding Perspective\n---"):
        assert heading in text


def test_links_are_numbered_footnotes(rendered: RenderedEdition) -> None:
    body, notes = rendered.text.split("\nLINKS\n=====\n")
    refs = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    listed = [int(n) for n in re.findall(r"^\[(\d+)\]", notes, flags=re.M)]
    assert listed == list(range(1, len(listed) + 1))
    assert refs == set(listed)
    assert "http" not in body
    assert len(re.findall(r"^    https://", notes, flags=re.M)) == len(listed)


def test_quote_chart_and_credits_survive_in_text(rendered: RenderedEdition) -> None:
    text = rendered.text
    assert "    > “Но сама поездка Си в Казахстан" in text
    assert "quoted word for word" in text
    assert "[Chart] Bar chart" in text
    assert "Reporting: Jasur Toʻxtayev (Radio Steppe, Uzbek service)" in text
    assert "<" not in text.replace("<=", "")
