"""The double opt-in confirmation mail: a short plain-text message with the confirm link.

``subscribers.subscribe`` decides whether a mail is due and hands back a ``ConfirmationRequest``;
this module turns it into an ``OutgoingMessage`` for any ``Mailer``. The link carries only the
signed, expiring confirmation token; the message has no tracking and no unsubscribe header (the
reader is not on the list yet). It is DKIM-signed with the same keys as the editions when they are
configured.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from .dkim import DkimKey, sign_message
from .message import OutgoingMessage, check_address
from .options import SendOptions
from .subscribers import ConfirmationRequest

__all__ = ["confirmation_message"]


def confirmation_message(
    request: ConfirmationRequest,
    *,
    confirm_url: str,
    options: SendOptions,
    now: datetime,
    hours: int,
    keys: tuple[DkimKey, ...] = (),
) -> OutgoingMessage:
    """The confirmation mail for one address.

    Args:
        request: what ``subscribe`` returned (address and signed token).
        confirm_url: the confirm page's URL with ``{token}`` where the token goes.
        options: sender settings (From, domain).
        now: the Date header.
        hours: how long the link stays valid (``deliver.confirm_hours``), told to the reader.
        keys: DKIM keys to sign with (``deliver.notices.signing_keys``); none: unsigned.

    Returns:
        The message, enveloped from the From address.

    Raises:
        DeliveryError: the address cannot be sent to.
    """
    to = check_address(request.address)
    link = confirm_url.format(token=request.token)
    msg = EmailMessage()
    msg["From"] = formataddr((options.from_name, options.from_address))
    msg["To"] = to
    msg["Subject"] = f"Confirm your subscription to {options.from_name}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{options.domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Someone, probably you, asked to receive {options.from_name} at this address.\n\n"
        f"To confirm, open this link within {hours} hours and press the button:\n\n"
        f"{link}\n\n"
        "If it was not you, ignore this message: without confirmation nothing is sent and the\n"
        "request is deleted after a few days.\n",
        cte="quoted-printable",
    )
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    if keys:
        data = sign_message(data, keys, timestamp=int(now.timestamp()))
    return OutgoingMessage(
        envelope_from=options.from_address, recipient=to, data=data, message_id=str(msg["Message-ID"])
    )
