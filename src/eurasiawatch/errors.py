"""Exceptions raised by eurasiawatch.

    EurasiawatchError
    ├── ConfigError            a setting is missing or has a bad value (names the key and value)
    ├── SourceError            a source could not be read
    │   ├── TransientFetchError    worth retrying later (timeouts, 429, 5xx)
    │   └── PermanentFetchError    retrying will not help (404, refused address, not HTML, too big)
    ├── ExtractionError        a page held no article text we could use
    ├── AnnotationError
    ├── StoreError             the database refused or is at the wrong migration
    └── DeliveryError
        └── TransientDeliveryError

Drivers retry transient errors, record permanent ones with their reason and carry on.
"""

from __future__ import annotations

__all__ = [
    "AnnotationError",
    "ConfigError",
    "DeliveryError",
    "EurasiawatchError",
    "ExtractionError",
    "PermanentFetchError",
    "SourceError",
    "StoreError",
    "TransientDeliveryError",
    "TransientFetchError",
]


class EurasiawatchError(Exception):
    """Base of every error this package raises on purpose.

    ``hint`` is a short suggestion the CLI prints after the message.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(EurasiawatchError):
    """A setting is missing or invalid."""


class SourceError(EurasiawatchError):
    """A source could not be fetched or parsed."""


class TransientFetchError(SourceError):
    """A fetch failed in a way that may succeed later."""


class PermanentFetchError(SourceError):
    """A fetch failed in a way that will not succeed by retrying."""


class ExtractionError(EurasiawatchError):
    """No usable article could be extracted from a page."""


class AnnotationError(EurasiawatchError):
    """An article could not be annotated."""


class StoreError(EurasiawatchError):
    """The database could not do what was asked."""


class DeliveryError(EurasiawatchError):
    """A message could not be delivered."""


class TransientDeliveryError(DeliveryError):
    """Delivery failed but may succeed later."""
