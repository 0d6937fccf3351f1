"""``eurasiawatch config show|docs``."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from ..config import config_markdown
from ..errors import ConfigError
from . import app
from .common import Json, console, fail_config, runtime

config_app = typer.Typer(help="Show the effective settings and where each came from.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("show")
def show(ctx: typer.Context, as_json: Json = False) -> None:
    """Print every effective setting with its origin; secrets are masked."""
    try:
        settings = runtime(ctx).settings
    except ConfigError as exc:
        fail_config(exc)
        return
    rows = settings.effective()
    if as_json:
        console.print_json(json.dumps([{"key": k, "value": v, "origin": o} for k, v, o in rows]))
        return
    table = Table("key", "value", "origin")
    for key, value, origin in rows:
        table.add_row(key, value, origin)
    console.print(table)


@config_app.command("docs")
def docs() -> None:
    """Print the Markdown reference of all settings (the source of docs/config.md)."""
    typer.echo(config_markdown(), nl=False)
