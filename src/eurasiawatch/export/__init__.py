"""The export driver: stored articles, mentions, events and stories as Parquet, CSV or JSON Lines.

    rows = export_data(db, "events", "parquet", ExportFilters(country="KZ"), out="events.parquet")

Layouts are in ``rows.COLUMNS`` and documented in ``docs/data-formats.md``.
"""

from ..store.export import EXPORT_KINDS, ExportFilters
from .rows import COLUMNS, event_id, event_row
from .run import export_data
from .writers import FORMATS

__all__ = ["COLUMNS", "EXPORT_KINDS", "FORMATS", "ExportFilters", "event_id", "event_row", "export_data"]
