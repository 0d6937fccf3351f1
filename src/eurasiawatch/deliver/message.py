"""Build one subscriber's copy of an edition as a MIME message, ready to sign and send.

Structure (charts travel inside the message, never as remote images)::

    multipart/related
    ├── multipart/alternative
    │   ├── text/plain; charset=utf-8   (quoted-printable)
    │   └── text/html; charset=utf-8    (quoted-printable)
    └── image/png ... Content-ID: <chart-1@...>, Content-Disposition: inline

Headers: From, To, Subject, Date, Message-ID (random), List-Id, List-Unsubscribe (https and
mailto, each carrying the subscriber's opaque token) and List-Unsubscribe-Post (RFC 8058). The
envelope sender is a VERP address whose tag is a random per-delivery value the ledger maps back to
the subscriber; neither an address nor a database id ever appears in a header. No tracking: no
pixels, no rewritten links, no per-reader query strings.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape

from ..errors import DeliveryError
from ..records import RenderedEdition
from .dkim import DkimKey, sign_message
from .options import SendOptions

__all__ = [
    "UNSUBSCRIBE_MARK",
    "OutgoingMessage",
    "build_message",
    "check_address",
    "new_verp_tag",
    "render_message",
    "verp_tag",
]

# Where the renderer wants the reader's unsubscribe link; without it a short footer is appended.
UNSUBSCRIBE_MARK = "%%UNSUBSCRIBE_URL%%"
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}\Z)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SMTP = policy.SMTP.clone(max_line_length=78)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """A signed message and its envelope, as the mailer sends it."""

    envelope_from: str
    recipient: str
    data: bytes
    message_id: str

    @property
    def domain(self) -> str:
        """The recipient's domain, lower-cased (for per-domain rate limits)."""
        return self.recipient.rpartition("@")[2].lower()


def check_address(address: str) -> str:
    """Return the address stripped if it is a plain ``local@domain.tld`` (ASCII), else raise.

    Raises:
        DeliveryError: the address cannot be sent to (a permanent failure: no retry).
    """
    value = address.strip()
    if not _ADDRESS.fullmatch(value) or ".." in value or value.startswith("."):
        raise DeliveryError("invalid recipient address")
    return value


def new_verp_tag() -> str:
    """A random tag for one delivery's return path (26 hex digits)."""
    return secrets.token_hex(13)


def verp_tag(address: str, options: SendOptions) -> str | None:
    """The VERP tag of a bounce's recipient address, or None when it is not one of ours."""
    prefix, _, suffix = options.bounce_address.partition("{verp}")
    value = address.strip().strip("<>").lower()
    if (
        value.startswith(prefix.lower())
        and value.endswith(suffix.lower())
        and len(value) > len(prefix) + len(suffix)
    ):
        tag = value[len(prefix) : len(value) - len(suffix)]
        return tag if re.fullmatch(r"[0-9a-f]{26}", tag) else None
    return None


def build_message(
    rendered: RenderedEdition,
    *,
    address: str,
    token: str,
    options: SendOptions,
    now: datetime,
) -> EmailMessage:
    """One reader's copy of the edition, unsigned.

    Args:
        rendered: the edition as rendered for email.
        address: the reader's address (checked).
        token: the reader's opaque unsubscribe token.
        options: sender, list and unsubscribe settings.
        now: the Date header.

    Returns:
        The message (``policy.SMTP``).

    Raises:
        DeliveryError: the address is invalid.
    """
    to = check_address(address)
    https = options.unsubscribe_url.format(token=token)
    mailto = options.unsubscribe_mailto.format(token=token)
    msg = EmailMessage(policy=_SMTP)
    msg["From"] = formataddr((options.from_name, options.from_address))
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{options.domain}>"
    msg["List-Id"] = options.list_id
    msg["List-Unsubscribe"] = f"<{https}>, <mailto:{mailto}?subject=unsubscribe>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    body = EmailMessage(policy=_SMTP)
    body.set_content(_text_with_link(rendered.text, https), subtype="plain", cte="quoted-printable")
    body.add_alternative(_html_with_link(rendered.email_html, https), subtype="html", cte="quoted-printable")
    body.set_boundary(_boundary())
    if not rendered.inline_parts:
        for name, value in body.items():
            if name.lower().startswith("content-"):
                msg[name] = value
        msg.set_payload(body.get_payload())
    else:
        msg.make_related(boundary=_boundary())
        msg.attach(body)
        for cid, mime, data in rendered.inline_parts:
            maintype, _, subtype = mime.partition("/")
            part = EmailMessage(policy=_SMTP)
            part.set_content(
                data, maintype=maintype, subtype=subtype, cid=f"<{cid.strip('<>')}>", disposition="inline"
            )
            msg.attach(part)
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    msg["MIME-Version"] = "1.0"
    return msg


def render_message(
    msg: EmailMessage, *, verp: str, options: SendOptions, keys: tuple[DkimKey, ...], timestamp: int
) -> OutgoingMessage:
    """Serialize with CRLF, DKIM-sign the bytes and attach the VERP envelope sender."""
    raw = msg.as_bytes(policy=_SMTP)
    data = sign_message(raw, keys, timestamp=timestamp) if keys else raw
    return OutgoingMessage(
        envelope_from=options.bounce_address.format(verp=verp),
        recipient=str(msg["To"]),
        data=data,
        message_id=str(msg["Message-ID"]),
    )


def _boundary() -> str:
    return "=_ew_" + secrets.token_hex(12)


def _text_with_link(text: str, url: str) -> str:
    if UNSUBSCRIBE_MARK in text:
        return text.replace(UNSUBSCRIBE_MARK, url)
    return text.rstrip("\n") + f"\n\n--\nUnsubscribe with one click: {url}\n"


def _html_with_link(html: str, url: str) -> str:
    if UNSUBSCRIBE_MARK in html:
        return html.replace(UNSUBSCRIBE_MARK, escape(url))
    footer = (
        '<p style="font-size:13px;color:#555555">You receive this briefing because you subscribed. '
        f'<a href="{escape(url)}">Unsubscribe</a>.</p>'
    )
    closing = html.lower().rfind("</body>")
    return html[:closing] + footer + html[closing:] if closing >= 0 else html + footer
