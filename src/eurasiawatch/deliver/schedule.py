"""When editions go out: an RFC 5545 RRULE read in the newsroom's time zone.

The rule (``deliver.schedule``) and its anchor (``deliver.schedule_start``) are local wall-clock time
in ``timezone``: dateutil expands them as naive local times, which are then placed in the zone, so
the 09:00 Prague send stays 09:00 in Prague on both sides of the March and October clock changes
(07:00 or 08:00 UTC). A slot that falls in a spring-forward gap moves forward by the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from ..config import Settings

__all__ = ["Schedule", "due_slot"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """A send schedule; build with ``from_settings``."""

    rule: str
    start: datetime  # naive local time
    timezone: str
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Schedule:
        """The schedule configured in ``deliver.*`` and ``timezone``."""
        return cls(
            rule=settings.deliver_schedule,
            start=datetime.fromisoformat(settings.deliver_schedule_start).replace(tzinfo=None),
            timezone=settings.timezone,
            window=timedelta(hours=settings.deliver_send_window_hours),
        )

    def _rrule(self) -> rrule:
        parsed = rrulestr(self.rule, dtstart=self.start)
        assert isinstance(parsed, rrule)
        return parsed

    def _aware(self, local: datetime) -> datetime:
        zone = ZoneInfo(self.timezone)
        moment = local.replace(tzinfo=zone)
        # a wall-clock time inside a spring-forward gap does not round-trip; fold=0 puts it after the gap
        return moment.astimezone(UTC).astimezone(zone)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)

    def upcoming(self, after: datetime, count: int = 10) -> list[datetime]:
        """The next ``count`` slots strictly after ``after``, as aware local times."""
        rule = self._rrule()
        slots: list[datetime] = []
        # step in local wall time; one hour of slack covers instants that map ambiguously
        cursor = self._local(after) - timedelta(hours=1)
        while len(slots) < count:
            local = rule.after(cursor)
            if local is None:
                break
            cursor = local
            moment = self._aware(local)
            if moment > after:
                slots.append(moment)
        return slots

    def previous(self, now: datetime) -> datetime | None:
        """The latest slot at or before ``now``."""
        local = self._rrule().before(self._local(now) + timedelta(hours=1), inc=True)
        while local is not None:
            moment = self._aware(local)
            if moment <= now:
                return moment
            local = self._rrule().before(local)
        return None

    def due_slot(self, now: datetime) -> datetime | None:
        """The slot to send now, if ``now`` is within ``window`` after one (for ``send --due``)."""
        slot = self.previous(now)
        if slot is not None and now - slot < self.window:
            return slot
        return None


def due_slot(now: datetime, settings: Settings | None = None) -> datetime | None:
    """The slot due at ``now`` under the configured schedule, or None.

    Args:
        now: the clock's time (aware).
        settings: effective settings (defaults when omitted).

    Returns:
        The slot as an aware local time; the sender decides whether it was already sent.
    """
    return Schedule.from_settings(settings or Settings()).due_slot(now)
