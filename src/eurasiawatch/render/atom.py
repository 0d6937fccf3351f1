"""The Atom feed of editions (RFC 4287), newest first, with links relative to the archive root."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from .archive_entry import ArchiveEntry
from .common import RenderOptions, environment

__all__ = ["render_atom"]


def _timestamp(entry: ArchiveEntry) -> str:
    return datetime.combine(entry.send_date, time(6, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def render_atom(entries: Sequence[ArchiveEntry], options: RenderOptions) -> str:
    """Render ``atom.xml`` for the archive root.

    Links are relative to the feed unless ``options.site_url`` is set; ids are ``tag:`` URIs that do
    not change when the archive moves to a mirror.
    """
    ordered = sorted(entries, key=lambda e: (e.send_date, e.edition_id), reverse=True)
    site = options.site_url.rstrip("/")
    root = site + "/" if site else ""
    views = [
        {
            "headline": e.headline,
            "dek": e.dek,
            "language": e.language or "en",
            "href": e.web_path.removesuffix("index.html"),
            "atom_id": e.atom_id,
            "timestamp": _timestamp(e),
            "content": e.content_html,
        }
        for e in ordered
    ]
    updated = views[0]["timestamp"] if views else "1970-01-01T00:00:00Z"
    return (
        environment()
        .get_template("atom.xml.j2")
        .render(
            newsletter=options.newsletter,
            lang=ordered[0].language if ordered else "en",
            feed_id=f"tag:eurasiawatch,2024:{options.newsletter.lower().replace(' ', '-')}",
            updated=updated,
            root=root,
            entries=views,
        )
    )
