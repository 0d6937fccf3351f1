"""``eurasiawatch stories``: list, show and edit stored stories; reprint counts; recluster."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from ..analyze.trends import parse_window
from ..analyzing import (
    ClusterReport,
    RankedStory,
    StoryDetail,
    cluster_stored,
    merge_stories,
    rank_window,
    reprints_in_window,
    set_flag,
    split_story,
    story_detail,
)
from ..annotating import load_user_kb
from ..errors import StoreError
from ..store import Database, open_database
from . import app
from .common import AsOf, Json, console, err_console, runtime

stories_app = typer.Typer(
    help="Stories: articles about one event across outlets and languages; editors merge, split, pin, hide.",
    no_args_is_help=True,
)
app.add_typer(stories_app, name="stories")

Window = Annotated[str, typer.Option("--window", help="Days ending at the clock: 14d, 2w, 7.")]
By = Annotated[
    str | None, typer.Option("--by", help="Who decides (kept with the decision).", show_default=False)
]


@contextmanager
def _editing(ctx: typer.Context) -> Iterator[Database]:
    """The database for an edit; an unknown or merged story is a usage error (status 2)."""
    with _db(ctx) as db:
        try:
            yield db
        except StoreError as exc:
            raise _usage(str(exc) + (f" ({exc.hint})" if exc.hint else "")) from None


def _usage(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def _days(window: str) -> int:
    try:
        return parse_window(window).days
    except ValueError as exc:
        raise _usage(f"--{exc}") from None


def _db(ctx: typer.Context) -> Database:
    db = open_database(runtime(ctx).settings)
    db.ensure_current()
    return db


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def _story_json(d: StoryDetail, score: float | None = None) -> dict[str, Any]:
    s = d.story
    out: dict[str, Any] = {
        "story_id": s.story_id,
        "title": s.title,
        "first_day": _day(s.first_day),
        "last_day": _day(s.last_day),
        "articles": len(s.article_ids),
        "outlets": list(s.outlets),
        "languages": list(s.languages),
        "countries": list(s.countries),
        "actors": list(s.actors[:10]),
        "themes": list(s.themes),
        "pinned": s.pinned,
        "hidden": s.hidden,
        "reprints": len(d.reprints),
    }
    if d.first is not None:
        out["first"] = {
            "article_id": d.first.article_id,
            "outlet": d.first.outlet,
            "language": d.first.language,
            "local_lead_days": d.first.local_lead_days,
        }
    if score is not None:
        out["score"] = round(score, 3)
    return out


def print_ranked(ranked: list[RankedStory], *, title: str, limit: int | None = None) -> None:
    """The ranking as a table: score, last day, title, outlets, languages, reprints."""
    table = Table(title=title)
    for name in ("score", "story", "last day", "title", "outlets", "langs", "reprints"):
        wrap = name in ("title", "outlets")
        table.add_column(name, no_wrap=not wrap, min_width={"title": 20, "outlets": 14}.get(name))
    for r in ranked[:limit] if limit else ranked:
        s = r.detail.story
        table.add_row(
            f"{r.score:.2f}" + ("*" if s.pinned else ""),
            s.story_id,
            _day(s.last_day),
            s.title,
            "; ".join(s.outlets),
            ",".join(s.languages),
            str(len(r.detail.reprints)),
        )
    if any(r.detail.story.pinned for r in ranked):
        table.caption = "* pinned by an editor"
    console.print(table)


def print_cluster_report(report: ClusterReport) -> None:
    """One line: articles placed, how many joined existing stories, stories opened."""
    console.print(
        f"stories: {report.clustered} articles clustered ({report.joined} joined existing stories, "
        f"{report.new_stories} new stories)" + (" — reclustered from scratch" if report.reclustered else ""),
        highlight=False,
    )


@stories_app.command("list")
def list_(
    ctx: typer.Context,
    window: Window = "14d",
    hidden: Annotated[bool, typer.Option("--hidden", help="Include hidden stories.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 0,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """Stories of the window, ranked (pinned first, hidden left out)."""
    days = _days(window)
    rt = runtime(ctx)
    with _db(ctx) as db:
        ranked = rank_window(db, rt.settings, rt.clock(as_of), days=days, include_hidden=hidden)
    if as_json:
        rows = [_story_json(r.detail, r.score) for r in (ranked[:limit] if limit else ranked)]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    print_ranked(ranked, title=f"stories of the last {days} days", limit=limit or None)


@stories_app.command("show")
def show(
    ctx: typer.Context,
    story_id: Annotated[str, typer.Argument(help="The story's id.", show_default=False)],
    as_json: Json = False,
) -> None:
    """One story: its articles, who reported first, and its reprint chains."""
    rt = runtime(ctx)
    with _db(ctx) as db:
        detail = story_detail(db, rt.settings, story_id, kb=load_user_kb(rt.settings))
    if detail is None:
        raise _usage(f"no story {story_id!r} (see `eurasiawatch stories list`)")
    reprint_of = {r.article_id: r for r in detail.reprints}
    if as_json:
        out = _story_json(detail)
        out["merged_into"] = detail.merged_into
        out["article_ids"] = list(detail.story.article_ids)
        out["by_editor"] = sorted(detail.by_editor)
        out["reprint_chains"] = [
            {
                "article_id": r.article_id,
                "source_id": r.source_id,
                "agency": r.agency,
                "outlet": r.outlet,
                "how": r.how,
            }
            for r in detail.reprints
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    s = detail.story
    if detail.merged_into:
        console.print(f"{s.story_id} was merged into {detail.merged_into}", highlight=False)
        return
    flags = " ".join(f for f, on in (("pinned", s.pinned), ("hidden", s.hidden)) if on)
    console.print(f"[bold]{s.title}[/bold]  {s.story_id} {flags}", highlight=False)
    console.print(
        f"{_day(s.first_day)} – {_day(s.last_day)}; {len(s.article_ids)} articles, "
        f"{len(s.outlets)} outlets, languages {', '.join(s.languages)}; "
        f"countries {', '.join(s.countries[:8])}",
        highlight=False,
    )
    if detail.first is not None:
        lead = detail.first.local_lead_days
        console.print(
            f"first: {detail.first.outlet} ({detail.first.language}, {detail.first.article_id})"
            + (f"; local-language coverage ran {lead} day(s) ahead of English" if lead is not None else ""),
            highlight=False,
        )
    table = Table("day", "lang", "outlet", "article", "title", "reprint of", title="articles")
    for sig, _ in detail.members:
        r = reprint_of.get(sig.article_id)
        chain = f"{r.agency or '?'} {r.source_id or '(copy not seen)'} [{r.how}]" if r else ""
        mark = " (editor)" if sig.article_id in detail.by_editor else ""
        table.add_row(
            date.fromordinal(sig.day).isoformat() if sig.day else "",
            sig.language or "",
            sig.outlet or "",
            sig.article_id + mark,
            sig.title,
            chain,
        )
    console.print(table)


@stories_app.command("reprints")
def reprints(ctx: typer.Context, window: Window = "14d", as_json: Json = False, as_of: AsOf = None) -> None:
    """Reprints of Chinese state media in the window's stories, counted per outlet and per country."""
    days = _days(window)
    rt = runtime(ctx)
    with _db(ctx) as db:
        found, per_outlet, per_country = reprints_in_window(
            db, rt.settings, rt.clock(as_of), days=days, kb=load_user_kb(rt.settings)
        )
    if as_json:
        out = {
            "reprints": len(found),
            "per_outlet": dict(per_outlet.most_common()),
            "per_country": dict(per_country.most_common()),
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    console.print(f"{len(found)} reprints of Chinese state media in the last {days} days", highlight=False)
    for name, counter in (("outlet", per_outlet), ("country", per_country)):
        table = Table(name, "reprints", title=f"per {name}")
        for key, n in counter.most_common():
            table.add_row(key or "?", str(n))
        console.print(table)


@stories_app.command("merge")
def merge(
    ctx: typer.Context,
    into: Annotated[str, typer.Argument(help="The story that stays.", show_default=False)],
    others: Annotated[list[str], typer.Argument(help="Stories merged into it.", show_default=False)],
    by: By = None,
) -> None:
    """Merge stories into the first one; the decision survives re-clustering."""
    rt = runtime(ctx)
    with _editing(ctx) as db:
        merged = merge_stories(db, into, others, clock=rt.clock(), by=by)
    console.print(f"merged {', '.join(merged) or 'nothing'} into {into}", highlight=False)


@stories_app.command("split")
def split(
    ctx: typer.Context,
    story_id: Annotated[str, typer.Argument(help="The story to split.", show_default=False)],
    article_ids: Annotated[
        list[str], typer.Argument(help="Articles that form a new story.", show_default=False)
    ],
    by: By = None,
) -> None:
    """Move articles out of a story into a new one; the decision survives re-clustering."""
    rt = runtime(ctx)
    with _editing(ctx) as db:
        new_id = split_story(db, story_id, article_ids, clock=rt.clock(), by=by)
    console.print(f"split {len(set(article_ids))} articles out of {story_id} into {new_id}", highlight=False)


def _flag_command(kind: str, doc: str) -> None:
    def command(
        ctx: typer.Context,
        story_id: Annotated[str, typer.Argument(help="The story's id.", show_default=False)],
        by: By = None,
    ) -> None:
        rt = runtime(ctx)
        with _editing(ctx) as db:
            set_flag(db, story_id, kind, clock=rt.clock(), by=by)
        console.print(
            f"{kind}ned {story_id}" if kind.endswith("pin") else f"{kind} {story_id}: done", highlight=False
        )

    command.__doc__ = doc
    stories_app.command(kind)(command)


_flag_command("pin", "Pin a story: it ranks above every unpinned one.")
_flag_command("unpin", "Undo a pin.")
_flag_command("hide", "Hide a story from lists and rankings.")
_flag_command("unhide", "Show a hidden story again.")


@stories_app.command("recluster")
def recluster(ctx: typer.Context) -> None:
    """Rebuild every machine assignment from scratch, keeping every editor's decision."""
    rt = runtime(ctx)
    with _db(ctx) as db:
        report = cluster_stored(db, rt.settings, rt.clock(), recluster=True)
    print_cluster_report(report)
