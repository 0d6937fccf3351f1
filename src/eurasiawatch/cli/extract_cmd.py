"""``eurasiawatch extract``: print the article in a page file, a folder of pages, stdin or a URL."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExtractionError
from ..extract import extract_article
from ..records import Article, Page
from . import app
from .common import AsOf, err_console, runtime

_MAX_BYTES = 10_000_000
_TIMEOUT = 20.0
_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


class OutputFormat(StrEnum):
    """How extracted articles are printed."""

    json = "json"
    text = "text"
    markdown = "markdown"


class _InputError(Exception):
    """A page could not be read (the CLI reports it like an extraction failure)."""


def _decode(data: bytes, name: str) -> str:
    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise _InputError(f"not a readable gzip file: {exc}") from None
    return data.decode("utf-8", errors="replace")


def _read_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _InputError(f"cannot read: {exc.strerror or exc}") from None
    return _decode(data, path.name)


def _fetch(url: str, user_agent: str) -> tuple[str, str]:
    """One GET with a timeout and a size cap; returns (final URL, text)."""
    import httpx

    try:
        with (
            httpx.Client(
                timeout=_TIMEOUT, follow_redirects=True, headers={"User-Agent": user_agent}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise _InputError(f"HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > _MAX_BYTES:
                    raise _InputError(f"response larger than {_MAX_BYTES} bytes")
                chunks.append(chunk)
            body = b"".join(chunks)
            encoding = response.charset_encoding or "utf-8"
            try:
                return str(response.url), body.decode(encoding, errors="replace")
            except LookupError:
                return str(response.url), body.decode("utf-8", errors="replace")
    except httpx.HTTPError as exc:
        raise _InputError(f"fetch failed: {type(exc).__name__}: {exc}") from None


def _sources(target: str, user_agent: str) -> Iterator[tuple[str, str, Callable[[], str]]]:
    """(label, url, read) for each page the argument names; ``read`` raises _InputError.

    Folder entries are read only when their turn comes, so one unreadable file fails alone.
    """
    if target == "-":
        yield "-", "", lambda: _decode(sys.stdin.buffer.read(), "-")
        return
    if "://" in target:
        final_url, html = _fetch(target, user_agent)
        yield target, final_url, lambda: html
        return
    path = Path(target)
    files = (
        sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(_SUFFIXES))
        if (path.is_dir())
        else [path]
    )
    for file in files:
        yield str(file), file.resolve().as_uri(), partial(_read_file, file)


def _as_json(label: str, article: Article) -> str:
    return json.dumps(
        {
            "path": label,
            "url": article.url,
            "canonical_url": article.canonical_url,
            "article_id": article.article_id,
            "title": article.title,
            "authors": list(article.authors),
            "published": article.published.isoformat() if article.published else None,
            "language": article.language,
            "outlet": article.outlet,
            "description": article.description,
            "lead_image": article.lead_image,
            "text": article.text,
        },
        ensure_ascii=False,
    )


def _as_markdown(article: Article) -> str:
    lines = [f"# {article.title or '(untitled)'}", ""]
    facts = [
        ", ".join(article.authors),
        article.published.isoformat() if article.published else "",
        article.outlet or "",
        article.language or "",
    ]
    if any(facts):
        lines += [" · ".join(f for f in facts if f), ""]
    lines += [f"<{article.canonical_url}>", "", article.text, ""]
    return "\n".join(lines)


def _as_text(article: Article) -> str:
    return f"{article.title or ''}\n\n{article.text}\n" if article.title else article.text + "\n"


@app.command("extract")
def extract_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="A page file (.html or .html.gz), a folder of them, an http(s) URL, or - for stdin."
        ),
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="json (one line per page), text or markdown.")
    ] = OutputFormat.json,
    min_chars: Annotated[int, typer.Option("--min-chars", help="Fail pages with less text than this.")] = 0,
    as_of: AsOf = None,
) -> None:
    """Extract the article text and metadata from pages and print them.

    Exit status: 0 all ok, 1 some pages failed, 2 nothing worked or bad usage.
    """
    if "://" in target and not target.lower().startswith(("http://", "https://")):
        err_console.print(f"Error: only http and https URLs can be fetched, not {target!r}", highlight=False)
        raise typer.Exit(2)
    if "://" not in target and target != "-" and not Path(target).exists():
        err_console.print(f"Error: no such file or folder: {target}", highlight=False)
        raise typer.Exit(2)
    rt = runtime(ctx)
    now = rt.clock(as_of).now()
    user_agent = rt.settings.fetch_user_agent if "://" in target else ""
    done = failed = 0
    try:
        for label, url, read in _sources(target, user_agent):
            try:
                page = Page(url=url, final_url=url, html=read(), fetched_at=now)
                article = extract_article(page, min_chars=min_chars, extracted_at=now)
            except (ExtractionError, _InputError) as exc:
                failed += 1
                err_console.print(f"failed: {label}: {exc}", highlight=False, markup=False)
                continue
            done += 1
            if output is OutputFormat.json:
                typer.echo(_as_json(label, article))
            elif output is OutputFormat.markdown:
                typer.echo(_as_markdown(article))
            else:
                typer.echo(_as_text(article))
    except _InputError as exc:
        err_console.print(f"failed: {target}: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    if done == 0:
        if failed == 0:
            err_console.print(f"Error: no .html or .html.gz files in {target}", highlight=False)
        raise typer.Exit(2)
    raise typer.Exit(1 if failed else 0)
