"""OpenPGP for readers who give a public key: their copy goes out as PGP/MIME (RFC 3156).

Encryption uses pysequoia (Sequoia-PGP's Python binding): no keyring on disk, no gpg-agent, no
subprocess per message, and about three times faster than python-gnupg with Debian's gpg in our
measurement (docs/decisions.md). Tests decrypt what it produces with GnuPG, so the two implementations
keep each other honest.

The encrypted message keeps the routing headers (From, To, Date, Message-ID, List-*, Subject) outside,
because mail servers need them; the whole MIME body — text, HTML and inline charts — goes inside.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pysequoia

from ..errors import DeliveryError

__all__ = ["PgpKeyError", "check_public_key", "encrypt_message"]

_MAX_KEY_BYTES = 200_000


class PgpKeyError(DeliveryError):
    """A reader's OpenPGP key cannot be used."""


def _cert(public_key: str) -> pysequoia.Cert:
    data = public_key.encode("utf-8") if isinstance(public_key, str) else public_key
    if len(data) > _MAX_KEY_BYTES:
        raise PgpKeyError("that OpenPGP key is too large")
    try:
        tags = {str(packet.tag) for packet in pysequoia.packet.PacketPile.from_bytes(data)}
    except Exception:
        raise PgpKeyError("that is not an OpenPGP public key", hint="paste the armored public key") from None
    if tags & {"Tag.SecretKey", "Tag.SecretSubkey"}:
        raise PgpKeyError(
            "that is a secret key", hint="send only the public key; keep the secret one private"
        )
    try:
        cert = pysequoia.Cert.from_bytes(data)
    except Exception:
        raise PgpKeyError("that is not an OpenPGP public key", hint="paste the armored public key") from None
    if cert.is_revoked:
        raise PgpKeyError("that OpenPGP key is revoked")
    return cert


def check_public_key(public_key: str) -> str:
    """Check that a reader's key parses, is public, unrevoked, unexpired and can encrypt.

    Returns:
        The key's fingerprint (uppercase hex), to show the reader.

    Raises:
        PgpKeyError: unusable key.
    """
    cert = _cert(public_key)
    try:
        pysequoia.encrypt(b"probe", recipients=[cert])
    except Exception:
        raise PgpKeyError(
            "that OpenPGP key has no valid encryption subkey (expired or signing-only)"
        ) from None
    return str(cert.fingerprint).upper()


def encrypt_message(message: EmailMessage, public_key: str) -> EmailMessage:
    """Encrypt a message for one reader as PGP/MIME (multipart/encrypted, RFC 3156).

    Args:
        message: the reader's copy, fully built (headers and MIME body).
        public_key: the reader's armored OpenPGP public key.

    Returns:
        A new message: the same non-content headers outside, and a multipart/encrypted body with an
        ``application/pgp-encrypted`` control part and an ``application/octet-stream`` part holding
        the ASCII-armored encryption of the original MIME body.

    Raises:
        PgpKeyError: the key cannot be used.
    """
    cert = _cert(public_key)
    inner = EmailMessage(policy=SMTP)
    for name, value in message.items():
        if name.lower().startswith("content-"):
            inner[name] = value
    inner.set_payload(message.get_payload())
    if message.get_charset() is not None:  # pragma: no cover - EmailMessage keeps it in the header
        inner.set_charset(message.get_charset())
    try:
        armored = pysequoia.encrypt(inner.as_bytes(policy=SMTP), recipients=[cert])
    except Exception:
        raise PgpKeyError(
            "that OpenPGP key has no valid encryption subkey (expired or signing-only)"
        ) from None

    control = EmailMessage(policy=SMTP)
    control.set_content(b"Version: 1\r\n", maintype="application", subtype="pgp-encrypted", cte="7bit")
    control.replace_header("Content-Type", "application/pgp-encrypted")
    body = EmailMessage(policy=SMTP)
    body.set_content(
        bytes(armored),
        maintype="application",
        subtype="octet-stream",
        cte="7bit",
        disposition="inline",
        filename="encrypted.asc",
    )
    for part in (control, body):
        del part["MIME-Version"]

    outer = EmailMessage(policy=message.policy)
    for name, value in message.items():
        if not name.lower().startswith("content-") and name.lower() != "mime-version":
            outer[name] = value
    outer["MIME-Version"] = "1.0"
    outer["Content-Type"] = 'multipart/encrypted; protocol="application/pgp-encrypted"'
    outer.set_payload([control, body])
    return outer
