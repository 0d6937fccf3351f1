"""``eurasiawatch kb``: browse and extend the knowledge base, and decide editors' suggestions for it.

``suggestions``, ``accept`` and ``reject`` are the command-line twin of the desk's ``/desk/kb`` queue
(``eurasiawatch.kb_review``); decisions made here are audited as ``(cli)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from .. import kb_review
from ..annotate.kb import (
    ACTOR_TYPES,
    KnowledgeBase,
    load_kb,
    merge_user_entries,
    read_user_entries,
    user_kb_path,
)
from ..annotate.wikidata import DEFAULT_ENDPOINT, check_qids, unverified_qids
from ..errors import EurasiawatchError
from ..store import kb_suggestions as kb_store
from ..store import open_database
from . import app
from .common import AsOf, Json, console, err_console, runtime

kb_app = typer.Typer(
    help="Browse the knowledge base (countries, regions, actors) and add your own entries.",
    no_args_is_help=True,
)
app.add_typer(kb_app, name="kb")

UserFile = Annotated[
    Path | None,
    typer.Option(
        "--user-file",
        help="Your own entries (YAML or CSV); default <data_dir>/kb/user.yaml.",
        show_default=False,
    ),
]


def _fail(exc: EurasiawatchError) -> NoReturn:
    err_console.print(f"[red]Error:[/red] {exc}" + (f" ({exc.hint})" if exc.hint else ""), highlight=False)
    raise typer.Exit(2)


def _user_file(ctx: typer.Context, user_file: Path | None) -> Path:
    return user_file if user_file is not None else user_kb_path(runtime(ctx).settings.data_path)


def _load(ctx: typer.Context, user_file: Path | None) -> KnowledgeBase:
    try:
        return load_kb(_user_file(ctx, user_file))
    except EurasiawatchError as exc:
        _fail(exc)


@kb_app.command("list")
def list_(
    ctx: typer.Context,
    type_: Annotated[
        str | None, typer.Option("--type", help=f"Only this type ({', '.join(ACTOR_TYPES)}).")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Only this home country (ISO code).")
    ] = None,
    user_file: UserFile = None,
    as_json: Json = False,
) -> None:
    """List actors, optionally of one type and/or home country."""
    if type_ and type_ not in ACTOR_TYPES:
        err_console.print(f"[red]Error:[/red] unknown type {type_!r} (one of {', '.join(ACTOR_TYPES)})")
        raise typer.Exit(2)
    kb = _load(ctx, user_file)
    actors = list(kb.filter(type=type_, country=country))
    if as_json:
        console.print_json(json.dumps([a.to_mapping() for a in actors], ensure_ascii=False))
        return
    table = Table("id", "name", "type", "country", "qid", title=f"{len(actors)} actors ({kb.version})")
    for actor in actors:
        qid = actor.qid + ("" if actor.qid_verified or not actor.qid else " ?")
        table.add_row(actor.id, actor.name, actor.type, actor.country, qid)
    console.print(table)


@kb_app.command("show")
def show(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="An actor id, name or alias; a country code or name.")],
    user_file: UserFile = None,
    as_json: Json = False,
) -> None:
    """Show everything the knowledge base holds about one actor or country (exit 1 if unknown)."""
    kb = _load(ctx, user_file)
    found: list[dict[str, Any]] = [{**a.to_mapping(), "source": a.source} for a in kb.find(what)]
    country = kb.country_by_name(what)
    if country is not None:
        found.append(
            {
                "code": country.code,
                "name": country.name,
                "qid": country.qid,
                "capital": country.capital,
                "names": {k: list(v) for k, v in country.names.items()},
                "demonyms": {k: list(v) for k, v in country.demonyms.items()},
                "regions": [r.name for r in kb.regions.values() if country.code in r.members],
            }
        )
    if not found:
        err_console.print(f"nothing in the knowledge base is called {what!r}")
        raise typer.Exit(1)
    if as_json:
        console.print_json(json.dumps(found, ensure_ascii=False))
        return
    for entry in found:
        console.rule(str(entry.get("name")))
        for key, value in entry.items():
            if isinstance(value, dict):
                for lang, names in value.items():
                    console.print(f"{key}.{lang}: {', '.join(names)}", highlight=False)
            else:
                console.print(f"{key}: {value}", highlight=False)


@kb_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Canonical name (the English Wikidata label).")],
    type_: Annotated[str, typer.Option("--type", help=f"One of: {', '.join(ACTOR_TYPES)}.")],
    country: Annotated[str | None, typer.Option("--country", help="Home country (ISO code).")] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            "--alias", help="LANG=NAME, repeatable: --alias ru=Си --alias en=Xi.", show_default=False
        ),
    ] = None,
    qid: Annotated[str | None, typer.Option("--qid", help="Wikidata QID, only when sure.")] = None,
    entry_id: Annotated[
        str | None, typer.Option("--id", help="Id (default: from the name); an existing id is overridden.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Role or description.")] = None,
    user_file: UserFile = None,
) -> None:
    """Add an actor to your user file (or override a shipped one by giving its --id)."""
    aliases: dict[str, list[str]] = {}
    for item in alias or []:
        lang, sep, value = item.partition("=")
        if not sep:
            err_console.print(f"[red]Error:[/red] --alias {item!r}: expected LANG=NAME")
            raise typer.Exit(2)
        aliases.setdefault(lang.strip(), []).append(value.strip())
    entry: dict[str, Any] = {"name": name, "type": type_}
    optional = {"id": entry_id, "country": country, "qid": qid, "note": note}
    entry.update({key: given for key, given in optional.items() if given})
    if aliases:
        entry["aliases"] = aliases
    path = _user_file(ctx, user_file)
    kb = _load(ctx, user_file)
    try:
        added, _ = merge_user_entries(path, [entry], kb=kb)
    except EurasiawatchError as exc:
        _fail(exc)
    console.print(f"{'added' if added else 'replaced'} {name!r} in {path}", highlight=False)


@kb_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="YAML list or CSV (id,name,type,country,qid,note,alias_<lang>).")
    ],
    user_file: UserFile = None,
) -> None:
    """Import actor entries from a YAML or CSV file into your user file (all valid, or nothing)."""
    path = _user_file(ctx, user_file)
    kb = _load(ctx, user_file)
    try:
        if not file.is_file():
            err_console.print(f"[red]Error:[/red] no such file: {file}")
            raise typer.Exit(2)
        entries = read_user_entries(file)
        added, replaced = merge_user_entries(path, entries, kb=kb)
    except EurasiawatchError as exc:
        _fail(exc)
    console.print(f"{added} added, {replaced} replaced in {path}", highlight=False)


@kb_app.command("verify")
def verify(
    ctx: typer.Context,
    online: Annotated[
        bool, typer.Option("--online", help="Ask Wikidata whether each QID's English label is our name.")
    ] = False,
    endpoint: Annotated[str, typer.Option("--endpoint", help="MediaWiki API URL.")] = DEFAULT_ENDPOINT,
    user_file: UserFile = None,
    as_json: Json = False,
) -> None:
    """List QIDs not yet verified; with --online check them (exit 1 if any does not match)."""
    kb = _load(ctx, user_file)
    entries = unverified_qids(kb)
    if not online:
        if as_json:
            console.print_json(json.dumps([{"id": e.id, "qid": e.qid, "name": e.name} for e in entries]))
            return
        table = Table("id", "qid", "name", title=f"{len(entries)} unverified QIDs")
        for e in entries:
            table.add_row(e.id, e.qid, e.name)
        console.print(table)
        return
    settings = runtime(ctx).settings
    try:
        checks = check_qids(
            entries, endpoint=endpoint, user_agent=settings.fetch_user_agent, timeout=settings.fetch_timeout
        )
    except EurasiawatchError as exc:
        _fail(exc)
    rows = [
        {"id": c.entry.id, "qid": c.entry.qid, "name": c.entry.name, "status": c.status, "label": c.label}
        for c in checks
    ]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
    else:
        table = Table("id", "qid", "name", "status", "Wikidata label")
        for row in rows:
            table.add_row(row["id"], row["qid"], row["name"], row["status"], row["label"])
        console.print(table)
    bad = [r for r in rows if r["status"] in {"mismatch", "missing"}]
    console.print(f"{len(rows) - len(bad)} of {len(rows)} QIDs match their names", highlight=False)
    if bad:
        raise typer.Exit(1)


_CLI = "(cli)"  # the audit log's actor for decisions made on the command line


@kb_app.command("suggestions")
def suggestions(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", help="pending, accepted, rejected or all.")] = "pending",
    as_json: Json = False,
) -> None:
    """List editors' knowledge-base suggestions (aliases to add or drop, new actors), newest first."""
    if status not in (*kb_store.STATUSES, "all"):
        err_console.print(f"[red]Error:[/red] --status {status!r}: one of pending, accepted, rejected, all")
        raise typer.Exit(2)
    with open_database(runtime(ctx).settings) as db:
        db.ensure_current()
        with db.read() as conn:
            rows = kb_store.list_suggestions(conn, status=None if status == "all" else status, limit=1000)
    if as_json:
        for row in rows:
            row["article_ids"] = list(row["article_ids"])
            for key in ("created_at", "updated_at", "decided_at"):
                row[key] = row[key].isoformat() if row[key] else None
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(
        "id",
        "kind",
        "actor",
        "words",
        "lang",
        "articles",
        "proposed by",
        "status",
        title=f"{len(rows)} {status}",
    )
    for r in rows:
        actor = r["actor_id"] + (f" ({r['name']}, {r['entity_type']})" if r["kind"] == "new_actor" else "")
        status_text = r["status"] + (f" by {r['decided_by']}" if r["decided_by"] else "")
        table.add_row(
            str(r["id"]),
            r["kind"],
            actor,
            r["alias"],
            r["language"],
            ", ".join(r["article_ids"]),
            r["proposed_by"] or "(desk)",
            status_text,
        )
    console.print(table)


def _decide(ctx: typer.Context, suggestion_id: int, accept: bool, as_of: str | None) -> None:
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        try:
            if accept:
                decision = kb_review.accept_suggestion(
                    db, rt.settings, rt.clock(as_of), suggestion_id, user=_CLI
                )
            else:
                decision = kb_review.reject_suggestion(db, rt.clock(as_of), suggestion_id, user=_CLI)
        except EurasiawatchError as exc:
            _fail(exc)
    console.print(decision.summary, highlight=False)


SuggestionId = Annotated[int, typer.Argument(help="The suggestion's number (see `kb suggestions`).", min=1)]


@kb_app.command("accept")
def accept(ctx: typer.Context, suggestion_id: SuggestionId, as_of: AsOf = None) -> None:
    """Accept a suggestion: write it into your user file, then annotate the matching stored articles again."""
    _decide(ctx, suggestion_id, True, as_of)


@kb_app.command("reject")
def reject(ctx: typer.Context, suggestion_id: SuggestionId, as_of: AsOf = None) -> None:
    """Reject a suggestion: the knowledge base stays as it is, and the same change is not proposed again."""
    _decide(ctx, suggestion_id, False, as_of)
