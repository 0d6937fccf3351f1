"""Input files of a backfill: a path, a folder or a glob → WARC / WARC.gz / JSON Lines files, read lazily.

WARC files go through the ingest stage's reader (``ingest.read_warc``) unchanged; JSON Lines dumps
(``.jsonl``, ``.jsonl.gz``) hold one article per line in the format of a ``folder`` source
(``{"url"?, "title"?, "text"|"html", "published"?, "language"?}``) and are streamed line by line, so
a dump of any size is read in constant memory.
"""

from __future__ import annotations

import glob
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SourceError
from ..ingest import ItemProblem, TextDocument, read_warc
from ..ingest.files import _json_line  # the line format of folder sources, shared on purpose
from ..records import Page

__all__ = ["InputFile", "find_inputs", "read_input"]

_WARC = (".warc", ".warc.gz")
_JSONL = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson", ".ndjson.gz")

Record = Page | TextDocument | ItemProblem


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to process: absolute path, kind and the size/mtime that identify this version of it."""

    path: str
    kind: str  # "warc" | "jsonl"
    size: int
    mtime_ns: int

    @property
    def name(self) -> str:
        """The file's name, for progress and reports."""
        return Path(self.path).name


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(_WARC):
        return "warc"
    if name.endswith(_JSONL):
        return "jsonl"
    return None


def find_inputs(pattern: str) -> list[InputFile]:
    """The WARC and JSON Lines files a path, folder (recursively) or glob names, in path order.

    Args:
        pattern: a file, a directory, or a glob (``crawl/*.warc.gz``, ``dumps/**/*.jsonl``).

    Returns:
        The files, each once.

    Raises:
        SourceError: nothing usable matches.
    """
    root = Path(pattern).expanduser()
    if root.is_dir():
        candidates = [p for p in root.rglob("*") if p.is_file()]
    elif root.is_file():
        candidates = [root]
    else:
        candidates = [Path(p) for p in glob.glob(str(root), recursive=True) if Path(p).is_file()]
    found: dict[str, InputFile] = {}
    for path in sorted(candidates):
        kind = _kind(path)
        if kind is None:
            continue
        resolved = path.resolve()
        stat = resolved.stat()
        found[str(resolved)] = InputFile(str(resolved), kind, stat.st_size, stat.st_mtime_ns)
    if not found:
        raise SourceError(f"no .warc, .warc.gz, .jsonl or .jsonl.gz files match {pattern!r}")
    return list(found.values())


def read_input(item: InputFile, *, source: str, fetched_at: datetime, max_bytes: int) -> Iterator[Record]:
    """The pages, text documents and problems of one input file, lazily.

    Args:
        item: the file.
        source: the source name stamped on each record.
        fetched_at: fetch time of JSON lines (a WARC record carries its own ``WARC-Date``).
        max_bytes: larger records are reported, not read.

    Raises:
        SourceError: the file cannot be opened.
    """
    if item.kind == "warc":
        return read_warc(item.path, source=source, max_bytes=max_bytes)
    return _read_jsonl(Path(item.path), source=source, fetched_at=fetched_at, max_bytes=max_bytes)


def _read_jsonl(path: Path, *, source: str, fetched_at: datetime, max_bytes: int) -> Iterator[Record]:
    try:
        # closed by _jsonl_lines, which owns it from here on
        raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")  # noqa: SIM115
    except OSError as exc:
        raise SourceError(f"unreadable file {str(path)!r}: {exc.strerror or exc}") from exc
    return _jsonl_lines(raw, path, source=source, fetched_at=fetched_at, max_bytes=max_bytes)


def _jsonl_lines(
    raw: io.BufferedIOBase | gzip.GzipFile, path: Path, *, source: str, fetched_at: datetime, max_bytes: int
) -> Iterator[Record]:
    where = path.as_uri()
    with raw:
        try:
            for number, line in enumerate(raw, start=1):
                url = f"{where}#line={number}"
                if len(line) > max_bytes:
                    yield ItemProblem(
                        url, f"line {number}: {len(line)} bytes exceed the {max_bytes}-byte cap"
                    )
                    continue
                text = line.decode("utf-8", errors="replace")
                if not text.strip():
                    continue
                try:
                    yield _json_line(text, url, source=source, fetched_at=fetched_at)
                except SourceError as exc:
                    yield ItemProblem(url, f"line {number}: {exc}")
        except (OSError, EOFError) as exc:  # a cut-off or corrupt gzip stream
            yield ItemProblem(where, f"unreadable JSON Lines data: {exc.__class__.__name__}: {exc}")
