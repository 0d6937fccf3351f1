"""Desk credentials, pure: argon2 password hashes, TOTP codes (RFC 6238), sealed TOTP secrets, tokens.

Nothing here touches the database or the request. ``accounts.py`` applies the rules (rate limits,
sessions, audit) on top of these functions.

- Passwords: argon2id through argon2-cffi. ``check_password`` also says when a stored hash was made
  with other parameters than the current ones, so the caller rehashes it after a good sign-in.
- TOTP: six digits, 30-second steps, HMAC-SHA1 (what authenticator apps expect), accepted one step
  either side of now. ``match_totp`` returns the step that matched so the caller can refuse that step
  and every earlier one next time: a code is never accepted twice.
- TOTP secrets are sealed with AES-256-GCM under a key derived (HKDF) from the subscriber key ring's
  index key, the one key ``subscribers rotate-key`` never replaces. The user name is the associated
  data, so a sealed secret copied onto another account does not open.
- Session ids and API tokens are 256-bit random strings; only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from .deliver.crypto import Crypto
from .errors import ConfigError

__all__ = [
    "TOTP_DIGITS",
    "TOTP_STEP",
    "PasswordCheck",
    "check_password",
    "dummy_check",
    "dummy_hash",
    "hash_password",
    "hash_secret",
    "match_totp",
    "new_secret",
    "new_totp_secret",
    "open_totp_secret",
    "password_hasher",
    "seal_totp_secret",
    "totp_code",
    "totp_uri",
]

TOTP_DIGITS = 6
TOTP_STEP = 30
_SEAL_VERSION = 1
_SEAL_INFO = b"eurasiawatch desk totp secret v1"
# A hash of a password nobody has, verified when the name is unknown so both answers take as long.
_DUMMY_PASSWORD = "no such account"


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The outcome of ``check_password``: whether it matched, and whether to store a fresh hash."""

    ok: bool
    needs_rehash: bool = False


def password_hasher(time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> PasswordHasher:
    """An argon2id hasher with these parameters (the defaults are RFC 9106's second recommendation)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """The argon2id hash of ``password`` (with its own random salt and the parameters)."""
    return hasher.hash(password)


def check_password(hasher: PasswordHasher, stored: str, password: str) -> PasswordCheck:
    """Whether ``password`` matches ``stored``; ``needs_rehash`` when the parameters have changed."""
    try:
        hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return PasswordCheck(ok=False)
    return PasswordCheck(ok=True, needs_rehash=hasher.check_needs_rehash(stored))


def dummy_check(hasher: PasswordHasher, dummy_hash: str, password: str) -> PasswordCheck:
    """Spend the time of a real check against a hash no password matches; always refuses."""
    check_password(hasher, dummy_hash, password)
    return PasswordCheck(ok=False)


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against for unknown names (made once per process by the caller)."""
    return hasher.hash(_DUMMY_PASSWORD + secrets.token_hex(8))


# -- TOTP ------------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh 160-bit TOTP secret as unpadded base32 (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _secret_bytes(secret: str) -> bytes:
    text = secret.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _totp(secret: str) -> TOTP:
    return TOTP(_secret_bytes(secret), TOTP_DIGITS, SHA1(), TOTP_STEP, enforce_key_length=False)


def totp_code(secret: str, at: datetime) -> str:
    """The code an authenticator app shows at ``at`` (tests and the enrolment check use it)."""
    return _totp(secret).generate(int(at.timestamp())).decode("ascii")


def match_totp(secret: str, code: str, at: datetime, *, after_step: int = 0, window: int = 1) -> int | None:
    """The time step whose code ``code`` is, within ``window`` steps of ``at``, else None.

    Args:
        secret: base32 TOTP secret.
        code: what the person typed (spaces are ignored).
        at: now.
        after_step: the last step already accepted for this account; it and earlier ones are refused,
            so a code seen once (or an older one) cannot be replayed.
        window: steps accepted either side of the current one (clock drift).
    """
    typed = code.strip().replace(" ", "")
    if len(typed) != TOTP_DIGITS or not typed.isdigit():
        return None
    totp = _totp(secret)
    now_step = int(at.timestamp()) // TOTP_STEP
    found = None
    for step in range(now_step - window, now_step + window + 1):
        # compare every candidate, so the time taken does not say which step matched
        if (
            secrets.compare_digest(totp.generate(step * TOTP_STEP), typed.encode("ascii"))
            and step > after_step
        ):
            found = step
    return found


def totp_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads (as a QR code or pasted)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"
        f"&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP}"
    )


# -- sealed secrets --------------------------------------------------------------------------------


def _seal_key(crypto: Crypto) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(crypto.index_key)


def seal_totp_secret(crypto: Crypto, username: str, secret: str) -> bytes:
    """Encrypt a TOTP secret for storage: ``0x01 | nonce (12 bytes) | AES-GCM output``."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(crypto)).encrypt(nonce, secret.encode("ascii"), username.encode("utf-8"))
    return bytes([_SEAL_VERSION]) + nonce + sealed


def open_totp_secret(crypto: Crypto, username: str, blob: bytes) -> str:
    """Decrypt what ``seal_totp_secret`` produced for this user.

    Raises:
        ConfigError: the key ring is not the one the secret was sealed under, or the data is damaged.
    """
    blob = bytes(blob)
    if len(blob) < 1 + 12 + 16 or blob[0] != _SEAL_VERSION:
        raise ConfigError(f"the stored TOTP secret of {username} is damaged")
    try:
        return (
            AESGCM(_seal_key(crypto)).decrypt(blob[1:13], blob[13:], username.encode("utf-8")).decode("ascii")
        )
    except InvalidTag:
        raise ConfigError(
            f"the stored TOTP secret of {username} does not open with this key ring",
            hint="use the key ring the account was created with, or `eurasiawatch users reset-totp`",
        ) from None


# -- random secrets ----------------------------------------------------------------------------------


def new_secret(prefix: str = "") -> str:
    """A 256-bit random secret (URL-safe text), for session ids and API tokens."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 (hex) of a session id or API token: all the database keeps of it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
