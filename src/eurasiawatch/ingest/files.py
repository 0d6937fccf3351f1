"""Local sources: where they live on disk, and folders of saved articles → ``Page`` / ``TextDocument``.

A ``folder`` source is a directory (read recursively, hidden entries skipped) of

- ``.html`` / ``.htm`` and their ``.gz`` forms: a saved page, extracted like a fetched one;
- ``.txt``: the title on line 1, then the text (paragraphs split at blank lines, or one per line
  when there are none);
- ``.jsonl``: one article per line, ``{"url"?, "title"?, "text"|"html", "published"?, "language"?}``.

Other files are ignored. Items without a URL of their own are keyed on the file's ``file://`` URL
(``#line=N`` for a JSON line), so reading the folder again finds the same article ids. Nothing here
touches the network, and every file that cannot be used becomes one ``ItemProblem`` with its reason
while the rest of the folder is still read.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import SourceError
from ..records import FeedItem, Page

__all__ = [
    "LOCAL_KINDS",
    "SOURCE_KINDS",
    "ItemProblem",
    "TextDocument",
    "decode_html",
    "is_http_url",
    "local_path",
    "read_folder",
    "source_location",
]

#: Every ``Source.kind`` the pipeline handles.
SOURCE_KINDS = ("feed", "page", "sitemap", "warc", "folder")
#: Kinds read from the local disk: ``Source.url`` is a path or a ``file://`` URL.
LOCAL_KINDS = frozenset({"warc", "folder"})

_HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextDocument:
    """A plain-text article read from a file: no HTML to extract, only a title and the text."""

    url: str
    text: str
    fetched_at: datetime
    title: str | None = None
    published: datetime | None = None
    language: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ItemProblem:
    """One item of a local source that could not be read, and why."""

    url: str
    reason: str


def local_path(location: str) -> Path:
    """The filesystem path of a local source's ``url``: a path, ``~/path`` or a ``file://`` URL."""
    if location.startswith("file:"):
        parts = urlsplit(location)
        if parts.netloc not in {"", "localhost"}:
            raise SourceError(f"file URL {location!r} names a host; only local files are read")
        return Path(unquote(parts.path))
    return Path(location).expanduser()


def source_location(location: str, kind: str) -> str:
    """Check and normalise the ``url`` of a new source for its kind.

    Args:
        location: what the user gave: an http(s) URL, or for local kinds a path or file:// URL.
        kind: one of ``SOURCE_KINDS``.

    Returns:
        The http(s) URL unchanged, or the absolute path of a local source.

    Raises:
        SourceError: unknown kind, a network kind without an http(s) URL, or a local path that
            does not exist (or is not a directory, for ``folder``).
    """
    if kind not in SOURCE_KINDS:
        raise SourceError(f"unknown source kind {kind!r}", hint="choose one of " + ", ".join(SOURCE_KINDS))
    if kind not in LOCAL_KINDS:
        parts = urlsplit(location)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise SourceError(
                f"{location!r} is not an http(s) URL",
                hint="local paths are accepted for --kind warc and --kind folder",
            )
        return location
    path = local_path(location).resolve()
    if not path.exists():
        raise SourceError(f"{str(path)!r} does not exist")
    if kind == "folder" and not path.is_dir():
        raise SourceError(f"{str(path)!r} is not a directory", hint="--kind folder reads a directory")
    return str(path)


def decode_html(body: bytes, content_type: str | None = None, *, strict: bool = False) -> str:
    """HTML bytes to text: BOM, then the HTTP charset, UTF-8, the ``<meta>`` charset, then cp1252.

    Args:
        body: the raw bytes.
        content_type: a Content-Type header whose ``charset=`` is tried first.
        strict: raise instead of falling back to cp1252 with replacement characters.

    Raises:
        SourceError: (strict only) no declared or guessed encoding decodes the bytes.
    """
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: list[str | None] = ["utf-16"]
    else:
        candidates = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip("\"'"))
    candidates.append("utf-8-sig")
    declared = _CHARSET.search(body[:4096])
    if declared:
        candidates.append(declared.group(1).decode("ascii").lower())
    for encoding in candidates:
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    if strict:
        tried = ", ".join(dict.fromkeys(c for c in candidates if c))
        raise SourceError(f"undecodable: not valid in any of {tried}")
    return body.decode("cp1252", errors="replace")


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise SourceError(f"broken gzip data ({exc})") from None
    if len(out) > max_bytes:
        raise SourceError(f"more than {max_bytes} bytes once decompressed")
    if not inflater.eof:
        raise SourceError("truncated gzip data")
    return out


def _when(value: object) -> datetime | None:
    """An ISO 8601 date or datetime as UTC (naive taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def is_http_url(url: str) -> bool:
    """Whether ``url`` is a well-formed absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port out of range is no URL either
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _read_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"undecodable: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if "\x00" in text:
        raise SourceError("undecodable: the file holds binary data (NUL bytes)")
    return text


