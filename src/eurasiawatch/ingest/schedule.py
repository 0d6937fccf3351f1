"""When to poll a source next, and how to describe its health: pure functions of times and counts.

A source that works is polled every ``interval`` seconds. One that fails backs off exponentially —
``interval × 2^streak`` after the streak-th failure in a row, capped at ``cap`` (24 hours by default)
— so a dead outlet costs one request a day instead of one every quarter hour, yet is never dropped:
it stays registered, keeps being tried and is flagged ``FAILING`` after ``FAILING_AFTER`` failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["DEFAULT_CAP", "DEFAULT_INTERVAL", "FAILING_AFTER", "backoff_delay", "health_status", "next_due"]

DEFAULT_INTERVAL = 900.0  # seconds between polls of a healthy source
DEFAULT_CAP = 86_400.0  # longest wait after failures: one day
FAILING_AFTER = 3  # failures in a row before a source is flagged FAILING
_MAX_EXPONENT = 32  # 2^32 × any sane interval is far beyond the cap; keeps the float finite


def backoff_delay(interval: float, streak: int, *, cap: float = DEFAULT_CAP) -> float:
    """Seconds to wait before the next poll.

    Args:
        interval: the base interval of a healthy source, in seconds (> 0).
        streak: failures in a row so far (0 after a success).
        cap: the longest wait after failures; never shortens ``interval`` itself.

    Returns:
        ``interval`` for a healthy source, else ``min(interval × 2^streak, max(cap, interval))``.

    Raises:
        ValueError: ``interval`` is not positive or ``streak`` is negative.
    """
    if interval <= 0:
        raise ValueError(f"interval must be > 0 seconds, not {interval!r}")
    if streak < 0:
        raise ValueError(f"failure streak cannot be negative: {streak!r}")
    if streak == 0:
        return interval
    return min(interval * 2.0 ** min(streak, _MAX_EXPONENT), max(cap, interval))


def next_due(at: datetime, interval: float, streak: int, *, cap: float = DEFAULT_CAP) -> datetime:
    """When a source polled at ``at`` with ``streak`` failures in a row is due again."""
    return at + timedelta(seconds=backoff_delay(interval, streak, cap=cap))


def health_status(*, streak: int, last_attempt_at: datetime | None) -> str:
    """A one-word verdict for listings: ``new``, ``ok``, ``failing`` (1–2 in a row) or ``FAILING``."""
    if last_attempt_at is None:
        return "new"
    if streak == 0:
        return "ok"
    return "FAILING" if streak >= FAILING_AFTER else "failing"
