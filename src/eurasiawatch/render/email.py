"""The HTML email: table layout, CSS inlined with css-inline, charts as ``cid:`` inline parts.

No remote resource of any kind (no web fonts, no tracking pixel, no remote image): everything the
message shows travels inside it, so it reads the same with images blocked and leaks nothing when
opened.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..records import Edition
from .common import RenderOptions, content_id, context_base, environment, static_text, web_path
from .fragments import item_html
from .layout import layout_edition

__all__ = ["GMAIL_CLIP_BYTES", "email_subject", "render_email"]

# Gmail clips a message whose HTML part is larger than about 102 KB.
GMAIL_CLIP_BYTES = 102 * 1024


def email_subject(edition: Edition, options: RenderOptions) -> str:
    """Subject line: the newsletter's name and the headline, on one line."""
    return " ".join(f"{options.newsletter}: {edition.headline}".split())


def render_email(edition: Edition, options: RenderOptions) -> tuple[str, tuple[tuple[str, str, bytes], ...]]:
    """Render the HTML part of the email and its inline parts.

    Returns:
        The HTML (CSS inlined) and the (content id, MIME type, bytes) of every chart it shows.
    """
    import css_inline

    language = edition.language or "en"
    parts: list[tuple[str, str, bytes]] = []
    sections: list[dict[str, Any]] = []
    for section in layout_edition(edition):
        items = []
        for item in section.items:
            chart = None
            if item.block.chart is not None and item.block.chart.png:
                cid = content_id(item.block.chart)
                if all(cid != p[0] for p in parts):
                    parts.append((cid, "image/png", item.block.chart.png))
                chart = {"src": f"cid:{cid}", "alt": item.block.chart.alt, "source": item.block.chart.source}
            items.append(
                {
                    "heading": item.heading,
                    "level": item.level,
                    "body": item_html(item, language),
                    "chart": chart,
                    "notice": item.block.kind == "notice",
                }
            )
        sections.append({"key": section.key, "heading": section.heading, "items": items})
    site = options.site_url.rstrip("/")
    html = (
        environment()
        .get_template("email.html.j2")
        .render(
            **context_base(edition, options),
            subject=email_subject(edition, options),
            sections=sections,
            web_url=f"{site}/{web_path(edition).removesuffix('index.html')}" if site else "",
            css=Markup(static_text("email.css")),
            media_css=Markup(static_text("email-media.css")),
        )
    )
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return inliner.inline(html), tuple(parts)
