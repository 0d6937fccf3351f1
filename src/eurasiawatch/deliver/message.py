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

Speed: ``MessageTemplate`` builds the edition's message once with the ``email`` package (headers
shared by every reader, MIME skeleton, boundaries, inline charts already in base64, the text and
HTML with a slot where the unsubscribe link goes) and then makes each reader's copy from bytes: the
per-reader headers (To, Date, Message-ID, List-Unsubscribe) are written directly, the link is put
into the text and HTML and only those two parts are quoted-printable encoded again (C ``binascii``),
so a link of any length wraps correctly. The DKIM body hash reuses the canonical form of the shared
parts. ~0.1 ms per copy against ~2.5 ms for building each copy with ``email``.
"""

from __future__ import annotations

import base64
import binascii
import email
import hashlib
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
from .dkim import DkimKey, relaxed_body, relaxed_lines, sign_message
from .options import SendOptions

__all__ = [
    "UNSUBSCRIBE_MARK",
    "MessageTemplate",
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
_WIRE = policy.SMTP.clone(max_line_length=998)


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
    """One reader's copy of the edition, unsigned, as an ``EmailMessage`` (``policy.SMTP``).

    The same bytes as ``MessageTemplate.copy`` makes (the sender's fast path), parsed; used for the
    copies that are changed afterwards (PGP encryption) and by tests.

    Raises:
        DeliveryError: the address is invalid.
    """
    return MessageTemplate.build(rendered, options).message(address=address, token=token, now=now)


@dataclass(frozen=True, slots=True, kw_only=True)
class Copy:
    """One reader's unsigned copy: the bytes, and the DKIM body hash computed along the way."""

    data: bytes
    recipient: str
    message_id: str
    body_hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageTemplate:
    """An edition's message built once; ``copy`` and ``render`` fill in one reader's parts.

    Build it with ``MessageTemplate.build``. The body is ``prefix + QP(text) + middle + QP(html) +
    suffix``: everything but the two text parts is shared by every reader (boundaries included).
    """

    options: SendOptions
    head_from: bytes  # the shared header fields, each ``Name: value\r\n`` as ``email`` folds them
    head_subject: bytes
    head_list_id: bytes
    head_tail: bytes  # List-Unsubscribe-Post, Content-Type, MIME-Version and the empty line
    text: tuple[bytes, ...]  # the plain text (UTF-8, CRLF) split where the link goes
    html: tuple[bytes, ...]  # the HTML, likewise (the link HTML-escaped)
    prefix: bytes
    middle: bytes
    suffix: bytes
    # relaxed DKIM canonical forms of the shared body parts (the suffix with the end-of-body rule)
    canonical: tuple[bytes, bytes, bytes]

    @classmethod
    def build(
        cls, rendered: RenderedEdition, options: SendOptions, *, subject: str | None = None
    ) -> MessageTemplate:
        """Build the shared parts of ``rendered``'s message (``subject`` replaces the edition's)."""
        slot = secrets.token_hex(8)
        text_slot, html_slot = f"EWTEXTSLOT{slot}", f"EWHTMLSLOT{slot}"
        head = EmailMessage(policy=_SMTP)
        head["From"] = formataddr((options.from_name, options.from_address))
        head["Subject"] = subject if subject is not None else rendered.subject
        head["List-Id"] = options.list_id
        head["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        fields = dict(_fields(head.as_bytes(policy=_SMTP)))

        skeleton = EmailMessage(policy=_SMTP)
        body = EmailMessage(policy=_SMTP)
        body.set_content(text_slot + "\n", subtype="plain", cte="quoted-printable")
        body.add_alternative(html_slot + "\n", subtype="html", cte="quoted-printable")
        body.set_boundary(_boundary())
        if not rendered.inline_parts:
            for name, value in body.items():
                if name.lower().startswith("content-"):
                    skeleton[name] = value
            skeleton.set_payload(body.get_payload())
        else:
            skeleton.make_related(boundary=_boundary())
            skeleton.attach(body)
            for cid, mime, data in rendered.inline_parts:
                maintype, _, subtype = mime.partition("/")
                part = EmailMessage(policy=_SMTP)
                part.set_content(
                    data, maintype=maintype, subtype=subtype, cid=f"<{cid.strip('<>')}>", disposition="inline"
                )
                skeleton.attach(part)
        for part in skeleton.walk():
            if part is not skeleton:
                del part["MIME-Version"]
        skeleton["MIME-Version"] = "1.0"
        skeleton_head, _, skeleton_body = skeleton.as_bytes(policy=_SMTP).partition(b"\r\n\r\n")
        prefix, rest = _split_once(skeleton_body, text_slot.encode() + b"\r\n")
        middle, suffix = _split_once(rest, html_slot.encode() + b"\r\n")
        mark = UNSUBSCRIBE_MARK.encode()
        return cls(
            options=options,
            head_from=fields["from"],
            head_subject=fields["subject"],
            head_list_id=fields["list-id"],
            head_tail=fields["list-unsubscribe-post"] + skeleton_head + b"\r\n\r\n",
            text=tuple(_crlf(_text_with_link(rendered.text, UNSUBSCRIBE_MARK)).split(mark)),
            html=tuple(_crlf(_html_with_link(rendered.email_html, UNSUBSCRIBE_MARK)).split(mark)),
            prefix=prefix,
            middle=middle,
            suffix=suffix,
            canonical=(relaxed_lines(prefix), relaxed_lines(middle), relaxed_body(suffix)),
        )

    def copy(self, *, address: str, token: str, now: datetime, message_id: str | None = None) -> Copy:
        """One reader's copy, unsigned.

        Raises:
            DeliveryError: the address is invalid, or the unsubscribe links made from the token
                would not be a safe header value.
        """
        to = check_address(address)
        https = self.options.unsubscribe_url.format(token=token)
        mailto = self.options.unsubscribe_mailto.format(token=token)
        if not (_URL.fullmatch(https) and _URL.fullmatch(mailto)):
            raise DeliveryError("the unsubscribe link is not a plain ASCII URL")
        message_id = message_id or f"<{secrets.token_hex(16)}@{self.options.domain}>"
        link = https.encode("ascii")
        text = _qp(link.join(self.text))
        html = _qp(escape(https).encode("ascii").join(self.html))
        head = b"".join(
            (
                self.head_from,
                b"To: %s\r\n" % to.encode("ascii"),
                self.head_subject,
                b"Date: %s\r\n" % format_datetime(now).encode("ascii"),
                b"Message-ID: %s\r\n" % message_id.encode("ascii"),
                self.head_list_id,
                # one URI per line: folded between the two, never inside one (RFC 2369 parsers
                # do not decode encoded-words, so a long link must not be encoded)
                b"List-Unsubscribe: <%s>,\r\n <mailto:%s?subject=unsubscribe>\r\n"
                % (link, mailto.encode("ascii")),
                self.head_tail,
            )
        )
        c_prefix, c_middle, c_suffix = self.canonical
        digest = hashlib.sha256(c_prefix)
        digest.update(relaxed_lines(text))
        digest.update(c_middle)
        digest.update(relaxed_lines(html))
        digest.update(c_suffix)
        return Copy(
            data=b"".join((head, self.prefix, text, self.middle, html, self.suffix)),
            recipient=to,
            message_id=message_id,
            body_hash=base64.b64encode(digest.digest()).decode("ascii"),
        )

    def message(self, *, address: str, token: str, now: datetime) -> EmailMessage:
        """One reader's copy parsed into an ``EmailMessage`` (for PGP encryption and tests).

        Raises:
            DeliveryError: see ``copy``.
        """
        parsed = email.message_from_bytes(self.copy(address=address, token=token, now=now).data, policy=_SMTP)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def render(
        self,
        *,
        address: str,
        token: str,
        verp: str,
        now: datetime,
        keys: tuple[DkimKey, ...],
        timestamp: int,
    ) -> OutgoingMessage:
        """One reader's copy, DKIM-signed, with its VERP envelope sender (the sender's fast path).

        Raises:
            DeliveryError: see ``copy``.
        """
        made = self.copy(address=address, token=token, now=now)
        data = (
            sign_message(made.data, keys, timestamp=timestamp, body_hash=made.body_hash)
            if keys
            else made.data
        )
        return OutgoingMessage(
            envelope_from=self.options.bounce_address.format(verp=verp),
            recipient=made.recipient,
            data=data,
            message_id=made.message_id,
        )


def render_message(
    msg: EmailMessage, *, verp: str, options: SendOptions, keys: tuple[DkimKey, ...], timestamp: int
) -> OutgoingMessage:
    """Serialize with CRLF, DKIM-sign the bytes and attach the VERP envelope sender.

    For copies changed after ``MessageTemplate`` made them (PGP). Header lines are folded only past
    998 characters: ``email`` would otherwise turn a long unsubscribe link into encoded-words,
    which RFC 2369 readers do not decode.
    """
    raw = msg.as_bytes(policy=_WIRE)
    data = sign_message(raw, keys, timestamp=timestamp) if keys else raw
    return OutgoingMessage(
        envelope_from=options.bounce_address.format(verp=verp),
        recipient=str(msg["To"]),
        data=data,
        message_id=str(msg["Message-ID"]),
    )


_URL = re.compile(r"[\x21-\x7e]{1,900}")


def _fields(raw: bytes) -> list[tuple[str, bytes]]:
    """(lower-case name, the whole field with its folding and CRLF) of a message's header fields."""
    head = raw.partition(b"\r\n\r\n")[0] + b"\r\n"
    return [
        (field.partition(b":")[0].strip().lower().decode("ascii"), field)
        for field in re.findall(rb"[^\r\n]+\r\n(?:[ \t][^\r\n]*\r\n)*", head)
    ]


def _split_once(data: bytes, slot: bytes) -> tuple[bytes, bytes]:
    before, found, after = data.partition(slot)
    if not found or slot in after:  # pragma: no cover - the slot names are random
        raise DeliveryError("could not build the message template")
    return before, after


def _crlf(text: str) -> bytes:
    """UTF-8 with CRLF line ends and a final line end, as ``email`` normalises text parts."""
    return b"\r\n".join(text.encode("utf-8").splitlines()) + b"\r\n"


def _qp(data: bytes) -> bytes:
    """Quoted-printable (RFC 2045: lines of at most 76 characters, CRLF kept as line ends)."""
    return binascii.b2a_qp(data, istext=True)


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
