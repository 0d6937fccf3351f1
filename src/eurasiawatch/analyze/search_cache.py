"""A short memory of searches: the ranked candidates, total and facets per query and index version.

At a million articles most of a search is the ranked match itself (FTS5 ``bm25`` over every
matching row, then the best 1,000 with their facet values), the exact count and the facet counts:
70–200 ms of database and Python work, the same for page 1 and page 5. Editors page through a
result, come back to a query, or share one (a watchlist's words): ``SearchCache`` keeps, per
(stemmed query with its filter tags, how many candidates, facet values kept, database), the ranked
candidates (article id, language, outlet, score), the total and the facet counts. Each page's
titles, texts and snippets are still read fresh.

An entry is used while the index version (``store.search.index_version``: the newest document id,
one index lookup) is unchanged, and for ``ttl`` seconds (default 60): a new article is in the
next search at once; a re-annotated or removed one, whose document keeps its id, within the ttl
(a page whose article is gone is ranked afresh at once, see ``analyze.search.search``). Two
requests for the same missing entry share one computation; when only the ttl has passed, the
first request computes afresh and those arriving meanwhile get the previous entry (as the
dashboard's cache does), so nobody queues behind a refresh. Thread-safe; at most ``size`` entries
(least recently used dropped), a few hundred kilobytes each.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Connection

from ..store.search import index_version

__all__ = ["SearchCache"]

T = TypeVar("T")


class SearchCache(Generic[T]):
    """Computed search candidates per key, valid while the index version holds and for ``ttl`` s."""

    def __init__(self, *, size: int = 64, ttl: float = 60.0) -> None:
        self._size = size
        self._ttl = ttl
        self._items: OrderedDict[Hashable, tuple[int | None, float, T]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, conn: Connection, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key`` as the index is now: remembered, or computed (once) and remembered.

        Args:
            conn: the connection the search runs on (the index version is read through it).
            key: what identifies the computation (the stemmed query, cap, facet count, dialect).
            compute: makes the value when there is no valid entry.
        """
        version = index_version(conn)
        full_key = (conn.dialect.name, key)
        found, expired = self._valid(full_key, version)
        if found is not None:
            return found[0]
        with self._lock:
            lock = self._computing.setdefault(full_key, threading.Lock())
        if expired is not None and not lock.acquire(blocking=False):
            return expired[0]  # only time passed and another request is computing it: no waiting
        if expired is not None:
            try:
                value = compute()
                self._put(full_key, version, value)
                return value
            finally:
                lock.release()
        with lock:  # a concurrent request for the same key computes it once
            found, _ = self._valid(full_key, version)
            if found is not None:
                return found[0]
            value = compute()
            self._put(full_key, version, value)
            return value

    def forget(self, conn: Connection, key: Hashable) -> None:
        """Drop one entry (its value turned out stale)."""
        with self._lock:
            self._items.pop((conn.dialect.name, key), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _valid(self, key: Hashable, version: int | None) -> tuple[tuple[T] | None, tuple[T] | None]:
        """``(value,)`` when the entry holds; else, when only its time is up, ``(None, (value,))``."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None, None
            stored, at, value = entry
            if stored != version:
                del self._items[key]
                return None, None
            if time.monotonic() - at > self._ttl:
                return None, (value,)  # kept until recomputed: concurrent askers may still use it
            self._items.move_to_end(key)
            return (value,), None

    def _put(self, key: Hashable, version: int | None, value: T) -> None:
        with self._lock:
            self._items[key] = (version, time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                old, _ = self._items.popitem(last=False)
                self._computing.pop(old, None)
