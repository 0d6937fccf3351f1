"""Small HTML and colour helpers for the render tests."""

from __future__ import annotations

import itertools
import re

import lxml.html


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html.encode("utf-8"))


def heading_levels(doc: lxml.html.HtmlElement) -> list[int]:
    return [
        int(el.tag[1]) for el in doc.iter() if isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag)
    ]


def assert_no_skipped_headings(doc: lxml.html.HtmlElement) -> None:
    levels = heading_levels(doc)
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading skips from h{before} to h{after}: {levels}"


def _channel(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def style_value(style: str, prop: str) -> str | None:
    for decl in style.split(";"):
        name, _, value = decl.partition(":")
        if name.strip() == prop:
            return value.replace("!important", "").strip()
    return None


def hostile_markers(doc: lxml.html.HtmlElement) -> list[str]:
    """Anything that would run script: script/iframe/object elements, on* attributes, javascript: URLs."""
    found = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "iframe", "object", "embed", "form", "base", "svg"):
            found.append(f"<{el.tag}>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{el.tag}@{name}")
            if name in ("href", "src", "action", "formaction") and re.sub(
                r"\s", "", value
            ).lower().startswith(("javascript:", "data:", "vbscript:")):
                found.append(f"{el.tag}@{name}={value}")
    return found
