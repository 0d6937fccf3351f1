"""The edition's web page (archive page at a dated path) and the page frame the archive index shares.

Pages are self-contained apart from chart SVGs written beside them: the stylesheet is inline and
every link is relative, so the archive works from ``file://`` and on any mirror.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..records import Edition
from .common import RenderOptions, chart_file, context_base, environment, static_text, web_path
from .fragments import item_html
from .layout import layout_edition

__all__ = ["edition_fragment", "page", "render_web_page", "root_prefix", "safe_svg", "web_assets"]


def root_prefix(path: str) -> str:
    """Relative prefix from a page at ``path`` back to the archive root (``../../`` …)."""
    return "../" * path.count("/")


def edition_fragment(edition: Edition, options: RenderOptions, *, chart_prefix: str = "") -> Markup:
    """The edition as an ``<article>`` element; chart images at ``chart_prefix`` + file name."""
    language = edition.language or "en"
    sections: list[dict[str, Any]] = []
    for section in layout_edition(edition):
        items = []
        for item in section.items:
            chart = item.block.chart
            view = None
            if chart is not None and chart.svg:
                view = {"src": chart_prefix + chart_file(chart), "alt": chart.alt, "source": chart.source}
            items.append(
                {
                    "heading": item.heading,
                    "level": item.level,
                    "body": item_html(item, language),
                    "chart": view,
                    "notice": item.block.kind == "notice",
                }
            )
        sections.append({"key": section.key, "heading": section.heading, "items": items})
    html = (
        environment()
        .get_template("edition.html.j2")
        .render(**context_base(edition, options), date_iso=edition.send_date.isoformat(), sections=sections)
    )
    return Markup(html)


def page(
    *, title: str, content: Markup, root: str, lang: str, options: RenderOptions, description: str = ""
) -> str:
    """Wrap content in the archive's page frame: skip link, header with navigation, main, footer."""
    return (
        environment()
        .get_template("page.html.j2")
        .render(
            title=" ".join(title.split()),
            description=" ".join(description.split()),
            content=content,
            root=root,
            lang=lang or "en",
            newsletter=options.newsletter,
            sample=options.sample,
            css=Markup(static_text("web.css")),
        )
    )


def render_web_page(edition: Edition, options: RenderOptions) -> str:
    """The edition's page, meant to be written at ``web_path(edition)`` inside the archive."""
    path = web_path(edition)
    return page(
        title=f"{edition.headline} · {options.newsletter}",
        description=edition.dek,
        content=edition_fragment(edition, options),
        root=root_prefix(path),
        lang=edition.language,
        options=options,
    )


def web_assets(edition: Edition) -> tuple[tuple[str, bytes], ...]:
    """Files the web page refers to (chart SVGs), as (path inside the archive, bytes)."""
    folder = web_path(edition).removesuffix("index.html")
    out: dict[str, bytes] = {}
    for block in edition.blocks:
        if block.chart is not None and block.chart.svg:
            out.setdefault(folder + chart_file(block.chart), safe_svg(block.chart.svg))
    return tuple(out.items())


def safe_svg(svg: str) -> bytes:
    """The SVG without scripts, event handlers, foreign objects or links leaving the file."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    root = etree.fromstring(svg.encode("utf-8"), parser)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).localname in ("script", "foreignObject", "iframe", "object", "embed"):
            el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            local = etree.QName(name).localname.lower()
            value = el.attrib[name].strip()
            lowered = value.lower().replace(" ", "")
            leaves = local == "href" and not value.startswith("#")
            if local.startswith("on") or leaves or "javascript:" in lowered or "url(http" in lowered:
                del el.attrib[name]
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
