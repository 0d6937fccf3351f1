"""Render an edition for every channel: HTML email, plain text, web page, Atom feed, static archive.

``render_edition`` is pure: an ``Edition`` and options in, a ``RenderedEdition`` out, nothing read
from or written to the outside world (templates and CSS are package data).
"""

from __future__ import annotations

from ..records import Edition, RenderedEdition
from .archive import archive_entry, archive_files, read_entries, render_index, write_archive
from .archive_entry import ArchiveEntry
from .atom import render_atom
from .common import RenderOptions, web_path
from .email import GMAIL_CLIP_BYTES, email_subject, render_email
from .text import render_text
from .web import render_web_page, web_assets

__all__ = [
    "GMAIL_CLIP_BYTES",
    "ArchiveEntry",
    "RenderOptions",
    "archive_entry",
    "archive_files",
    "read_entries",
    "render_atom",
    "render_edition",
    "render_email",
    "render_index",
    "render_text",
    "render_web_page",
    "web_assets",
    "web_path",
    "write_archive",
]


def render_edition(
    edition: Edition,
    *,
    options: RenderOptions | None = None,
    newsletter: str | None = None,
    site_url: str | None = None,
    sample: bool | None = None,
) -> RenderedEdition:
    """Render an edition as email (HTML + text, charts as inline parts) and as its archive web page.

    Args:
        edition: any edition; blocks are laid out by section and kind (see ``records.Block``).
        options: all render settings at once; the keyword arguments below override its fields.
        newsletter: the newsletter's name, shown in the masthead and the subject.
        site_url: where the archive is published; empty leaves the email without a web link.
        sample: mark every channel as sample content.

    Returns:
        The rendered edition; ``web_path`` is the page's dated path inside the archive.
    """
    from dataclasses import replace

    opts = options or RenderOptions()
    if newsletter is not None:
        opts = replace(opts, newsletter=newsletter)
    if site_url is not None:
        opts = replace(opts, site_url=site_url)
    if sample is not None:
        opts = replace(opts, sample=sample)
    html, parts = render_email(edition, opts)
    return RenderedEdition(
        edition_id=edition.edition_id,
        subject=email_subject(edition, opts),
        email_html=html,
        text=render_text(edition, opts),
        web_html=render_web_page(edition, opts),
        web_path=web_path(edition),
        inline_parts=parts,
    )
