"""Small stand-ins for the subscriber side used by the sending tests (same interface)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class FakeRecipient:
    """Same fields as ``deliver.subscribers.Recipient``."""

    token: str
    address: str
    pgp_key: str | None = None


@dataclass
class FakeSubscribers:
    """Active recipients by token, and the bounces recorded against them."""

    active: dict[str, FakeRecipient] = field(default_factory=dict)
    bounces: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def numbered(cls, n: int, domain: str = "example.net") -> FakeSubscribers:
        """``n`` readers r0000@domain …, tokens tok0000 …"""
        return cls({f"tok{i:04d}": FakeRecipient(f"tok{i:04d}", f"r{i:04d}@{domain}") for i in range(n)})

    def recipients(self, conn: Connection) -> list[FakeRecipient]:
        return list(self.active.values())

    def record_bounce(self, conn: Connection, token: str, kind: str, at: datetime) -> bool:
        self.bounces.append((token, kind))
        return True
