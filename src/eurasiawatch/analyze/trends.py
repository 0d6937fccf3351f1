"""Trends: which countries, entities and themes are reported more or less than usual this window.

For each key (a country code, an entity id or a theme) we count the articles that mention it in the
current window (default the 14 days ending at the clock) and in each of the ``k`` windows of the
same length before it (default 4). The baseline is the mean of those ``k`` counts. Then one of two
stated tests:

- ``poisson`` (default): under "nothing changed" the current count is Poisson with mean = baseline.
  One-sided p-value in the direction of the change: ``P(X >= count)`` for a rise,
  ``P(X <= count)`` for a fall (exact, through the regularized incomplete gamma function).
- ``z``: ``z = (count - baseline) / sd`` with ``sd`` the sample standard deviation of the previous
  windows (at least 1, so a flat history does not divide by zero); one-sided normal p-value. Use it
  when counts are over-dispersed (bursty news), which makes the Poisson test too eager.

Many keys are tested at once, so p-values are adjusted by Benjamini–Hochberg across all keys of the
run (``q``); a key is *rising* or *falling* when ``q <= alpha`` (default 0.05) and, for rising, the
current count is at least ``min_count`` (default 3). A key with no article in any previous window
and at least ``min_count`` now is *new* (no test: the baseline is zero). Everything else is *steady*.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist

from sqlalchemy import Connection

from ..clock import Clock
from ..store import trends as store_trends

__all__ = [
    "TESTS",
    "Trend",
    "TrendReport",
    "classify_trends",
    "compute_trends",
    "parse_window",
    "poisson_tail",
    "window_edges",
]

TESTS = ("poisson", "z")
_WINDOW = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)
_STATUS_ORDER = {"new": 0, "rising": 1, "falling": 2, "steady": 3}


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    """One key's counts and verdict for a window."""

    kind: str
    key: str
    name: str
    status: str  # "new" | "rising" | "falling" | "steady"
    count: int
    previous: tuple[int, ...]  # the earlier windows, newest first
    baseline: float
    test: str
    z: float | None
    p_value: float | None
    q_value: float | None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "count": self.count,
            "previous": list(self.previous),
            "baseline": round(self.baseline, 3),
            "test": self.test,
            "z": None if self.z is None else round(self.z, 3),
            "p_value": self.p_value,
            "q_value": self.q_value,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendReport:
    """The verdicts for one kind over one window, with the settings that produced them."""

    kind: str
    start: datetime
    end: datetime
    window_days: float
    baseline_windows: int
    test: str
    alpha: float
    min_count: int
    china_only: bool
    trends: tuple[Trend, ...]  # new, rising, falling, then steady

    def changed(self) -> tuple[Trend, ...]:
        """The trends that are not steady."""
        return tuple(t for t in self.trends if t.status != "steady")

    def as_dict(self, *, include_steady: bool = False) -> dict[str, object]:
        """A JSON-ready dict (steady keys only with ``include_steady``)."""
        shown = self.trends if include_steady else self.changed()
        return {
            "kind": self.kind,
            "window": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "days": self.window_days,
            },
            "baseline_windows": self.baseline_windows,
            "test": self.test,
            "alpha": self.alpha,
            "min_count": self.min_count,
            "china_only": self.china_only,
            "keys_tested": len(self.trends),
            "trends": [t.as_dict() for t in shown],
        }


def parse_window(value: str) -> timedelta:
    """Parse ``14d``, ``2w`` or ``14`` (days) into a timedelta.

    Raises:
        ValueError: not a positive number of days or weeks.
    """
    match = _WINDOW.match(value)
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"window {value!r} is not a number of days or weeks such as 14d or 2w")
    n = int(match.group(1))
    return timedelta(weeks=n) if match.group(2).lower() == "w" else timedelta(days=n)


def window_edges(end: datetime, window: timedelta, baseline_windows: int) -> tuple[datetime, ...]:
    """Window boundaries newest first: ``end``, ``end - window``, … (``baseline_windows + 2`` of them)."""
    return tuple(end - i * window for i in range(baseline_windows + 2))


