"""The ``eurasiawatch`` command line: drivers that parse arguments, call one stage function, print.

Each group of commands lives in its own module and registers itself on ``app`` below.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import EurasiawatchError
from .common import AsOf, Runtime, err_console

__all__ = ["app", "main"]

app = typer.Typer(
    name="eurasiawatch",
    help="Track China's influence from Eastern Europe to Central Asia in local reporting, "
    "and publish a cited briefing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option(
            "--config", "-c", help="TOML settings file (else $EURASIAWATCH_CONFIG).", show_default=False
        ),
    ] = None,
    as_of: AsOf = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    """Track China's influence from Eastern Europe to Central Asia in local reporting."""
    ctx.obj = Runtime(config_path=config, as_of=as_of, debug=debug)


def _register() -> None:
    # Imported here so that each module can import ``app`` and common helpers without cycles.
    from . import (  # noqa: F401
        annotate_cmd,
        backfill_cmd,
        calendar_cmd,
        cluster_cmd,
        config_cmd,
        db_cmd,
        demo_cmd,
        edition_cmd,
        export_cmd,
        extract_cmd,
        indicators_cmd,
        ingest_cmd,
        kb_cmd,
        label_cmd,
        reannotate_cmd,
        render_cmd,
        run_cmd,
        schedule_cmd,
        search_cmd,
        send_cmd,
        serve_cmd,
        sources_cmd,
        stories_cmd,
        subscribers_cmd,
        trends_cmd,
        users_cmd,
        watchlist_cmd,
    )


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning our errors into one readable line and exit status 2."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv, standalone_mode=True)
    except EurasiawatchError as exc:
        if debug:
            raise
        err_console.print(
            f"[red]Error:[/red] {exc}" + (f" ({exc.hint})" if exc.hint else ""), highlight=False
        )
        sys.exit(2)
