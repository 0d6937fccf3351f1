"""Alembic environment: runs on the connection that ``Database.upgrade``/``downgrade`` hands over.

There is no ``alembic.ini``: ``eurasiawatch.store.db`` builds the Alembic ``Config`` in code, puts an
open connection in ``config.attributes["connection"]`` and the PostgreSQL schema (or None) in
``config.attributes["schema"]``. Offline (SQL script) mode is not supported.
"""

from __future__ import annotations

from alembic import context

from eurasiawatch.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run migrations with `eurasiawatch db upgrade` (eurasiawatch.store.Database)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table_schema=config.attributes.get("schema") or None,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
