"""``eurasiawatch edition``: draft, list, show, edit, approve, render and publish editions."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..compose.gather import draft_stored
from ..compose.llm import LlmEndpoint
from ..compose.markdown import apply_markdown, edition_to_markdown
from ..editing import DraftRefused, compose_options, edition_language, next_send_date
from ..errors import StoreError
from ..records import Edition
from ..store import Database, open_database
from ..store import editions as store
from . import app
from .common import AsOf, Json, console, err_console, runtime

edition_app = typer.Typer(help="Draft, edit, approve and render editions.", no_args_is_help=True)
app.add_typer(edition_app, name="edition")

EditionId = Annotated[str, typer.Argument(help="The edition's id (see `edition list`).")]


def _db(ctx: typer.Context) -> Database:
    db = open_database(runtime(ctx).settings)
    db.ensure_current()
    return db


def _days(window: str) -> int:
    text = window.strip().lower().removesuffix("d")
    if not text.isdigit() or int(text) < 1:
        err_console.print(f"Error: --window {window!r} is not a number of days like 14d", highlight=False)
        raise typer.Exit(2)
    return int(text)


def _load(db: Database, edition_id: str) -> Edition:
    with db.begin() as conn:
        edition = store.load_edition(conn, edition_id)
    if edition is None:
        raise StoreError(f"no edition {edition_id!r}", hint="eurasiawatch edition list")
    return edition


@edition_app.command("draft")
def draft(
    ctx: typer.Context,
    window: Annotated[str, typer.Option("--window", help="Days ending at the clock, e.g. 14d.")] = "14d",
    since: Annotated[str | None, typer.Option("--since", help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day (YYYY-MM-DD).")] = None,
    send_date: Annotated[
        str | None, typer.Option("--send-date", help="The slot's date; default: the next scheduled send.")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help="The edition's language (ISO 639-1, e.g. ru): summaries come from articles in it. "
            "Default: en.",
            show_default=False,
        ),
    ] = None,
    llm_url: Annotated[
        str | None,
        typer.Option(
            "--llm-url",
            help="OpenAI-compatible endpoint to draft with (default: compose.llm_url; off when empty).",
            show_default=False,
        ),
    ] = None,
    llm_model: Annotated[
        str | None,
        typer.Option(
            "--llm-model", help="The endpoint's model name (default: compose.llm_model).", show_default=False
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Draft the edition for the window before the next send (re-drafting keeps edited blocks)."""
    rt = runtime(ctx)
    clock = rt.clock(as_of)
    try:
        end = date.fromisoformat(until) if until else clock.today()
        start = date.fromisoformat(since) if since else end - timedelta(days=_days(window) - 1)
        slot = date.fromisoformat(send_date) if send_date else next_send_date(rt.settings, clock)
    except ValueError as exc:
        err_console.print(f"Error: {exc}", highlight=False)
        raise typer.Exit(2) from None
    if start > end:
        err_console.print("Error: --since is after --until", highlight=False)
        raise typer.Exit(2)
    settings = rt.settings
    try:
        lang = edition_language(settings, language)
    except DraftRefused as exc:
        err_console.print(f"Error: --language: {exc}", highlight=False)
        raise typer.Exit(2) from None
    url = settings.compose_llm_url if llm_url is None else llm_url
    model = settings.compose_llm_model if llm_model is None else llm_model
    # the key comes from EURASIAWATCH_COMPOSE__LLM_API_KEY only (a secret: never from a file or option)
    llm = LlmEndpoint(url=url, model=model, api_key=settings.compose_llm_api_key) if url else None
    with _db(ctx) as db:
        edition, written = draft_stored(
            db,
            settings,
            clock,
            start=start,
            end=end,
            send_date=slot,
            options=replace(compose_options(settings), language=lang),
            llm=llm,
        )
    if any("empty" in b.flags for b in edition.blocks):
        err_console.print(
            f"No stories between {start} and {end}: drafted an empty skeleton ({edition.edition_id}).",
            highlight=False,
        )
    flagged = sum(1 for b in edition.blocks if set(b.flags) & {"verbatim", "uncited"})
    console.print(
        f"Drafted {edition.edition_id} for {slot} (window {start}..{end}): {len(edition.blocks)} blocks, "
        f"{written} changed, {flagged} flagged for the editor, "
        f"{sum(1 for b in edition.blocks if b.edited)} edited blocks kept.",
        highlight=False,
    )


