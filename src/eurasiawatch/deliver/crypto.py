"""Subscriber keys: addresses encrypted at rest (AES-GCM), a keyed HMAC lookup index, signed tokens.

The key ring holds three kinds of key:

- ``index``: HMAC-SHA256 key for the lookup index of addresses and for the suppression list, which
  keeps nothing but these hashes. Never rotated by ``rotate-key``: suppression hashes cannot be
  recomputed from nothing, and rotating it would silently forget every suppressed address.
- ``token``: signs confirmation and proof-of-work tokens.
- ``encryption``: AES-256-GCM keys, the first encrypts, all decrypt. ``subscribers rotate-key`` puts a
  new key first, re-encrypts every row, then drops the old ones; rows under either stay readable
  throughout.

The ring comes from ``EURASIAWATCH_DELIVER__KEY`` (the JSON ring, or a base64 32-byte master from
which the three keys are derived with HKDF) or else from the key file (mode 0600). A ciphertext is
``0x01 | key id (4 bytes) | nonce (12 bytes) | AES-GCM output``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..config import Settings
from ..errors import ConfigError, DeliveryError
from . import tokens

__all__ = ["Crypto", "normalize_address"]

_VERSION = 1
_AAD = b"eurasiawatch subscriber data v1"
_KEY_HINT = "set EURASIAWATCH_DELIVER__KEY or create the key file with `eurasiawatch subscribers add`"


def normalize_address(address: str) -> str:
    """The form an address is indexed and stored in: trimmed and lowercased."""
    return address.strip().lower()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"subscriber key ring: {what} is not base64") from None
    if len(data) != 32:
        raise ConfigError(f"subscriber key ring: {what} must be 32 bytes, not {len(data)}")
    return data


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"key id" + key).digest()[:4]


@dataclass(frozen=True, slots=True)
class Crypto:
    """The subscriber keys; build with ``from_settings`` (or ``generate`` in tests)."""

    index_key: bytes
    token_key: bytes
    encryption_keys: tuple[bytes, ...]  # first encrypts, all decrypt

    def __repr__(self) -> str:  # never print key material
        return f"Crypto(keys={[self.key_id(k) for k in self.encryption_keys]})"

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def generate(cls) -> Crypto:
        """A fresh random key ring."""
        return cls(secrets.token_bytes(32), secrets.token_bytes(32), (secrets.token_bytes(32),))

    @classmethod
    def from_master(cls, master: bytes) -> Crypto:
        """Derive all three keys from one 32-byte secret (the simple environment setup)."""
        return cls(_derive(master, "index"), _derive(master, "token"), (_derive(master, "encryption"),))

    @classmethod
    def from_json(cls, text: str) -> Crypto:
        """Read a key ring written by ``to_json``.

        Raises:
            ConfigError: not a key ring.
        """
        try:
            ring = json.loads(text)
            keys = tuple(_unb64(k, "an encryption key") for k in ring["encryption"])
            crypto = cls(_unb64(ring["index"], "index"), _unb64(ring["token"], "token"), keys)
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ConfigError("the subscriber key ring is not JSON with index, token, encryption") from None
        if not keys:
            raise ConfigError("the subscriber key ring has no encryption key")
        return crypto

    @classmethod
    def from_settings(cls, settings: Settings, *, create: bool = False) -> Crypto:
        """The key ring from ``deliver.key`` or the key file.

        Args:
            settings: effective settings.
            create: write a fresh key file (mode 0600) when there is none and no key is in the environment.

        Raises:
            ConfigError: no key anywhere (and ``create`` is false), or a malformed key.
        """
        secret = settings.deliver_key.strip()
        if secret:
            if secret.startswith("{"):
                return cls.from_json(secret)
            return cls.from_master(_unb64(secret, "EURASIAWATCH_DELIVER__KEY"))
        path = settings.deliver_key_path
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if not create:
                raise ConfigError(f"no subscriber key: {path} does not exist", hint=_KEY_HINT) from None
        crypto = cls.generate()
        crypto.save(path)
        return crypto

    def to_json(self) -> str:
        """The key ring as JSON (secret: write it only to a 0600 file or a secret store)."""
        ring = {
            "version": _VERSION,
            "index": _b64(self.index_key),
            "token": _b64(self.token_key),
            "encryption": [_b64(k) for k in self.encryption_keys],
        }
        return json.dumps(ring, indent=2) + "\n"

    def save(self, path: Path) -> None:
        """Write the key ring atomically, readable by the owner only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    # -- rotation --------------------------------------------------------------------------------

    def with_new_key(self) -> Crypto:
        """The same ring with a fresh encryption key in front (old ones still decrypt)."""
        return replace(self, encryption_keys=(secrets.token_bytes(32), *self.encryption_keys))

    def current_only(self) -> Crypto:
        """The ring without the old encryption keys (after every row is re-encrypted)."""
        return replace(self, encryption_keys=self.encryption_keys[:1])

    @staticmethod
    def key_id(key: bytes) -> str:
        """Short public id of an encryption key (hex), stored in front of every ciphertext."""
        return _key_id(key).hex()

    def is_current(self, blob: bytes) -> bool:
        """Whether ``blob`` is encrypted under the current key."""
        return blob[1:5] == _key_id(self.encryption_keys[0])

    # -- the interface the sender uses -----------------------------------------------------------

    def encrypt(self, text: str) -> bytes:
        """Encrypt an address (or any text) under the current key with a fresh nonce."""
        key = self.encryption_keys[0]
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, text.encode("utf-8"), _AAD)
        return bytes([_VERSION]) + _key_id(key) + nonce + sealed

    def decrypt(self, blob: bytes) -> str:
        """Decrypt what ``encrypt`` produced, under whichever ring key it names.

        Raises:
            DeliveryError: unknown key id (a key is missing from the ring) or tampered data.
        """
        blob = bytes(blob)
        if len(blob) < 1 + 4 + 12 + 16 or blob[0] != _VERSION:
            raise DeliveryError("stored subscriber data is damaged")
        for key in self.encryption_keys:
            if _key_id(key) == blob[1:5]:
                try:
                    return AESGCM(key).decrypt(blob[5:17], blob[17:], _AAD).decode("utf-8")
                except InvalidTag:
                    raise DeliveryError("stored subscriber data failed its integrity check") from None
        raise DeliveryError(
            f"stored subscriber data is under key {blob[1:5].hex()}, which is not in the key ring",
            hint="restore the key file that was in use, or finish `subscribers rotate-key`",
        )

    def index(self, address: str) -> str:
        """Keyed HMAC-SHA256 of the normalized address (hex): the lookup index and suppression hash."""
        return hmac.new(self.index_key, normalize_address(address).encode(), hashlib.sha256).hexdigest()

    def sign_token(self, purpose: str, value: str, expires: datetime) -> str:
        """A signed token for ``value`` (lowercase base32) valid until ``expires``."""
        return tokens.sign(self.token_key, purpose, value, expires)

    def verify_token(self, purpose: str, token: str, now: datetime) -> str:
        """The value of a valid token.

        Raises:
            InvalidToken: forged, damaged, expired, or for another purpose.
        """
        return tokens.verify(self.token_key, purpose, token, now)
