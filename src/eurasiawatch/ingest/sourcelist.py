"""Lists of sources in CSV (``name,url,kind,language,outlet``): read with line numbers, write back.

Reading never stops at a bad row: each one becomes a ``ListProblem`` with its line number and the
rest are returned. Names and URLs are checked the same way as ``sources add`` checks them; the
``allow_private`` flag is never read from a file (a shared list must not be able to point the
fetcher at the local network), the importing command sets it.

The shipped list of regional outlets is ``data/sources/default.csv``; ``load_default_sources``
reads it. Its extra columns (``verified``, ``where_found``) say where each address was seen.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from ..records import Source

__all__ = [
    "CSV_COLUMNS",
    "KINDS",
    "ListProblem",
    "SourceList",
    "load_default_sources",
    "make_source",
    "parse_sources_csv",
    "plan_import",
    "write_sources_csv",
]

CSV_COLUMNS = ("name", "url", "kind", "language", "outlet")
KINDS = ("feed", "page", "sitemap", "warc", "folder")
_LOCAL_KINDS = frozenset({"warc", "folder"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})?$", re.IGNORECASE)
_MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class ListProblem:
    """A row or outline that was not imported, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class SourceList:
    """What a list held: the usable sources (duplicates merged, last wins) and the problems."""

    sources: tuple[Source, ...]
    problems: tuple[ListProblem, ...] = ()


def default_name(url: str) -> str:
    """The name ``sources add`` gives a URL: host and path without the trailing slash."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/") or url


def make_source(
    *,
    name: str | None,
    url: str | None,
    kind: str | None = None,
    language: str | None = None,
    outlet: str | None = None,
    allow_private: bool = False,
) -> Source | str:
    """Check one entry of a list and build its ``Source``.

    Args:
        name: short unique name; derived from the URL when empty.
        url: http(s) URL (a path is accepted for the local kinds ``warc`` and ``folder``).
        kind: one of ``KINDS``; empty means ``feed``.
        language: ISO 639 code (``en``, ``uz``, ``sr-Latn``) or empty.
        outlet: the outlet credited on articles, or empty.
        allow_private: set by the importer, never by the file.

    Returns:
        The source, or a message saying what is wrong with the entry.
    """
    url = (url or "").strip()
    kind = (kind or "").strip().lower() or "feed"
    if kind not in KINDS:
        return f"unknown kind {kind!r} (one of {', '.join(KINDS)})"
    if not url:
        return "no URL"
    parts = urlsplit(url)
    if kind not in _LOCAL_KINDS and (parts.scheme not in {"http", "https"} or not parts.netloc):
        return f"{url!r} is not an http(s) URL"
    name = " ".join((name or "").split()) or default_name(url)
    if len(name) > _MAX_NAME:
        return f"name longer than {_MAX_NAME} characters"
    language = (language or "").strip() or None
    if language is not None and not _LANGUAGE.match(language):
        return f"language {language!r} is not an ISO 639 code such as 'en' or 'sr-Latn'"
    outlet = " ".join((outlet or "").split()) or None
    return Source(
        name=name,
        url=url,
        kind=kind,
        language=language.lower() if language else None,
        outlet=outlet,
        allow_private=allow_private,
    )


def merge_entries(entries: list[tuple[int, Source | str]]) -> SourceList:
    """Problems for the bad entries; for the good ones one source per URL and per name (last wins).

    Two entries with the same URL are one source (the later one's fields win). Two different URLs
    under one name keep the first name and give the later one ``name (2)``.
    """
    problems: list[ListProblem] = []
    by_url: dict[str, Source] = {}
    names: dict[str, str] = {}  # name -> url
    for line, entry in entries:
        if isinstance(entry, str):
            problems.append(ListProblem(line, entry))
            continue
        if entry.url in by_url:
            entry = Source(
                name=by_url[entry.url].name,
                url=entry.url,
                kind=entry.kind,
                language=entry.language,
                outlet=entry.outlet,
                allow_private=entry.allow_private,
            )
        else:
            base, n = entry.name, 1
            name = base
            while name in names and names[name] != entry.url:
                n += 1
                name = f"{base} ({n})"
            if name != base:
                entry = Source(
                    name=name,
                    url=entry.url,
                    kind=entry.kind,
                    language=entry.language,
                    outlet=entry.outlet,
                    allow_private=entry.allow_private,
                )
        by_url[entry.url] = entry
        names[entry.name] = entry.url
    return SourceList(tuple(by_url.values()), tuple(problems))


def parse_sources_csv(text: str, *, allow_private: bool = False) -> SourceList:
    """Read a CSV list with a header row naming at least ``url`` (other columns optional).

    Known columns are ``name,url,kind,language,outlet``; others (``verified``, ``where_found``,
    ``allow_private``) are ignored.

    Args:
        text: the file's text.
        allow_private: mark every imported source as allowed to use loopback/private addresses.

    Returns:
        The sources and one problem per bad row, numbered by the row's first line in the file.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return SourceList((), (ListProblem(1, "empty file"),))
    except csv.Error as exc:
        return SourceList((), (ListProblem(1, f"unreadable header: {exc}"),))
    if "url" not in header:
        return SourceList((), (ListProblem(1, f"header has no 'url' column: {','.join(header)}"),))
    entries: list[tuple[int, Source | str]] = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            entries.append((line, f"unreadable row: {exc}"))
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            entries.append((start, f"{len(row)} fields but the header names {len(header)}"))
            continue
        values = dict(zip(header, row, strict=False))
        entries.append(
            (
                start,
                make_source(
                    name=values.get("name"),
                    url=values.get("url"),
                    kind=values.get("kind"),
                    language=values.get("language"),
                    outlet=values.get("outlet"),
                    allow_private=allow_private,
                ),
            )
        )
    return merge_entries(entries)


def write_sources_csv(sources: list[Source] | tuple[Source, ...]) -> str:
    """The sources as CSV with the columns ``name,url,kind,language,outlet``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sources:
        writer.writerow([s.name, s.url, s.kind, s.language or "", s.outlet or ""])
    return out.getvalue()


def load_default_sources() -> SourceList:
    """The shipped list of regional outlets (``data/sources/default.csv``); all unverified."""
    text = resources.files("eurasiawatch").joinpath("data/sources/default.csv").read_text(encoding="utf-8")
    return parse_sources_csv(text)


def plan_import(existing: list[Source], incoming: tuple[Source, ...]) -> list[tuple[Source, str]]:
    """Match imported sources to registered ones: by URL first (keeping the registered name), then by name.

    Args:
        existing: the registered sources.
        incoming: the sources read from a list.

    Returns:
        ``(source to upsert, "new" | "updated" | "unchanged")`` for each incoming source.
    """
    by_url = {s.url: s for s in existing}
    by_name = {s.name: s for s in existing}
    plan: list[tuple[Source, str]] = []
    for source in incoming:
        current = by_url.get(source.url) or by_name.get(source.name)
        if current is None:
            plan.append((source, "new"))
            continue
        merged = Source(
            name=current.name,
            url=source.url,
            kind=source.kind,
            language=source.language or current.language,
            outlet=source.outlet or current.outlet,
            allow_private=source.allow_private or current.allow_private,
        )
        plan.append((merged, "unchanged" if merged == current else "updated"))
    return plan
