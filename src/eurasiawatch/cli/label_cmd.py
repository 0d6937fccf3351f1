"""``eurasiawatch label ARTICLE_ID --themes …`` and ``label train|models|use``: editors teach the theme model.

``label ARTICLE_ID`` is short for ``label set ARTICLE_ID``. A trained version becomes the default only
when it scores at least as well as the current one on the held-out gold set; ``label use`` switches
by hand, and ``label use lexicon`` is the way back to the baseline.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table
from typer.core import TyperGroup

from ..annotate.theme_model import (
    LEXICON,
    GoldCase,
    ThemeExample,
    active_theme_classifier,
    fit_version,
    model_path,
    models_dir,
    read_gold,
    save_model,
    set_active_version,
)
from ..annotate.themes import THEMES
from ..demo.corpus import corpus_dir
from ..errors import EurasiawatchError, StoreError
from ..store import Database, open_database, queries
from . import app
from .common import Json, console, err_console, runtime

_BACKGROUND = 5_000  # newest stored articles the lexicon labels as background for training


class _LabelGroup(TyperGroup):
    """``label ARTICLE_ID …`` without a subcommand name means ``label set ARTICLE_ID …``."""

    # ctx is typer's vendored click Context; click itself is not a dependency, so it is typed loosely
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["set", *args]
        return super().parse_args(ctx, args)


label_app = typer.Typer(
    cls=_LabelGroup,
    help="Correct an article's themes (`label ARTICLE_ID --themes a,b --remove c`) and train, list "
    "and switch theme model versions.",
    no_args_is_help=True,
)
app.add_typer(label_app, name="label")


def _fail(message: str, hint: str | None = None) -> NoReturn:
    err_console.print(f"[red]Error:[/red] {message}" + (f" ({hint})" if hint else ""), highlight=False)
    raise typer.Exit(2)


def _themes(value: str | None, option: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(t.strip().lower() for t in (value or "").split(",") if t.strip()))
    unknown = [t for t in names if t not in THEMES]
    if unknown:
        _fail(f"unknown theme {unknown[0]!r} in {option}", f"one of {', '.join(THEMES)}")
    return names


def _open(ctx: typer.Context) -> Database:
    return open_database(runtime(ctx).settings)


def _document(title: str | None, text: str) -> str:
    return f"{title}\n\n{text}" if title else text


@label_app.command("set")
def set_(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(help="A stored article's id.")],
    themes: Annotated[
        str | None, typer.Option("--themes", help="Themes the article has, comma-separated.")
    ] = None,
    remove: Annotated[
        str | None, typer.Option("--remove", help="Themes the article does not have, comma-separated.")
    ] = None,
    editor: Annotated[str | None, typer.Option("--editor", help="Who made the correction.")] = None,
) -> None:
    """Store an editor's theme correction for one stored article."""
    added, removed = _themes(themes, "--themes"), _themes(remove, "--remove")
    if not added and not removed:
        _fail("nothing to correct", "give --themes and/or --remove")
    both = sorted(set(added) & set(removed))
    if both:
        _fail(f"theme {both[0]!r} is both added and removed")
    rt = runtime(ctx)
    try:
        with _open(ctx) as db, db.begin() as conn:
            if queries.get_article(conn, article_id) is None:
                _fail(
                    f"no stored article {article_id!r}",
                    "see `eurasiawatch ingest`; ids are in the articles table",
                )
            queries.add_theme_correction(
                conn, article_id, added=added, removed=removed, editor=editor, now=rt.clock().now()
            )
    except EurasiawatchError as exc:
        _fail(str(exc), exc.hint)
    console.print(
        f"corrected {article_id}: +{','.join(added) or '-'} -{','.join(removed) or '-'}", highlight=False
    )


def _gold(paths: list[Path] | None) -> list[GoldCase]:
    if paths:
        return [case for p in paths for case in read_gold(p)]
    shipped = corpus_dir() / "labels.jsonl"
    return read_gold(shipped) if shipped.exists() else []


