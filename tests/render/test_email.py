"""The HTML email of the sample edition: structure, accessibility, size, no remote resources."""

from __future__ import annotations

import email
import pickle
import re
from email import policy

from eurasiawatch.records import Edition, RenderedEdition
from eurasiawatch.render import GMAIL_CLIP_BYTES, RenderOptions, render_edition
from eurasiawatch.render.files import preview_message

from .helpers import assert_no_skipped_headings, contrast, parse, style_value


def test_render_edition_is_pure_and_picklable(edition: Edition, rendered: RenderedEdition) -> None:
    assert pickle.loads(pickle.dumps(render_edition)) is render_edition
    again = pickle.loads(pickle.dumps(render_edition))(pickle.loads(pickle.dumps(edition)), sample=True)
    assert again == rendered


def test_html_part_is_under_gmail_clip_size(rendered: RenderedEdition) -> None:
    size = len(rendered.email_html.encode("utf-8"))
    assert size < GMAIL_CLIP_BYTES, size
    assert size < 60 * 1024  # room left for a longer real edition


def test_email_sets_language_and_dark_mode(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    assert doc.get("lang") == "en"
    assert doc.find(".//meta[@name='color-scheme']").get("content") == "light dark"
    styles = " ".join(s.text or "" for s in doc.iter("style"))
    assert "prefers-color-scheme: dark" in styles
    assert "max-width: 620px" in styles or "max-width:620px" in styles


def test_css_is_inlined_and_layout_is_tables(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    tables = doc.findall(".//table")
    assert len(tables) >= 2 and all(t.get("role") == "presentation" for t in tables)
    paragraphs = doc.findall(".//p")
    assert paragraphs and all(p.get("style") for p in paragraphs)
    assert all(h.get("style") for h in doc.iter("h1", "h2", "h3", "h4"))
    # only at-rules stay in <style>; every plain rule went into style attributes
    for style in doc.iter("style"):
        assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", style.text or "").strip() == ""


def test_headings_in_order_and_every_section_present(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    assert_no_skipped_headings(doc)
    text = [h.text_content() for h in doc.iter("h2", "h3", "h4")]
    for expected in (
        "Finding Perspective",
        "Behind The Scenes",
        "Why It Matters",
        "Three More Stories",
        "What It Means",
        "The Details",
        "What You Need To Know",
        "Across The Supercontinent",
        "One Thing To Watch",
        "By The Numbers",
    ):
        assert expected in text, expected


def test_no_remote_resources_and_charts_travel_inline(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    assert not doc.findall(".//link") and not doc.findall(".//script")
    imgs = doc.findall(".//img")
    assert imgs
    for img in imgs:
        assert img.get("src", "").startswith("cid:")
        assert len(img.get("alt", "")) > 40
    cids = {img.get("src")[4:] for img in imgs}
    assert cids == {cid for cid, _, _ in rendered.inline_parts}
    for _, mime, data in rendered.inline_parts:
        assert mime == "image/png" and data.startswith(b"\x89PNG")
    lowered = rendered.email_html.lower()
    assert "@import" not in lowered and "@font-face" not in lowered and "url(" not in lowered
    for el in doc.iter():
        for name in ("src", "background", "poster"):
            assert not (el.get(name) or "").startswith(("http:", "https:", "//")), (el.tag, el.get(name))


def test_images_off_still_reads(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    for img in doc.iter("img"):
        img.getparent().remove(img)
    body = doc.text_content()
    assert "Across The Supercontinent" in body and "Bar chart of the sample corpus" not in body
    assert "Source: the eurasiawatch sample corpus" in body  # the caption stays beside the chart


def test_light_mode_text_meets_aa_contrast(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    checked = 0
    for el in doc.iter():
        if not isinstance(el.tag, str) or not el.text or not el.text.strip():
            continue
        colour = style_value(el.get("style", ""), "color")
        if not colour or not colour.startswith("#"):
            continue
        background = None
        node = el
        while node is not None and background is None:
            background = style_value(node.get("style", ""), "background-color")
            node = node.getparent()
        assert background, el.tag
        assert contrast(colour, background) >= 4.5, (el.tag, el.text[:40], colour, background)
        checked += 1
    assert checked > 20


def test_dark_mode_colours_meet_aa_contrast() -> None:
    from eurasiawatch.render.common import static_text

    css = static_text("email-media.css")
    dark = css[css.index("prefers-color-scheme: dark") :]
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", dark):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", body)
        if not colour:
            continue
        own = re.search(r"background-color:\s*(#[0-9a-f]{6})", body)
        for bg in [own.group(1)] if own else ["#1c1c1c", "#161616", "#262626"]:
            assert contrast(colour.group(1), bg) >= 4.5, (selector.strip(), colour.group(1), bg)
            checked += 1
    assert checked >= 10


def test_mime_message_carries_both_parts_and_the_chart(rendered: RenderedEdition) -> None:
    msg = email.message_from_bytes(preview_message(rendered), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    text, related = msg.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert image["Content-ID"] == f"<{rendered.inline_parts[0][0]}>"


def test_site_url_adds_a_web_link(edition: Edition) -> None:
    r = render_edition(edition, options=RenderOptions(site_url="https://briefing.example.org/"))
    doc = parse(r.email_html)
    links = [a.get("href") for a in doc.iter("a")]
    assert f"https://briefing.example.org/{r.web_path.removesuffix('index.html')}" in links
    assert "Read on the web: [1]" in r.text