def _text_file(path: Path, data: bytes, *, source: str, fetched_at: datetime) -> TextDocument:
    text = _read_text(data).replace("\r\n", "\n")
    title, _, body = text.strip().partition("\n")
    if not body.strip():
        raise SourceError("no text after the title line (a .txt file is the title on line 1, then the text)")
    return TextDocument(
        url=path.as_uri(),
        title=title.strip() or None,
        text=body.strip(),
        fetched_at=fetched_at,
        source=source,
    )


def _html_file(path: Path, data: bytes, *, source: str, fetched_at: datetime, max_bytes: int) -> Page:
    if path.name.lower().endswith(".gz"):
        data = _gunzip(data, max_bytes)
    html = decode_html(data, strict=True)
    url = path.as_uri()
    return Page(
        url=url, final_url=url, html=html, fetched_at=fetched_at, source=source, content_type="text/html"
    )


def _json_line(line: str, url: str, *, source: str, fetched_at: datetime) -> Page | TextDocument:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"not a JSON object: {exc}") from None
    if not isinstance(record, dict):
        raise SourceError(f"not a JSON object but a JSON {type(record).__name__}")
    given = _text(record.get("url"))
    if given is not None and not is_http_url(given):
        raise SourceError(f"'url' is not an http(s) URL: {given[:80]!r}")
    url = given or url
    title = _text(record.get("title"))
    published = _when(record.get("published"))
    language = (_text(record.get("language")) or "").split("-")[0].lower() or None
    html, text = _text(record.get("html")), _text(record.get("text"))
    if html is not None:
        item = FeedItem(source=source, url=url, title=title, published=published, language=language)
        return Page(
            url=url, final_url=url, html=html, fetched_at=fetched_at, source=source, feed_item=item,
            content_type="text/html",
        )  # fmt: skip
    if text is None:
        raise SourceError("neither 'text' nor 'html' holds a non-empty string")
    return TextDocument(
        url=url, title=title, text=text, published=published, language=language,
        fetched_at=fetched_at, source=source,
    )  # fmt: skip


def _jsonl_file(
    path: Path, data: bytes, *, source: str, fetched_at: datetime
) -> Iterator[Page | TextDocument | ItemProblem]:
    try:
        text = _read_text(data)
    except SourceError as exc:
        yield ItemProblem(path.as_uri(), str(exc))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        url = f"{path.as_uri()}#line={number}"
        try:
            yield _json_line(line, url, source=source, fetched_at=fetched_at)
        except SourceError as exc:
            yield ItemProblem(url, f"line {number}: {exc}")


def _folder_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part.startswith(".") for part in relative) or not path.is_file():
            continue
        yield path


def read_folder(
    location: str, *, source: str, fetched_at: datetime, max_bytes: int = 10_000_000
) -> Iterator[Page | TextDocument | ItemProblem]:
    """Read a folder of saved articles, lazily, one item per HTML/text file or JSON line.

    Args:
        location: the source's ``url``: a directory path or ``file://`` URL.
        source: name of the source, stamped on each item.
        fetched_at: when the run read the files (from its clock).
        max_bytes: larger files (or decompressed ``.gz`` files) are reported, not read.

    Returns:
        An iterator of pages (HTML to extract), text documents and problems, in path order.

    Raises:
        SourceError: the folder does not exist or is not a directory (raised at once, not lazily).
    """
    root = local_path(location)
    if not root.is_dir():
        raise SourceError(f"folder {str(root)!r} does not exist or is not a directory")
    return _iter_folder(root, source=source, fetched_at=fetched_at, max_bytes=max_bytes)


def _iter_folder(
    root: Path, *, source: str, fetched_at: datetime, max_bytes: int
) -> Iterator[Page | TextDocument | ItemProblem]:
    for path in _folder_files(root):
        name = path.name.lower()
        if not name.endswith((*_HTML_SUFFIXES, ".txt", ".jsonl")):
            continue
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise SourceError(f"file of {size} bytes exceeds the {max_bytes}-byte cap")
            data = path.read_bytes()
        except OSError as exc:
            yield ItemProblem(path.as_uri(), f"unreadable file: {exc.strerror or exc}")
            continue
        except SourceError as exc:
            yield ItemProblem(path.as_uri(), str(exc))
            continue
        if name.endswith(".jsonl"):
            yield from _jsonl_file(path, data, source=source, fetched_at=fetched_at)
            continue
        try:
            if name.endswith(".txt"):
                yield _text_file(path, data, source=source, fetched_at=fetched_at)
            else:
                yield _html_file(path, data, source=source, fetched_at=fetched_at, max_bytes=max_bytes)
        except SourceError as exc:
            yield ItemProblem(path.as_uri(), str(exc))
