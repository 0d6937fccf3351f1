"""The store stage: the only code that talks SQL.

    from eurasiawatch.store import open_database, queries

    db = open_database(settings)   # engine only; `db.upgrade()` migrates
    db.ensure_current()            # StoreError with an upgrade hint if the schema is behind
    with db.begin() as conn:
        queries.upsert_article(conn, article, page_id=None, now=clock.now())

Tables are in ``tables``, every query in ``queries``, migrations in ``migrations/``.
"""

from __future__ import annotations

from . import queries, tables
from .db import UPGRADE_HINT, Database, open_database
from .health import SourceHealth

__all__ = ["UPGRADE_HINT", "Database", "SourceHealth", "open_database", "queries", "tables"]
