"""The static archive: every edition's page at its dated path, an index page and the Atom feed.

``archive_files`` is pure (entries in, a mapping of relative paths to bytes out); ``write_archive``
and ``read_entries`` are the only functions that touch the disk. Every link in the archive is
relative, so the folder works from ``file://`` and can be copied to any mirror as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from ..records import Edition
from .archive_entry import ArchiveEntry, entry_for
from .atom import render_atom
from .common import RenderOptions, environment, web_path
from .web import edition_fragment, page, web_assets

__all__ = ["METADATA", "archive_entry", "archive_files", "read_entries", "render_index", "write_archive"]

METADATA = "edition.json"


def archive_entry(edition: Edition, options: RenderOptions) -> ArchiveEntry:
    """Render an edition for the archive (page, chart files and the feed's copy of its content)."""
    from . import render_edition

    rendered = render_edition(edition, options=options)
    folder = web_path(edition).removesuffix("index.html")
    site = options.site_url.rstrip("/")
    content = edition_fragment(edition, options, chart_prefix=(site + "/" if site else "") + folder)
    return entry_for(edition, rendered, web_assets(edition), str(content))


def render_index(entries: Sequence[ArchiveEntry], options: RenderOptions) -> str:
    """The archive's ``index.html``: every edition, newest first, linked by relative path."""
    ordered = sorted(entries, key=lambda e: (e.send_date, e.edition_id), reverse=True)
    views = [
        {
            "headline": e.headline,
            "dek": e.dek,
            "language": e.language or "en",
            "number": e.number,
            "date_iso": e.send_date.isoformat(),
            "date_text": f"{e.send_date.day} {e.send_date:%B %Y}",
            "href": e.web_path,
        }
        for e in ordered
    ]
    content = environment().get_template("index.html.j2").render(newsletter=options.newsletter, entries=views)
    return page(
        title=f"{options.newsletter}: all editions",
        description=f"Every edition of {options.newsletter}, newest first.",
        content=Markup(content),
        root="",
        lang=ordered[0].language if ordered else "en",
        options=options,
    )


def _check_path(path: str) -> str:
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or "\\" in path:
        raise ValueError(f"archive path {path!r} is not a plain relative path")
    return path


def archive_files(entries: Iterable[ArchiveEntry], options: RenderOptions) -> dict[str, bytes]:
    """Every file of the static site: edition pages and charts, ``edition.json``, index and feed.

    Raises:
        ValueError: two editions claim the same web path, or a path leaves the archive.
    """
    entries = list(entries)
    files: dict[str, bytes] = {}
    for e in entries:
        if e.web_path in files:
            raise ValueError(f"two editions at {e.web_path}: give one of them another slug")
        for path, data in e.files:
            files[_check_path(path)] = data
        files[_check_path(e.web_path.removesuffix("index.html") + METADATA)] = e.metadata().encode("utf-8")
    files["index.html"] = render_index(entries, options).encode("utf-8")
    files["atom.xml"] = render_atom(entries, options).encode("utf-8")
    return files


def write_archive(files: dict[str, bytes], dest: Path) -> list[Path]:
    """Write the files under ``dest`` (created if needed); returns the paths written."""
    written = []
    for rel, data in sorted(files.items()):
        target = dest / _check_path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def read_entries(root: Path) -> list[ArchiveEntry]:
    """Editions rendered under ``root`` (``root/editions/YYYY/MM/DD/<slug>/edition.json``)."""
    entries = []
    for meta in sorted(root.glob(f"editions/*/*/*/*/{METADATA}")):
        folder = meta.parent
        files = tuple(
            (p.relative_to(root).as_posix(), p.read_bytes())
            for p in sorted(folder.iterdir())
            if p.is_file() and p.name != METADATA
        )
        entries.append(ArchiveEntry.from_metadata(meta.read_text(encoding="utf-8"), files))
    return entries
