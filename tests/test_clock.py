"""The one clock and --as-of."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eurasiawatch.clock import Clock, parse_as_of


def test_as_of_day_means_end_of_that_day_utc() -> None:
    clock = parse_as_of("2024-07-09")
    assert clock.now() == datetime(2024, 7, 9, 23, 59, 59, tzinfo=UTC)
    assert clock.fixed and clock.today().isoformat() == "2024-07-09"


def test_as_of_datetime_with_offset_is_normalised() -> None:
    assert parse_as_of("2024-05-16T12:00:00+03:00").now() == datetime(2024, 5, 16, 9, 0, tzinfo=UTC)


def test_unfixed_clock_tells_the_time() -> None:
    before = datetime.now(UTC)
    assert before <= Clock().now() <= datetime.now(UTC)


def test_bad_as_of_names_the_value() -> None:
    with pytest.raises(ValueError, match="yesterday"):
        parse_as_of("yesterday")


def test_as_of_is_accepted_by_every_command_and_rejected_when_bad(cli) -> None:
    from eurasiawatch.cli import app

    result = cli.invoke(app, ["--as-of", "someday", "config", "show"])
    assert result.exit_code == 2
    assert "someday" in result.output
