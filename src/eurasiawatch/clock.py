"""The one clock every stage reads.

``--as-of DATE`` on the command line builds a fixed clock, so a run replays that day: feeds are
judged "new" against it, windows end on it, and schedules count from it. Clocks are plain values
passed into stage functions, never module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

__all__ = ["Clock", "parse_as_of"]


@dataclass(frozen=True, slots=True)
class Clock:
    """Tells the time; fixed at ``as_of`` when given, else the system's UTC time."""

    as_of: datetime | None = None

    def now(self) -> datetime:
        """Return the current instant (timezone-aware, UTC)."""
        return self.as_of if self.as_of is not None else datetime.now(UTC)

    def today(self) -> date:
        """Return the current UTC date."""
        return self.now().date()

    @property
    def fixed(self) -> bool:
        """Whether this clock replays a given instant."""
        return self.as_of is not None


def parse_as_of(value: str) -> Clock:
    """Build a fixed clock from ``YYYY-MM-DD`` (end of that day, UTC) or an ISO datetime.

    Raises:
        ValueError: the value is not a date or datetime.
    """
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return Clock(datetime.combine(day, time(23, 59, 59), tzinfo=UTC))
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"--as-of {value!r} is not a date (YYYY-MM-DD) or ISO datetime") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Clock(moment.astimezone(UTC))
