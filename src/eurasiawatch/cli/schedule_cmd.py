"""``eurasiawatch schedule show``: the next send slots."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Annotated

import typer

from ..deliver.schedule import Schedule
from . import app
from .common import Json, console, runtime

schedule_app = typer.Typer(help="The send schedule (deliver.schedule, an RRULE).", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")


@schedule_app.command("show")
def show(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=500, help="How many slots.")] = 10,
    as_json: Json = False,
) -> None:
    """List the next send slots in local time and UTC, and whether one is due now."""
    rt = runtime(ctx)
    schedule = Schedule.from_settings(rt.settings)
    now = rt.clock().now()
    slots = schedule.upcoming(now, count)
    due = schedule.due_slot(now)
    if as_json:
        payload = {
            "rule": schedule.rule,
            "timezone": schedule.timezone,
            "due": due.isoformat() if due else None,
            "next": [s.isoformat() for s in slots],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(f"{schedule.rule} in {schedule.timezone}", highlight=False)
    if due:
        console.print(f"due now: {due:%Y-%m-%d %H:%M %Z}", highlight=False)
    for slot in slots:
        console.print(f"{slot:%a %Y-%m-%d %H:%M %Z}  ({slot.astimezone(UTC):%H:%M} UTC)", highlight=False)
