"""The send schedule: every other Wednesday 09:00 Prague, across daylight-saving changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from eurasiawatch.config import Settings, load_settings
from eurasiawatch.deliver.schedule import Schedule, due_slot

SCHEDULE = Schedule.from_settings(Settings())


def test_every_other_wednesday_at_nine_local() -> None:
    slots = SCHEDULE.upcoming(datetime(2026, 1, 1, tzinfo=UTC), count=6)
    assert all(s.weekday() == 2 and (s.hour, s.minute) == (9, 0) for s in slots)
    assert all(b - a == timedelta(days=14) for a, b in itertools.pairwise(slots))
    # anchored on 2025-01-08, so the cadence is fixed, not "every other week from today"
    assert (slots[0].date() - datetime(2025, 1, 8).date()).days % 14 == 0


def test_nine_oclock_stays_nine_across_march_and_october() -> None:
    spring = SCHEDULE.upcoming(datetime(2026, 3, 1, tzinfo=UTC), count=4)
    autumn = SCHEDULE.upcoming(datetime(2026, 10, 1, tzinfo=UTC), count=4)
    for slot in spring + autumn:
        assert (slot.hour, slot.minute) == (9, 0), slot
    utc_hours = {s.date().isoformat(): s.astimezone(UTC).hour for s in spring + autumn}
    # CET (UTC+1) before 29 March 2026, CEST (UTC+2) until 25 October 2026, then CET again
    assert all(h == 8 for d, h in utc_hours.items() if d < "2026-03-29")
    assert all(h == 7 for d, h in utc_hours.items() if "2026-03-29" <= d < "2026-10-25")
    assert all(h == 8 for d, h in utc_hours.items() if d >= "2026-10-25")
    assert any(d < "2026-03-29" for d in utc_hours) and any(
        "2026-03-29" <= d < "2026-10-25" for d in utc_hours
    )


def test_due_slot_window() -> None:
    slot = SCHEDULE.upcoming(datetime(2026, 3, 20, tzinfo=UTC), count=1)[0]
    assert due_slot(slot - timedelta(seconds=1)) is None
    assert due_slot(slot) == slot
    assert due_slot(slot + timedelta(hours=11, minutes=59)) == slot
    assert due_slot(slot + timedelta(hours=12)) is None
    assert due_slot(slot + timedelta(days=7)) is None


def test_custom_rule_from_environment() -> None:
    settings = load_settings(
        environ={
            "EURASIAWATCH_DELIVER__SCHEDULE": "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
            "EURASIAWATCH_DELIVER__SCHEDULE_START": "2026-03-01T02:30",
        }
    )
    slots = Schedule.from_settings(settings).upcoming(datetime(2026, 3, 28, tzinfo=UTC), count=3)
    # 02:30 on 29 March does not exist in Prague: that slot moves past the gap to 03:30
    assert [(s.day, s.hour, s.minute) for s in slots] == [(28, 2, 30), (29, 3, 30), (30, 2, 30)]