@edition_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """Every edition, newest first."""
    import json

    with _db(ctx) as db, db.begin() as conn:
        rows = store.list_editions(conn)
    if as_json:
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False))
        return
    table = Table("id", "send", "window", "status", "slot", "headline")
    for r in rows:
        table.add_row(
            r["edition_id"],
            str(r["send_date"]),
            f"{r['window_start']}..{r['window_end']}",
            r["status"],
            str(r["slot"] or ""),
            r["headline"],
        )
    console.print(table)


@edition_app.command("show")
def show(ctx: typer.Context, edition_id: EditionId) -> None:
    """Print an edition as Markdown (the text `edit` opens)."""
    with _db(ctx) as db:
        edition = _load(db, edition_id)
    typer.echo(edition_to_markdown(edition))


@edition_app.command("edit")
def edit(
    ctx: typer.Context,
    edition_id: EditionId,
    author: Annotated[
        str | None, typer.Option("--author", help="Who edits (kept in each block's history).")
    ] = None,
) -> None:
    """Open the edition in $EDITOR as Markdown and store the changed blocks (validated)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        err_console.print("Error: set $EDITOR to edit an edition", highlight=False)
        raise typer.Exit(2)
    rt = runtime(ctx)
    with _db(ctx) as db:
        edition = _load(db, edition_id)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{edition_id}.md"
            path.write_text(edition_to_markdown(edition), encoding="utf-8")
            subprocess.run([*shlex.split(editor), str(path)], check=True)
            edited = apply_markdown(edition, path.read_text(encoding="utf-8"))
        with db.begin() as conn:
            written = store.save_edition(
                conn, edited, now=rt.clock().now(), author=author or os.environ.get("USER")
            )
    console.print(f"Saved {written} changed blocks of {edition_id}.", highlight=False)


@edition_app.command("approve")
def approve(
    ctx: typer.Context,
    edition_id: EditionId,
    slot: Annotated[str, typer.Option("--slot", help="The send slot's date (YYYY-MM-DD).")],
    by: Annotated[str | None, typer.Option("--by", help="Who approves.")] = None,
) -> None:
    """Approve an edition for a send slot (refused while blocks are empty or uncited)."""
    try:
        day = date.fromisoformat(slot)
    except ValueError:
        err_console.print(f"Error: --slot {slot!r} is not a date (YYYY-MM-DD)", highlight=False)
        raise typer.Exit(2) from None
    rt = runtime(ctx)
    with _db(ctx) as db:
        edition = _load(db, edition_id)
        blocking = [b.block_id for b in edition.blocks if set(b.flags) & {"empty", "uncited"}]
        if blocking:
            err_console.print(
                f"Error: blocks still flagged empty or uncited: {', '.join(blocking)}", highlight=False
            )
            raise typer.Exit(2)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        with db.begin() as conn:
            store.set_edition_status(
                conn, edition_id, "approved", now=rt.clock().now(), slot=moment, approved_by=by
            )
    console.print(f"Approved {edition_id} for {day}.", highlight=False)


def _write(ctx: typer.Context, edition: Edition, out: Path, *, archive: bool) -> list[Path]:
    from ..render import (
        RenderOptions,
        archive_entry,
        archive_files,
        read_entries,
        render_edition,
        write_archive,
    )
    from ..render.files import email_files

    options = RenderOptions()
    files = email_files(render_edition(edition, options=options))
    entries = [archive_entry(edition, options)]
    if archive:
        entries = [e for e in read_entries(out) if e.edition_id != edition.edition_id] + entries
    files.update(archive_files(entries, options))
    return write_archive(files, out)


@edition_app.command("render")
def render(
    ctx: typer.Context,
    edition_id: EditionId,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder; default <data dir>/out/drafts/<id>.")
    ] = None,
) -> None:
    """Render an edition (draft or not) as HTML email, text and web page for a look."""
    with _db(ctx) as db:
        edition = _load(db, edition_id)
    target = out or runtime(ctx).settings.data_path / "out" / "drafts" / edition_id
    _write(ctx, edition, target, archive=False)
    console.print(
        f"Rendered {edition_id} into {target}/ (email.html, email.txt, index.html)", highlight=False
    )


@edition_app.command("publish")
def publish(ctx: typer.Context, edition_id: EditionId) -> None:
    """Add an approved edition to the web archive under <data dir>/out/."""
    with _db(ctx) as db:
        edition = _load(db, edition_id)
    if edition.status == "draft":
        err_console.print(f"Error: {edition_id} is a draft; approve it first", highlight=False)
        raise typer.Exit(2)
    target = runtime(ctx).settings.data_path / "out"
    _write(ctx, edition, target, archive=True)
    console.print(f"Published {edition_id} into {target}/", highlight=False)
