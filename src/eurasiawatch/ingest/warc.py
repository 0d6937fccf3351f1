"""WARC archives (as Common Crawl News publishes them) → ``Page`` records, via warcio.

Only ``response`` records count: their target URI is the article's URL, their ``WARC-Date`` the
fetch date, their HTTP payload (de-chunked and decompressed by warcio) the page. Requests,
metadata and warcinfo records are passed over silently; a response that is not a successful HTML
page becomes an ``ItemProblem`` with the reason. A ``warc`` source may also name a directory, whose
``*.warc`` / ``*.warc.gz`` files are read in name order.

warcio stops quietly at a gzip member cut off mid-record, and hands out a record whose body is
shorter than its declared length as if nothing were wrong, so both are checked here: a short body
and bytes left unread at the end of the file are reported instead of being lost without a word.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from ..errors import SourceError
from ..records import Page
from .files import ItemProblem, decode_html, is_http_url, local_path

__all__ = ["read_warc"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_WARC_SUFFIXES = (".warc", ".warc.gz")


def _warc_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        found = [p for p in sorted(path.iterdir()) if p.is_file() and p.name.lower().endswith(_WARC_SUFFIXES)]
        if found:
            return found
        raise SourceError(f"no .warc or .warc.gz files in {str(path)!r}")
    raise SourceError(f"WARC file {str(path)!r} does not exist")


def read_warc(location: str, *, source: str, max_bytes: int = 10_000_000) -> Iterator[Page | ItemProblem]:
    """Read the HTML responses of a WARC or WARC.gz file (or a directory of them), lazily.

    Args:
        location: the source's ``url``: a path or ``file://`` URL of a file or directory.
        source: name of the source, stamped on each page.
        max_bytes: larger response bodies are reported, not read.

    Returns:
        An iterator of pages (``fetched_at`` is the record's ``WARC-Date``) and problems.

    Raises:
        SourceError: the path does not exist or holds no WARC files (raised at once, not lazily).
    """
    files = _warc_files(local_path(location))
    return _iter_files(files, source=source, max_bytes=max_bytes)


def _iter_files(files: list[Path], *, source: str, max_bytes: int) -> Iterator[Page | ItemProblem]:
    for path in files:
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield ItemProblem(path.as_uri(), f"unreadable WARC file: {exc.strerror or exc}")
            continue
        with handle:
            yield from _iter_records(handle, path, source=source, max_bytes=max_bytes)


def _iter_records(
    handle: BinaryIO, path: Path, *, source: str, max_bytes: int
) -> Iterator[Page | ItemProblem]:
    size = os.fstat(handle.fileno()).st_size
    records = ArchiveIterator(handle)
    where = path.as_uri()
    try:
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # warcio raises many kinds on corrupt input; any means "stop here"
                yield ItemProblem(
                    f"{where}#offset={records.offset}",
                    f"unreadable WARC data at byte {records.offset}: {exc.__class__.__name__}: {exc}",
                )
                return
            if not record.rec_type:  # a header cut off after its first line
                offset = records.get_record_offset()
                yield ItemProblem(
                    f"{where}#offset={offset}", f"truncated WARC: incomplete record header at byte {offset}"
                )
                continue
            if record.rec_type != "response":
                continue
            yield _page(record, where, source=source, max_bytes=max_bytes)
        if records.offset < size:
            yield ItemProblem(
                f"{where}#offset={records.offset}",
                f"truncated WARC: {size - records.offset} bytes after byte {records.offset} could not be "
                "read (a cut-off gzip member or garbage at the end of the file)",
            )
    finally:
        records.close()


def _page(record: Any, where: str, *, source: str, max_bytes: int) -> Page | ItemProblem:
    """One response record → a Page, or the reason it is not one."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not is_http_url(uri):
        return ItemProblem(where, f"response record without an http(s) target URI ({uri[:80]!r})")
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http is not None else 0
    content_type = http.get_header("Content-Type") if http is not None else None
    if not 200 <= status < 300:
        return ItemProblem(uri, f"archived response is HTTP {status or 'without a status'}, not a page")
    mime = (content_type or "").split(";")[0].strip().lower()
    if not mime.startswith(_HTML_TYPES):
        return ItemProblem(uri, f"not an HTML page ({mime or 'no content type'}) in the archive")
    try:
        body = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # a broken chunked or gzip payload inside the record
        return ItemProblem(uri, f"unreadable archived payload: {exc.__class__.__name__}: {exc}")
    if len(body) > max_bytes:
        return ItemProblem(uri, f"archived body exceeds the {max_bytes}-byte cap")
    # Drain what the payload reader left (a gzip trailer, say): a body cut short by the end of the
    # file then shows as bytes still owed by the record's length-limited reader.
    while record.raw_stream.read(65536):
        pass
    missing = getattr(record.raw_stream, "limit", 0)
    if isinstance(missing, int) and missing > 0:
        return ItemProblem(uri, f"truncated WARC record: {missing} bytes of its body are missing")
    fetched = _warc_date(record.rec_headers.get_header("WARC-Date"))
    if fetched is None:
        return ItemProblem(uri, "response record without a valid WARC-Date")
    return Page(
        url=uri,
        final_url=uri,
        html=decode_html(body, content_type),
        fetched_at=fetched,
        source=source,
        status=status,
        content_type=content_type,
    )


def _warc_date(value: str | None) -> datetime | None:
    """``WARC-Date`` (ISO 8601, usually ``…Z``) as an aware UTC datetime."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
