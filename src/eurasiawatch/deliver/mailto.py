"""The mailto: unsubscribe path: a reader leaves by sending a mail, without visiting our site.

List-Unsubscribe carries ``mailto:unsubscribe+<token>@<domain>?subject=unsubscribe%20<token>``.
Whatever the reader's client does with it, the token is found in the recipient address
(To/Cc/Delivered-To/X-Original-To), else the subject, else the text body. Tokens are lowercase base32,
so a client or server that changes case does not break them.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default
from email.utils import getaddresses

from sqlalchemy import Connection

from .subscribers import unsubscribe_by_token
from .tokens import TOKEN_PATTERN

__all__ = ["find_unsubscribe_token", "unsubscribe_from_mail", "unsubscribe_mailto"]

_IN_ADDRESS = re.compile(rf"^unsubscribe\+({TOKEN_PATTERN})@", re.IGNORECASE)
_IN_TEXT = re.compile(rf"(?<![a-z2-7])({TOKEN_PATTERN})(?![a-z2-7])", re.IGNORECASE)
_MAX_BODY = 20_000


def unsubscribe_mailto(token: str, domain: str) -> str:
    """The ``mailto:`` URL for List-Unsubscribe."""
    return f"mailto:unsubscribe+{token}@{domain}?subject=unsubscribe%20{token}"


def _text_body(message: Message) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain",))
        if part is not None:
            try:
                return str(part.get_content())[:_MAX_BODY]
            except Exception:  # a malformed or empty body is no reason to fail
                return ""
    return ""


def find_unsubscribe_token(message: Message | bytes) -> str | None:
    """The unsubscribe token in a mail, or None."""
    if isinstance(message, bytes):
        message = BytesParser(policy=default).parsebytes(message)
    headers = [str(v) for h in ("To", "Cc", "Delivered-To", "X-Original-To") for v in message.get_all(h, [])]
    for _, address in getaddresses(headers):
        match = _IN_ADDRESS.match(address.strip())
        if match:
            return match.group(1).lower()
    for text in (str(message.get("Subject", "")), _text_body(message)):
        match = _IN_TEXT.search(text)
        if match:
            return match.group(1).lower()
    return None


def unsubscribe_from_mail(conn: Connection, message: Message | bytes, *, now: datetime | None = None) -> bool:
    """Unsubscribe the reader named by the token in an unsubscribe mail.

    Returns:
        True when a known subscriber was unsubscribed, False when the mail held no known token.
    """
    token = find_unsubscribe_token(message)
    return token is not None and unsubscribe_by_token(conn, token, now=now)
