"""The desk's dashboard for a window: what every panel shows, gathered from the store, and cached.

``build_dashboard`` asks the store and the analyze stage for each panel:

- the map and the engagement series: China-related articles per country and per theme per day
  (``store.dashboard``: indexed ``GROUP BY`` aggregates, no loop over articles), bucketed by day for
  windows up to 62 days and by week (Mondays) beyond;
- top stories: ``analyzing.rank_window`` (the ranking ``stories list`` prints), over the window's 25
  largest stories (pinned first): ranking reads every member article, so all of a busy window's
  stories would cost seconds;
- rising actors: ``analyze.trends.compute_trends`` on entities of China-related articles, the window
  against the four windows before it (the figures ``eurasiawatch trends --kind entity --china`` gives);
- upcoming events: ``analyze.calendar.upcoming_calendar`` for the 30 days after today;
- source health: ``store.queries.list_sources`` and the window's articles per source.

``DashboardCache`` keeps built dashboards per (window as asked, today), valid while the data
version is unchanged and for five minutes at most: ``store.dashboard.data_version`` is a handful of
index lookups, so a repeated request costs those plus rendering; any ingest, annotation or editor
decision starts a fresh build, during which other requests are answered from the previous one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from .analyze.calendar import CalendarDay, upcoming_calendar
from .analyze.trends import Trend, compute_trends
from .analyzing import RankedStory, rank_window
from .clock import Clock
from .config import Settings
from .ingest.schedule import health_status
from .store import dashboard as store_dashboard
from .store import queries
from .store.db import Database

__all__ = [
    "CHINA",
    "MAX_DAYS",
    "Dashboard",
    "DashboardCache",
    "DashboardWindow",
    "Series",
    "SourceRow",
    "build_dashboard",
    "parse_window_query",
]

log = logging.getLogger(__name__)

CHINA = "CN"
MAX_DAYS = 366
_DAILY_UP_TO = 62
_TOP_STORIES = 10
_CANDIDATES = 25  # stories ranked for the top ten: the largest of the window (ranking reads every article)
_TOP_RISING = 12
_TOP_SERIES = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardWindow:
    """A half-open window ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        """Whole days covered (a part day counts)."""
        return max(1, -(-int((self.end - self.start).total_seconds()) // 86_400))

    @property
    def last_day(self) -> date:
        """The last calendar day inside the window."""
        return (self.end - timedelta(microseconds=1)).date()

    def label(self) -> str:
        """``1 July 2024 – 14 July 2024`` (the last day inclusive)."""
        first, last = self.start.date(), self.last_day
        return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """One country's or theme's counts per bucket, oldest first."""

    key: str
    points: tuple[int, ...]

    @property
    def total(self) -> int:
        """The window's total."""
        return sum(self.points)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRow:
    """One source's health line."""

    name: str
    outlet: str
    status: str  # new | ok | failing | FAILING
    last_success_at: datetime | None
    failure_streak: int
    last_reason: str
    articles: int  # published in the window


@dataclass(frozen=True, slots=True, kw_only=True)
class Dashboard:
    """Every panel's data for one window."""

    window: DashboardWindow
    bucket: str  # "day" | "week"
    buckets: tuple[str, ...]  # labels (YYYY-MM-DD of the day or the week's Monday), oldest first
    total: int  # China-related articles in the window
    countries: Mapping[str, int]  # China-related articles per country in the window (China left out)
    country_series: tuple[Series, ...]
    theme_series: tuple[Series, ...]
    stories: tuple[RankedStory, ...]
    rising: tuple[Trend, ...]
    upcoming: tuple[CalendarDay, ...]
    sources: tuple[SourceRow, ...]


def parse_window_query(
    now: datetime, *, window: str | None = None, since: str | None = None, until: str | None = None
) -> DashboardWindow:
    """The window asked for by ``?window=14d`` or ``?since=YYYY-MM-DD&until=YYYY-MM-DD``.

    Default: the 14 days before ``now``. ``until`` is inclusive (the window ends at the next
    midnight); ``since`` alone runs to ``now``; ``until`` alone starts 14 days earlier. ``now`` is
    taken to the minute, so that requests within a minute share one window (and one cached build).

    Raises:
        ValueError: a malformed value, an empty or reversed window, or one longer than a year.
    """
    from .analyze.trends import parse_window

    now = now.replace(second=0, microsecond=0)
    if window and (since or until):
        raise ValueError("give either window or since/until, not both")
    if since or until:
        end = _midnight(_day(until, "until")) + timedelta(days=1) if until else now
        start = _midnight(_day(since, "since")) if since else end - timedelta(days=14)
    else:
        length = parse_window(window) if window else timedelta(days=14)
        end, start = now, now - length
    if start >= end:
        raise ValueError("the window is empty: since must come before until")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValueError(f"the window is longer than {MAX_DAYS} days")
    return DashboardWindow(start=start, end=end)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name} must be a date like 2024-07-01, not {value!r}") from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, dtime(0), tzinfo=UTC)


def _buckets(window: DashboardWindow) -> tuple[str, tuple[str, ...], Callable[[str], str]]:
    first, last = window.start.date(), window.last_day
    if (last - first).days < _DAILY_UP_TO:
        days = tuple((first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1))
        return "day", days, lambda d: d
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append(monday.isoformat())
        monday += timedelta(weeks=1)

    def week_of(day: str) -> str:
        d = date.fromisoformat(day)
        return (d - timedelta(days=d.weekday())).isoformat()

    return "week", tuple(weeks), week_of


def _series(
    counts: Mapping[str, Mapping[str, int]], buckets: tuple[str, ...], bucket_of: Callable[[str], str]
) -> list[Series]:
    index = {b: i for i, b in enumerate(buckets)}
    out = []
    for key, by_day in counts.items():
        points = [0] * len(buckets)
        for day, n in by_day.items():
            i = index.get(bucket_of(day))
            if i is not None:
                points[i] += n
        out.append(Series(key=key, points=tuple(points)))
    out.sort(key=lambda s: (-s.total, s.key))
    return out


def build_dashboard(db: Database, settings: Settings, window: DashboardWindow, *, today: date) -> Dashboard:
    """Gather every panel of the dashboard for ``window``.

    Args:
        db: a migrated database.
        settings: effective settings (outlet profiles for the story ranking).
        window: the window to show.
        today: the desk's today (upcoming events start after it; source health is as of it).

    Returns:
        The dashboard's data; empty panels are empty tuples or mappings.
    """
    bucket, buckets, bucket_of = _buckets(window)
    with db.read() as conn:
        by_country = store_dashboard.daily_country_counts(conn, window.start, window.end)
        by_theme = store_dashboard.daily_theme_counts(conn, window.start, window.end)
        trends = compute_trends(
            conn,
            Clock(window.end),
            kind="entity",
            window=window.end - window.start,
            baseline_windows=4,
            china_only=True,
        )
        upcoming = upcoming_calendar(conn, Clock(_midnight(today) + timedelta(hours=12)), days=30)
        health = queries.list_sources(conn)
        per_source = store_dashboard.source_counts(conn, window.start, window.end)
    stories = rank_window(
        db, settings, Clock(window.end - timedelta(microseconds=1)), days=window.days, candidates=_CANDIDATES
    )
    totals = by_theme.pop("", {})
    countries = {c: sum(d.values()) for c, d in by_country.items() if c != CHINA}
    sources = tuple(
        SourceRow(
            name=h.name,
            outlet=h.source.outlet or h.name,
            status=health_status(streak=h.failure_streak, last_attempt_at=h.last_attempt_at),
            last_success_at=h.last_success_at,
            failure_streak=h.failure_streak,
            last_reason=h.last_reason or "",
            articles=per_source.get(h.name, 0),
        )
        for h in health
    )
    status_order = {"FAILING": 0, "failing": 1, "new": 2, "ok": 3}
    return Dashboard(
        window=window,
        bucket=bucket,
        buckets=buckets,
        total=sum(totals.values()),
        countries=countries,
        country_series=tuple(
            _series({c: d for c, d in by_country.items() if c != CHINA}, buckets, bucket_of)[:_TOP_SERIES]
        ),
        theme_series=tuple(_series(by_theme, buckets, bucket_of)),
        stories=tuple(stories[:_TOP_STORIES]),
        rising=tuple(t for t in trends.trends if t.status in ("new", "rising"))[:_TOP_RISING],
        upcoming=upcoming,
        sources=tuple(sorted(sources, key=lambda s: (status_order.get(s.status, 9), s.name))),
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    board: Dashboard
    version: tuple[object, ...]
    built_at: float


class DashboardCache:
    """Built dashboards per (query, today), each valid while the data version is unchanged and for
    at most ``ttl`` seconds.

    ``query`` is the window as asked (``("window", "14d")``, ``("since", …, "until", …)``), so a
    relative window ("the 14 days before now") is built at most once per ``ttl`` and every
    request in between sees that build. When only ``ttl`` has passed, the request that notices
    starts a rebuild in a background thread and every request keeps the previous build until it
    is done (nobody waits). When the data changed, the first request rebuilds and waits for it
    (an editor who just merged stories sees the merge) while concurrent requests get the previous
    build; when there is no entry yet, concurrent requests wait for the one build. Thread-safe; at
    most ``size`` entries (least recently used dropped).
    """

    def __init__(self, *, size: int = 32, ttl: float = 300.0) -> None:
        self._size = size
        self._ttl = ttl
        self._items: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[object, ...], threading.Lock] = {}
        self._threads: list[threading.Thread] = []

    def get(
        self,
        db: Database,
        settings: Settings,
        window: DashboardWindow,
        *,
        today: date,
        query: tuple[object, ...] | None = None,
    ) -> Dashboard:
        """The dashboard for the window as the data are now, from the cache when still valid.

        Args:
            db: the database.
            settings: effective settings.
            window: the window resolved now (used when a build is needed).
            today: the desk's today.
            query: the window as asked; default: the resolved window itself.
        """
        with db.read() as conn:
            version = store_dashboard.data_version(conn)
        key = (query if query is not None else (window.start, window.end), today)
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            build_lock = self._building.setdefault(key, threading.Lock())
        if entry is not None and entry.version == version:
            if time.time() - entry.built_at > self._ttl and build_lock.acquire(blocking=False):
                # only time passed: refresh behind the scenes, answer from the previous build
                thread = threading.Thread(
                    target=self._refresh,
                    args=(build_lock, key, db, settings, window, today, version),
                    name="dashboard-refresh",
                    daemon=True,
                )
                with self._lock:
                    self._threads = [t for t in self._threads if t.is_alive()] + [thread]
                thread.start()
            return entry.board
        if entry is not None:
            # stale: one request rebuilds, the others keep the previous build meanwhile
            if not build_lock.acquire(blocking=False):
                return entry.board
            try:
                return self._build(key, db, settings, window, today, version)
            finally:
                build_lock.release()
        with build_lock:
            with self._lock:
                entry = self._items.get(key)
            if entry is not None and entry.version == version:
                return entry.board  # built by the request we waited for
            return self._build(key, db, settings, window, today, version)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait for background refreshes to finish (tests and orderly shutdown)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def _refresh(
        self,
        build_lock: threading.Lock,
        key: tuple[object, ...],
        db: Database,
        settings: Settings,
        window: DashboardWindow,
        today: date,
        version: tuple[object, ...],
    ) -> None:
        try:
            self._build(key, db, settings, window, today, version)
        except Exception:  # the next request tries again; the previous build stays
            log.exception("dashboard refresh failed")
        finally:
            build_lock.release()

    def _build(
        self,
        key: tuple[object, ...],
        db: Database,
        settings: Settings,
        window: DashboardWindow,
        today: date,
        version: tuple[object, ...],
    ) -> Dashboard:
        board = build_dashboard(db, settings, window, today=today)
        with self._lock:
            self._items[key] = _Entry(board, version, time.time())
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                old, _ = self._items.popitem(last=False)
                self._building.pop(old, None)
        return board
