"""``eurasiawatch cluster``: group articles from a file into stories, no database.

Input is JSON Lines, one article a line: ``{"id", "title", "text" | "html", "published", "url"?,
"outlet"?, "language"?}``. Output is one line per article, ``{"id", "story_id"}`` (``table`` adds
the story's title). Each article is annotated with the annotator and clustered by the same code as
the pipeline (``analyze.batch``). A line that cannot be read gives ``{"id", "error"}`` instead.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..analyze import DEFAULT_THRESHOLD, cluster_articles
from ..annotate import load_kb, user_kb_path
from ..errors import ExtractionError
from ..records import Article, Page
from . import app
from .common import console, err_console, runtime

_MAX_INPUT_BYTES = 200_000_000


class ClusterFormat(StrEnum):
    """How story assignments are printed."""

    jsonl = "jsonl"
    table = "table"


def _published(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _article(obj: dict[str, Any], item_id: str) -> Article:
    """The article of one input object (HTML goes through the extract stage)."""
    text, html = obj.get("text"), obj.get("html")
    title = obj.get("title") if isinstance(obj.get("title"), str) else None
    raw_url = obj.get("url")
    url = raw_url if isinstance(raw_url, str) else ""
    language = obj.get("language") if isinstance(obj.get("language"), str) else None
    outlet = obj.get("outlet") if isinstance(obj.get("outlet"), str) else None
    published = _published(obj.get("published"))
    if not isinstance(text, str) and isinstance(html, str):
        from ..extract import extract_article

        page = Page(url=url, final_url=url, html=html, fetched_at=datetime.now(UTC))
        extracted = extract_article(page)
        text = extracted.text
        title = title or extracted.title
        language = language or extracted.language
        published = published or extracted.published
    if not isinstance(text, str):
        raise ValueError('no "text" or "html" string')
    return Article(
        article_id=item_id,
        url=url,
        canonical_url=url,
        title=title,
        text=text,
        published=published,
        language=language,
        outlet=outlet,
    )


def _read(raw: bytes) -> tuple[list[Article], list[tuple[str, str]]]:
    """Articles in input order, and (id, reason) of the lines that could not be read."""
    articles: list[Article] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append((f"line {number}", f"malformed JSON on line {number}: {exc.msg}"))
            continue
        if not isinstance(obj, dict):
            errors.append((f"line {number}", f"line {number} is not a JSON object"))
            continue
        item_id = str(obj.get("id") or f"line {number}")
        if item_id in seen:
            errors.append((item_id, f"duplicate id on line {number}"))
            continue
        try:
            articles.append(_article(obj, item_id))
        except (ValueError, ExtractionError) as exc:
            errors.append((item_id, str(exc)))
            continue
        seen.add(item_id)
    return articles, errors


@app.command("cluster")
def cluster_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="A JSON Lines file of articles, or - for stdin.")] = "-",
    output: Annotated[
        ClusterFormat,
        typer.Option("--format", "-f", help="jsonl ({id, story_id} a line) or table (with titles)."),
    ] = ClusterFormat.jsonl,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Pair score (0-1) an article needs to join a story.")
    ] = DEFAULT_THRESHOLD,
) -> None:
    """Group articles into stories across outlets and languages, without a database.

    Each article is annotated, then clustered by the pipeline's own code. Exit status: 0 all ok,
    1 some lines could not be read (each gives {"id", "error"}), 2 nothing worked or bad usage.
    """
    if target != "-" and not Path(target).is_file():
        err_console.print(f"Error: no such file: {target}", highlight=False)
        raise typer.Exit(2)
    raw = sys.stdin.buffer.read() if target == "-" else Path(target).read_bytes()
    if len(raw) > _MAX_INPUT_BYTES:
        err_console.print(f"Error: input larger than {_MAX_INPUT_BYTES:,} bytes", highlight=False)
        raise typer.Exit(2)
    articles, errors = _read(raw)
    for item_id, reason in errors:
        err_console.print(f"failed: {item_id}: {reason}", highlight=False, markup=False)
    if not articles:
        if not errors:
            err_console.print("Error: no articles in the input", highlight=False)
        raise typer.Exit(2)
    kb = load_kb(user_kb_path(runtime(ctx).settings.data_path))
    result = cluster_articles(articles, kb, threshold=threshold)
    if output is ClusterFormat.jsonl:
        for article_id, story_id in result.assignments:
            typer.echo(json.dumps({"id": article_id, "story_id": story_id}, ensure_ascii=False))
        for item_id, reason in errors:
            typer.echo(json.dumps({"id": item_id, "error": reason}, ensure_ascii=False))
    else:
        table = Table("id", "story_id", "story")
        for article_id, story_id in result.assignments:
            table.add_row(article_id, story_id, result.stories[story_id].title)
        for item_id, reason in errors:
            table.add_row(item_id, "", f"[red]error: {reason}[/red]")
        console.print(table)
    if errors:
        err_console.print(
            f"{len(articles)} clustered into {len(result.stories)} stories, {len(errors)} failed",
            highlight=False,
        )
    raise typer.Exit(1 if errors else 0)
