"""``eurasiawatch annotate``: countries, entities, themes and events of articles in files, no database.

Input is a text or HTML file, or JSON Lines ``{"id", "title"?, "text" | "html", "published"?, "url"?}``
(a ``.jsonl`` file, or any input whose first character is ``{``). Each input gives one output object;
an item that cannot be annotated gives ``{"id", "error"}`` instead, and its reason on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..annotate import annotate_text, annotation_record, load_kb, user_kb_path
from ..errors import AnnotationError, ExtractionError
from . import app
from .common import console, err_console, runtime

_MAX_INPUT_BYTES = 50_000_000


class AnnotateFormat(StrEnum):
    """How annotations are printed."""

    jsonl = "jsonl"
    json = "json"
    table = "table"


@dataclass
class _Item:
    id: str
    title: str | None = None
    text: str | None = None
    html: str | None = None
    published: str | None = None
    url: str | None = None
    error: str | None = None


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith("<") and (
        "<html" in head or "<!doctype" in head or "<body" in head or "<p" in head
    )


def _items(raw: bytes, name: str) -> Iterator[_Item]:
    """The items of one input: JSON Lines (one per line) or one text/HTML document."""
    text = raw.decode("utf-8", errors="replace")
    if name.endswith((".jsonl", ".ndjson")) or text.lstrip().startswith("{"):
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            yield _parse_line(line, number)
        return
    label = Path(name).stem if name != "-" else "stdin"
    if _looks_like_html(text):
        yield _Item(id=label, html=text)
    else:
        yield _Item(id=label, text=text)


def _parse_line(line: str, number: int) -> _Item:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return _Item(id=f"line {number}", error=f"malformed JSON on line {number}: {exc.msg}")
    if not isinstance(obj, dict):
        return _Item(id=f"line {number}", error=f"line {number} is not a JSON object")
    item_id = str(obj.get("id") or f"line {number}")
    text, html = obj.get("text"), obj.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        return _Item(id=item_id, error='no "text" or "html" string')
    return _Item(
        id=item_id,
        title=obj.get("title") if isinstance(obj.get("title"), str) else None,
        text=text if isinstance(text, str) else None,
        html=html if isinstance(html, str) and not isinstance(text, str) else None,
        published=str(obj["published"]) if obj.get("published") else None,
        url=obj.get("url") if isinstance(obj.get("url"), str) else None,
    )


def _from_html(item: _Item) -> tuple[str, str | None, str | None, Any]:
    """Text, title, language and publication date of an HTML item, through the extract stage."""
    from ..extract import extract_article
    from ..records import Page

    url = item.url or ""
    page = Page(url=url, final_url=url, html=item.html or "", fetched_at=datetime.now(UTC))
    article = extract_article(page)
    return article.text, item.title or article.title, article.language, item.published or article.published


def _annotate(item: _Item, kb: Any) -> dict[str, Any]:
    if item.error:
        raise AnnotationError(item.error)
    language = None
    if item.html is not None:
        text, title, language, published = _from_html(item)
    else:
        text, title, published = item.text or "", item.title, item.published
    annotation = annotate_text(
        text, title=title, language=language, published=published, kb=kb, article_id=item.id
    )
    return annotation_record(annotation, item.id)


def _table(records: list[dict[str, Any]]) -> Table:
    table = Table("id", "language", "china", "countries", "entities", "themes", "events")
    for r in records:
        if "error" in r:
            table.add_row(r["id"], "", "", f"[red]error: {r['error']}[/red]", "", "", "")
            continue
        table.add_row(
            r["id"],
            r["language"] or "?",
            "yes" if r["china_related"] else "no",
            " ".join(r["countries"]),
            ", ".join(e["name"] for e in r["entities"]),
            ", ".join(r["themes"]),
            str(len(r["events"])),
        )
    return table


@app.command("annotate")
def annotate_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(help="A text or HTML file, a JSON Lines file of articles, or - for stdin."),
    ] = "-",
    output: Annotated[
        AnnotateFormat,
        typer.Option("--format", "-f", help="jsonl (one object a line), json (one array) or table."),
    ] = AnnotateFormat.jsonl,
) -> None:
    """Annotate articles: language, countries, entities, themes, events, whether China-related.

    Works on files, without a database. An item that fails prints its reason on stderr and an
    {"id", "error"} object in the output. Exit status: 0 all ok, 1 some items failed, 2 nothing
    worked or bad usage.
    """
    if target != "-" and not Path(target).is_file():
        err_console.print(f"Error: no such file: {target}", highlight=False)
        raise typer.Exit(2)
    raw = sys.stdin.buffer.read() if target == "-" else Path(target).read_bytes()
    if len(raw) > _MAX_INPUT_BYTES:
        err_console.print(f"Error: input larger than {_MAX_INPUT_BYTES:,} bytes", highlight=False)
        raise typer.Exit(2)
    kb = load_kb(user_kb_path(runtime(ctx).settings.data_path))
    done = failed = 0
    records: list[dict[str, Any]] = []
    for item in _items(raw, target):
        try:
            record = _annotate(item, kb)
            done += 1
        except (AnnotationError, ExtractionError) as exc:
            failed += 1
            reason = str(exc)
            err_console.print(f"failed: {item.id}: {reason}", highlight=False, markup=False)
            record = {"id": item.id, "error": reason}
        if output is AnnotateFormat.jsonl:
            typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            records.append(record)
    if output is AnnotateFormat.json:
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif output is AnnotateFormat.table:
        console.print(_table(records))
    if done == 0:
        if failed == 0:
            err_console.print("Error: no articles in the input", highlight=False)
        raise typer.Exit(2)
    if failed:
        err_console.print(f"{done} annotated, {failed} failed", highlight=False)
    raise typer.Exit(1 if failed else 0)
