"""Opaque tokens: random subscriber ids and signed, expiring tokens (confirmation, proof-of-work).

Tokens are lowercase base32 without padding, so they survive in places that fold case — the local
part of ``unsubscribe+<token>@…``, URL paths, a reader retyping a link — and never contain an address.
A signed token is ``<value>.<expiry>.<mac>``: the value (itself base32), the expiry as base32 Unix
seconds, and a truncated HMAC-SHA256 over purpose, value and expiry, so a token minted for one purpose
is refused for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from ..errors import DeliveryError

__all__ = [
    "TOKEN_PATTERN",
    "InvalidToken",
    "b32",
    "random_token",
    "sign",
    "verify",
]

# 16 random bytes -> 26 base32 characters; the mailto parser looks for exactly this shape.
TOKEN_PATTERN = r"[a-z2-7]{26}"
_MAC_BYTES = 12


class InvalidToken(DeliveryError):
    """A token was forged, damaged, expired, or minted for another purpose."""


def b32(data: bytes) -> str:
    """Lowercase base32 without padding."""
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unb32(text: str) -> bytes:
    text = text.upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def random_token() -> str:
    """A fresh opaque id: 128 random bits, 26 characters matching ``TOKEN_PATTERN``."""
    return b32(secrets.token_bytes(16))


def _mac(key: bytes, purpose: str, value: str, expiry: str) -> str:
    digest = hmac.new(key, f"{purpose}\x00{value}\x00{expiry}".encode(), hashlib.sha256).digest()
    return b32(digest[:_MAC_BYTES])


def sign(key: bytes, purpose: str, value: str, expires: datetime) -> str:
    """Sign ``value`` for ``purpose`` until ``expires``.

    Args:
        key: the token-signing key.
        purpose: what the token is for (``"confirm"``, ``"pow"`` …); checked again on verify.
        value: lowercase base32 text (``random_token()`` or ``b32(...)``), never an address.
        expires: when the token stops being accepted (timezone-aware).

    Returns:
        The token text.
    """
    if not re.fullmatch(r"[a-z2-7]+", value):
        raise ValueError("token values must be lowercase base32")
    expiry = b32(int(expires.timestamp()).to_bytes(6, "big"))
    return f"{value}.{expiry}.{_mac(key, purpose, value, expiry)}"


def verify(key: bytes, purpose: str, token: str, now: datetime) -> str:
    """Check a signed token and return its value.

    Raises:
        InvalidToken: wrong shape, wrong MAC (forged or another purpose), or expired.
    """
    parts = token.strip().lower().split(".")
    if len(parts) != 3 or not all(re.fullmatch(r"[a-z2-7]+", p) for p in parts):
        raise InvalidToken("the link is damaged")
    value, expiry, mac = parts
    if not hmac.compare_digest(mac, _mac(key, purpose, value, expiry)):
        raise InvalidToken("the link is not one of ours")
    try:
        expires = datetime.fromtimestamp(int.from_bytes(_unb32(expiry), "big"), UTC)
    except (ValueError, OverflowError):
        raise InvalidToken("the link is damaged") from None
    if now >= expires:
        raise InvalidToken("the link has expired", hint="subscribe again to get a new one")
    return value
