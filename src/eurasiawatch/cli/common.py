"""What every command shares: global options, loading settings, the clock, printing errors."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.console import Console

from ..clock import Clock, parse_as_of
from ..config import Settings, load_settings
from ..errors import ConfigError

__all__ = ["AsOf", "Json", "Runtime", "console", "err_console", "runtime"]

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def _parse_as_of_option(value: str | None) -> str | None:
    if value is not None:
        try:
            parse_as_of(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Replay this day (YYYY-MM-DD) or instant (ISO datetime) instead of now.",
        callback=_parse_as_of_option,
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@dataclass
class Runtime:
    """Per-invocation state built from the global options; settings load on first use."""

    config_path: str | None = None
    as_of: str | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The effective settings (loaded once)."""
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            logging.basicConfig(
                level=logging.DEBUG if self.debug else getattr(logging, self._settings.log_level),
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                stream=sys.stderr,
            )
            if not self.debug:
                # their INFO lines (each migration step, each HTTP request) drown our own summary
                for noisy in ("alembic", "httpx", "httpcore", "trafilatura", "htmldate"):
                    logging.getLogger(noisy).setLevel(logging.WARNING)
        return self._settings

    def clock(self, as_of: str | None = None) -> Clock:
        """The clock for this command: its own ``--as-of``, else the global one, else now."""
        value = as_of or self.as_of
        return parse_as_of(value) if value else Clock()


def runtime(ctx: typer.Context) -> Runtime:
    """The Runtime attached to the root command."""
    root = ctx.find_root()
    if not isinstance(root.obj, Runtime):
        root.obj = Runtime()
    return root.obj


def fail_config(exc: ConfigError) -> None:
    """Print a configuration error and exit with usage status 2."""
    err_console.print(f"[red]Error:[/red] {exc}" + (f" ({exc.hint})" if exc.hint else ""))
    raise typer.Exit(2)