@label_app.command("train")
def train(
    ctx: typer.Context,
    gold: Annotated[
        list[Path] | None,
        typer.Option("--gold", help="Gold set(s) to judge by (default: the sample corpus labels)."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Fit a new theme model version from the corrections; make it active if it scores as well."""
    rt = runtime(ctx)
    folder = models_dir(rt.settings.data_path)
    try:
        with _open(ctx) as db:
            with db.begin() as conn:
                rows = queries.list_theme_corrections(conn)
                fixes: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
                for row in rows:
                    fixes[row["article_id"]].append((tuple(row["added"]), tuple(row["removed"])))
                stored = {a.article_id: a for a in queries.list_articles(conn, limit=_BACKGROUND)}
                for article_id in fixes:
                    if article_id not in stored:
                        found = queries.get_article(conn, article_id)
                        if found is not None:
                            stored[article_id] = found
                versions = [r["version"] for r in queries.list_theme_models(conn)]
            current = active_theme_classifier(db)
            version = f"v{len(versions) + 1}"
            while version in versions:
                version += "b"
            examples = [
                ThemeExample(
                    text=_document(a.title, a.text), language=a.language, themes=(), article_id=a.article_id
                )
                for a in stored.values()
            ]
            run = fit_version(examples, fixes, version=version, gold=_gold(gold), current=current)
            path = save_model(run.model, model_path(rt.settings.data_path, version))
            with db.begin() as conn:
                queries.add_theme_model(
                    conn,
                    version=version,
                    path=str(path),
                    created_at=rt.clock().now(),
                    trained_on=run.model.trained_on,
                    corrections=len(rows),
                    f1_model=run.f1_model,
                    f1_lexicon=run.f1_lexicon,
                    active=False,
                )
                if run.activate:
                    queries.activate_theme_model(conn, version)
            if run.activate:
                set_active_version(folder, version)
    except EurasiawatchError as exc:
        _fail(str(exc), exc.hint)
    current_name = current.version if current is not None else LEXICON
    result = {
        "version": version,
        "path": str(path),
        "trained_on": run.model.trained_on,
        "corrections": len(rows),
        "gold_cases": run.gold_cases,
        "f1_model": run.f1_model,
        "f1_current": run.f1_current,
        "f1_lexicon": run.f1_lexicon,
        "current": current_name,
        "active": version if run.activate else current_name,
    }
    if as_json:
        console.print_json(json.dumps(result))
        return
    score = "no gold set" if run.f1_model is None else f"F1 {run.f1_model:.3f} on {run.gold_cases} gold cases"
    console.print(
        f"trained {version} on {run.model.trained_on} articles ({len(rows)} corrections): {score}",
        highlight=False,
    )
    if run.f1_current is not None:
        console.print(f"current default {current_name}: F1 {run.f1_current:.3f}", highlight=False)
    verdict = (
        f"{version} is now active"
        if run.activate
        else f"kept {current_name} active (`eurasiawatch label use {version}` to switch anyway)"
    )
    console.print(verdict, highlight=False)


def _f1(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@label_app.command("models")
def models(ctx: typer.Context, as_json: Json = False) -> None:
    """List theme model versions with their gold-set scores, and which one is active."""
    try:
        with _open(ctx) as db, db.begin() as conn:
            rows = queries.list_theme_models(conn)
    except EurasiawatchError as exc:
        _fail(str(exc), exc.hint)
    active = next((r["version"] for r in rows if r["active"]), LEXICON)
    if as_json:
        listing = [
            {
                "version": r["version"],
                "created_at": r["created_at"].isoformat(),
                "trained_on": r["trained_on"],
                "corrections": r["corrections"],
                "f1_model": r["f1_model"],
                "f1_lexicon": r["f1_lexicon"],
                "active": bool(r["active"]),
            }
            for r in rows
        ]
        console.print_json(json.dumps({"active": active, "models": listing}))
        return
    table = Table("version", "created", "articles", "corrections", "F1 model", "F1 lexicon", "active")
    table.add_row(LEXICON, "-", "-", "-", "-", "-", "*" if active == LEXICON else "")
    for r in rows:
        table.add_row(
            r["version"],
            r["created_at"].strftime("%Y-%m-%d %H:%M"),
            str(r["trained_on"]),
            str(r["corrections"]),
            _f1(r["f1_model"]),
            _f1(r["f1_lexicon"]),
            "*" if r["active"] else "",
        )
    console.print(table)


@label_app.command("use")
def use(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(help="A model version from `label models`, or `lexicon`.")],
) -> None:
    """Switch the theme classifier to a model version, or back to the lexicon."""
    rt = runtime(ctx)
    try:
        with _open(ctx) as db, db.begin() as conn:
            if version != LEXICON:
                known = {r["version"]: r for r in queries.list_theme_models(conn)}
                if version not in known:
                    _fail(
                        f"no theme model version {version!r}",
                        f"one of {', '.join([LEXICON, *known])}" if known else "train one with `label train`",
                    )
                if not Path(known[version]["path"]).exists():
                    raise StoreError(f"the file of {version} is missing: {known[version]['path']}")
            queries.activate_theme_model(conn, None if version == LEXICON else version)
        set_active_version(models_dir(rt.settings.data_path), version)
    except EurasiawatchError as exc:
        _fail(str(exc), exc.hint)
    console.print(f"themes now come from {version}", highlight=False)
