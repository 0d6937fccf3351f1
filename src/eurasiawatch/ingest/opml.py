"""OPML subscription lists, as feed readers export them: read with line numbers, write back.

Reading is two steps. ``defusedxml`` first refuses any document that declares entities or refers
to external ones, before anything is expanded (a "billion laughs" file fails at once, with its
line); only then does lxml, with entity resolution and network access off, build the tree whose
elements know their source lines. Outlines may nest to any depth (folders); an outline with an
``xmlUrl`` is a feed, one with only an ``htmlUrl`` is ignored unless it says ``kind="page"``.

Attributes read: ``xmlUrl``, ``htmlUrl``, ``title``/``text`` (the name), ``language``, and our own
``kind`` and ``outlet`` which ``write_opml`` adds (feed readers ignore attributes they do not know).
"""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
from lxml import etree

from ..records import Source
from .sourcelist import ListProblem, SourceList, make_source, merge_entries

__all__ = ["parse_opml", "write_opml"]

_MAX_BYTES = 20_000_000


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def parse_opml(data: bytes, *, allow_private: bool = False) -> SourceList:
    """Read an OPML document into sources.

    Args:
        data: the raw file.
        allow_private: mark every imported source as allowed to use loopback/private addresses.

    Returns:
        The sources (duplicates merged) and one problem per unusable outline, with its line; a
        document that cannot be read at all gives no sources and one problem.
    """
    if len(data) > _MAX_BYTES:
        return SourceList((), (ListProblem(1, f"file larger than {_MAX_BYTES} bytes"),))
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        what = type(exc).__name__
        return SourceList(
            (), (ListProblem(1, f"refused: the document declares or uses entities ({what}), not expanded"),)
        )
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        return SourceList((), (ListProblem(line, f"not well-formed XML: {exc}"),))
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:  # pragma: no cover - defusedxml parsed it just above
        return SourceList((), (ListProblem(exc.lineno or 1, f"not well-formed XML: {exc}"),))
    if etree.QName(root).localname.lower() != "opml":
        return SourceList(
            (), (ListProblem(root.sourceline or 1, f"root element is <{root.tag}>, not <opml>"),)
        )
    body = next((el for el in root if _local(el) == "body"), None)
    if body is None:
        return SourceList((), (ListProblem(root.sourceline or 1, "no <body> element"),))
    entries: list[tuple[int, Source | str]] = []
    for outline in body.iter():
        if not isinstance(outline.tag, str) or _local(outline) != "outline":
            continue
        attrs = {k.lower(): (v or "").strip() for k, v in outline.attrib.items() if isinstance(k, str)}
        kind = attrs.get("kind") or ""
        url = attrs.get("xmlurl") or (attrs.get("htmlurl") if kind == "page" else "")
        if not url:
            if attrs.get("type", "").lower() in {"rss", "atom"}:
                entries.append((outline.sourceline or 0, "feed outline without an xmlUrl"))
            continue  # a folder, or a link that is not a feed
        entries.append(
            (
                outline.sourceline or 0,
                make_source(
                    name=attrs.get("title") or attrs.get("text"),
                    url=url,
                    kind=kind or "feed",
                    language=attrs.get("language"),
                    outlet=attrs.get("outlet"),
                    allow_private=allow_private,
                ),
            )
        )
    return merge_entries(entries)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname.lower()


def write_opml(sources: list[Source] | tuple[Source, ...], *, title: str = "eurasiawatch sources") -> str:
    """The sources as an OPML 2.0 document, grouped in one folder per outlet.

    Args:
        sources: what to write, in order.
        title: the document's ``<head><title>``.

    Returns:
        The document text (UTF-8 declared).
    """
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for s in sources:
        parent = body
        if s.outlet:
            if s.outlet not in folders:
                folders[s.outlet] = etree.SubElement(body, "outline", text=s.outlet, title=s.outlet)
            parent = folders[s.outlet]
        attrs = {"text": s.name, "title": s.name, "type": "rss" if s.kind == "feed" else s.kind}
        attrs["xmlUrl" if s.kind != "page" else "htmlUrl"] = s.url
        if s.kind != "feed":
            attrs["kind"] = s.kind
        if s.language:
            attrs["language"] = s.language
        if s.outlet:
            attrs["outlet"] = s.outlet
        etree.SubElement(parent, "outline", **attrs)
    text = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text
