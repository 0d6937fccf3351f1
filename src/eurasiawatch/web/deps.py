"""What routes read from the app: settings, database, clock, now, the search cache."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from ..analyze.search_cache import SearchCache
from ..clock import Clock
from ..config import Settings
from ..store.db import Database

__all__ = ["get_clock", "get_db", "get_search_cache", "get_settings", "now"]


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


def get_clock(request: Request) -> Clock:
    """The app's clock (fixed under ``serve --as-of``)."""
    clock: Clock = request.app.state.clock
    return clock


def now(request: Request) -> datetime:
    """The current instant by the app's clock."""
    return get_clock(request).now()


def get_search_cache(request: Request) -> SearchCache[object]:
    """The app's memory of recent searches (``analyze.search_cache``), made on first use."""
    cache: SearchCache[object] | None = getattr(request.app.state, "search_cache", None)
    if cache is None:
        cache = request.app.state.search_cache = SearchCache()
    return cache