def _gamma_p(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x), by its series or its continued fraction."""
    if x <= 0:
        return 0.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        denom = a
        for _ in range(10_000):
            denom += 1
            term *= x / denom
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return min(1.0, total * math.exp(log_prefix))
    # Lentz's method for the continued fraction of Q(a, x)
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return max(0.0, 1.0 - math.exp(log_prefix) * h)


def poisson_tail(count: int, mean: float, *, upper: bool) -> float:
    """One-sided Poisson p-value, X ~ Poisson(mean): ``P(X >= count)`` if ``upper`` else ``P(X <= count)``."""
    if mean <= 0:
        return 0.0 if (upper and count > 0) else 1.0
    if upper:
        return 1.0 if count <= 0 else _gamma_p(count, mean)
    return 1.0 - _gamma_p(count + 1, mean)


def _benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def classify_trends(
    counts: Mapping[str, tuple[str, tuple[int, ...]]],
    *,
    kind: str,
    test: str = "poisson",
    alpha: float = 0.05,
    min_count: int = 3,
) -> tuple[Trend, ...]:
    """Give every key a verdict from its current count against the mean of its previous windows.

    Args:
        counts: key -> (name, counts per window, current window first), as ``store.trends.window_counts``.
        kind: what the keys are (``country``, ``entity``, ``theme``), copied into each trend.
        test: ``poisson`` or ``z`` (see the module docstring).
        alpha: the false-discovery rate for rising/falling (Benjamini–Hochberg).
        min_count: fewest articles in the current window for ``new`` or ``rising``.

    Returns:
        Every key's trend: new (most articles first), rising and falling (strongest first), steady.

    Raises:
        ValueError: an unknown test, or counts without a previous window.
    """
    if test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}, not {test!r}")
    keys = sorted(counts)
    rows = []
    for key in keys:
        name, series = counts[key]
        if len(series) < 2:
            raise ValueError("trends need at least one previous window")
        current, previous = series[0], tuple(series[1:])
        baseline = sum(previous) / len(previous)
        z: float | None
        if test == "z":
            sd = max(1.0, statistics.stdev(previous)) if len(previous) > 1 else 1.0
            z = (current - baseline) / sd
            p = 1 - NormalDist().cdf(abs(z))
        else:
            z = (current - baseline) / math.sqrt(baseline) if baseline > 0 else None
            p = poisson_tail(current, baseline, upper=current > baseline)
        rows.append((key, name, current, previous, baseline, z, p))
    tested = [i for i, r in enumerate(rows) if r[4] > 0 and r[2] != r[4]]
    q_of = dict(zip(tested, _benjamini_hochberg([rows[i][6] for i in tested]), strict=True))
    trends = []
    for i, (key, name, current, previous, baseline, z, p) in enumerate(rows):
        q: float | None = q_of.get(i)
        p_value: float | None = None
        if baseline == 0:
            status = "new" if current >= min_count else "steady"
            q = None
        else:
            p_value = p
            status = "steady"
            if q is not None and q <= alpha:
                if current > baseline and current >= min_count:
                    status = "rising"
                elif current < baseline:
                    status = "falling"
        trends.append(
            Trend(
                kind=kind,
                key=key,
                name=name,
                status=status,
                count=current,
                previous=previous,
                baseline=baseline,
                test=test,
                z=z,
                p_value=p_value,
                q_value=q,
            )
        )
    trends.sort(
        key=lambda t: (
            _STATUS_ORDER[t.status],
            t.q_value if t.q_value is not None else 1.0,
            -abs(t.count - t.baseline),
            t.key,
        )
    )
    return tuple(trends)


def compute_trends(
    conn: Connection,
    clock: Clock,
    *,
    kind: str = "country",
    window: timedelta = timedelta(days=14),
    baseline_windows: int = 4,
    test: str = "poisson",
    alpha: float = 0.05,
    min_count: int = 3,
    china_only: bool = False,
) -> TrendReport:
    """Count ``kind`` per window up to the clock and classify every key (see the module docstring).

    Args:
        conn: a connection to a migrated database.
        clock: the window ends at ``clock.now()``.
        kind: ``country``, ``entity`` or ``theme``.
        window: the window length.
        baseline_windows: how many earlier windows make the baseline.
        test: ``poisson`` or ``z``.
        alpha: false-discovery rate.
        min_count: fewest articles now for ``new`` or ``rising``.
        china_only: count only China-related articles.

    Raises:
        ValueError: a bad kind, test, window or number of baseline windows.
    """
    if baseline_windows < 1:
        raise ValueError("baseline_windows must be at least 1")
    if window <= timedelta(0):
        raise ValueError("window must be positive")
    edges = window_edges(clock.now(), window, baseline_windows)
    counts = store_trends.window_counts(conn, kind, edges, china_only=china_only)
    trends = classify_trends(counts, kind=kind, test=test, alpha=alpha, min_count=min_count)
    return TrendReport(
        kind=kind,
        start=edges[1],
        end=edges[0],
        window_days=window.total_seconds() / 86400,
        baseline_windows=baseline_windows,
        test=test,
        alpha=alpha,
        min_count=min_count,
        china_only=china_only,
        trends=trends,
    )
