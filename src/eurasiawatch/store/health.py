"""``SourceHealth``: a source as stored, with how its recent runs went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping

from ..records import Source

__all__ = ["SourceHealth"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceHealth:
    """A registered source and its health record (``queries.list_sources`` returns these)."""

    source: Source
    added_at: datetime
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    failure_streak: int = 0
    last_reason: str | None = None
    next_due_at: datetime | None = None
    items_total: int = 0

    @property
    def name(self) -> str:
        """The source's name."""
        return self.source.name

    @property
    def healthy(self) -> bool:
        """True unless the latest run failed."""
        return self.failure_streak == 0

    @classmethod
    def from_row(cls, source: Source, row: RowMapping) -> SourceHealth:
        """Build from a ``sources`` row."""
        return cls(
            source=source,
            added_at=row["added_at"],
            last_attempt_at=row["last_attempt_at"],
            last_success_at=row["last_success_at"],
            last_failure_at=row["last_failure_at"],
            failure_streak=row["failure_streak"],
            last_reason=row["last_reason"],
            next_due_at=row["next_due_at"],
            items_total=row["items_total"],
        )
