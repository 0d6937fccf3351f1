"""The desk's server secret: signs CSRF cookies (and the auth module's session cookies).

It comes from ``EURASIAWATCH_WEB__SECRET_KEY`` or else from the key file (``web.secret_key_file``,
default ``web-secret.key`` in the data directory), which is created with 32 random bytes and mode
0600 on first use, the way ``deliver.crypto`` keeps the subscriber key ring.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets

from ..config import Settings
from ..errors import ConfigError

__all__ = ["MIN_SECRET_CHARS", "derive_key", "load_secret"]

MIN_SECRET_CHARS = 32


def load_secret(settings: Settings, *, create: bool = True) -> bytes:
    """The server secret from ``web.secret_key`` or the key file.

    Args:
        settings: effective settings.
        create: write a fresh key file (mode 0600) when there is none.

    Raises:
        ConfigError: the secret is too short, or there is none and ``create`` is false.
    """
    value = settings.web_secret_key.strip()
    if value:
        if len(value) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"setting web.secret_key is {len(value)} characters; it needs at least {MIN_SECRET_CHARS}",
                hint="generate one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
            )
        return value.encode("utf-8")
    path = settings.web_secret_key_path
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise ConfigError(
                f"no web secret: {path} does not exist", hint="run `eurasiawatch serve` once"
            ) from None
        return _create(path)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"the web secret in {path} is not base64") from None
    if len(key) < 32:
        raise ConfigError(f"the web secret in {path} is {len(key)} bytes; it needs 32")
    return key


def _create(path: os.PathLike[str] | str) -> bytes:
    key = secrets.token_bytes(32)
    target = os.fspath(path)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        with open(target, encoding="ascii") as fh:
            return base64.b64decode(fh.read().strip(), validate=True)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.b64encode(key).decode("ascii") + "\n")
    return key


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose (``"csrf"``, ``"session"`` …) so no two uses share key material."""
    return hmac.new(secret, b"eurasiawatch web key:" + purpose.encode(), hashlib.sha256).digest()
