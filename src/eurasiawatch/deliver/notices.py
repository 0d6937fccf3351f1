"""Mail to the newsroom itself (the watchlist digest, "nothing was approved" notes), built like editions.

An edition's copy carries list headers and a reader's unsubscribe token; a note to editors does not
(they are not subscribers), but otherwise it is made the same way: ``policy.SMTP`` with CRLF, From,
To, Subject, Date, a random Message-ID on the sending domain, MIME-Version, quoted-printable
text (and HTML when given), then ``message.render_message`` serializes it and DKIM-signs the bytes
with the edition's keys, and gives it a VERP return path like any other message.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from .dkim import DkimKey
from .message import OutgoingMessage, check_address, new_verp_tag, render_message
from .options import SendOptions
from .smtp import Mailer

__all__ = ["build_notice", "mail_notice", "signing_keys"]

_SMTP = policy.SMTP.clone(max_line_length=78)


def signing_keys(options: SendOptions) -> tuple[DkimKey, ...]:
    """The DKIM keys configured in ``deliver.dkim_*`` (RSA, then Ed25519); empty when none is set.

    Raises:
        ConfigError: a key file is missing or holds no usable key.
    """
    domain = options.dkim_domain or options.domain
    keys = []
    if options.dkim_key_file:
        keys.append(DkimKey.from_file(domain, options.dkim_selector, options.dkim_key_file))
    if options.dkim_ed25519_key_file:
        keys.append(DkimKey.from_file(domain, options.dkim_ed25519_selector, options.dkim_ed25519_key_file))
    return tuple(keys)


def build_notice(
    subject: str, text: str, *, to: str, options: SendOptions, now: datetime, html: str | None = None
) -> EmailMessage:
    """One unsigned message to one editor: text, or text and HTML as ``multipart/alternative``.

    Raises:
        DeliveryError: the address is invalid.
    """
    msg = EmailMessage(policy=_SMTP)
    msg["From"] = formataddr((options.from_name, options.from_address))
    msg["To"] = check_address(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{options.domain}>"
    msg.set_content(text, subtype="plain", cte="quoted-printable")
    if html is not None:
        msg.add_alternative(html, subtype="html", cte="quoted-printable")
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    if "MIME-Version" not in msg:
        msg["MIME-Version"] = "1.0"
    return msg


def mail_notice(
    subject: str,
    text: str,
    *,
    recipients: Sequence[str],
    mailer: Mailer,
    options: SendOptions,
    keys: tuple[DkimKey, ...],
    now: datetime,
    html: str | None = None,
) -> list[OutgoingMessage]:
    """Build, sign and send one copy per recipient; the mailer is closed afterwards.

    Returns:
        The messages sent (each accepted by the server or written to the outbox).

    Raises:
        DeliveryError: an invalid address (nothing is sent), or a relay refused a copy.
    """
    outgoing = [
        render_message(
            build_notice(subject, text, to=address, options=options, now=now, html=html),
            verp=new_verp_tag(),
            options=options,
            keys=keys,
            timestamp=int(now.timestamp()),
        )
        for address in recipients
    ]
    asyncio.run(_send_all(mailer, outgoing))
    return outgoing


async def _send_all(mailer: Mailer, outgoing: list[OutgoingMessage]) -> None:
    try:
        for message in outgoing:
            await mailer.send(message)
    finally:
        await mailer.close()
