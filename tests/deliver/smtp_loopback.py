"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the sending tests, with scriptable replies.

``SmtpSink`` keeps every accepted message exactly as received (envelope and bytes). ``replies``
maps a recipient address to a list of reply lines handed out in turn (``"421 4.7.0 Try later"``,
``"550 5.1.1 No such user"``); when the list is empty the message is accepted.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from eurasiawatch.deliver.dkim import DkimKey, dns_txt_record
from eurasiawatch.records import RenderedEdition


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class SmtpSink:
    """The handler: what was accepted, and replies to give instead of accepting."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, list[str]] = field(default_factory=dict)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
    ) -> str:
        with self.lock:
            queue = self.rcpt_replies.get(address)
            if queue:
                return queue.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                queue = self.replies.get(rcpt)
                if queue:
                    return queue.pop(0)
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK queued"

    def to(self, address: str) -> list[Received]:
        """Messages accepted for one recipient."""
        with self.lock:
            return [r for r in self.received if address in r.rcpt_tos]


@contextmanager
def smtp_server(sink: SmtpSink | None = None) -> Iterator[tuple[SmtpSink, int]]:
    """Run aiosmtpd on a free loopback port; yields (sink, port)."""
    handler = sink or SmtpSink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=50_000_000)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rsa_key(domain: str = "eurasiawatch.example", selector: str = "sel1") -> DkimKey:
    """A throwaway 2048-bit RSA DKIM key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DkimKey.from_pem(domain, selector, pem)


def ed25519_key(domain: str = "eurasiawatch.example", selector: str = "ed1") -> DkimKey:
    """A throwaway Ed25519 DKIM key."""
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DkimKey.from_pem(domain, selector, pem)


def dns_stub(*keys: DkimKey) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` answering the TXT records of the given keys and nothing else."""
    records = {f"{k.selector}._domainkey.{k.domain}.".encode(): dns_txt_record(k).encode() for k in keys}

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name if name.endswith(b".") else name + b".")

    return lookup


# a 1x1 transparent PNG: enough for an inline part
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def rendered_edition(edition_id: str = "2024-07-10") -> RenderedEdition:
    """A small rendered edition written for these tests (not real reporting)."""
    paragraphs = [
        "Kazakhstan and China signed an agreement on a second railway crossing at Bakhty.",
        "Serbian officials opened a Chinese-built bridge near Zemun and praised the loan terms.",
        "In Georgia, the Anaklia port tender went to a consortium with a Chinese partner.",
    ]
    text = "China In Eurasia, 10 July 2024\n\n" + "\n\n".join(paragraphs) + "\n"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>China In Eurasia</title></head>'
        f"<body><h1>China In Eurasia</h1>{body}"
        '<img src="cid:chart-1@eurasiawatch.example" alt="Chart: rail freight by month" width="1" height="1">'
        "</body></html>"
    )
    return RenderedEdition(
        edition_id=edition_id,
        subject="China In Eurasia: a second railway crossing",
        email_html=html,
        text=text,
        web_html=html,
        web_path=f"editions/2024/07/10/{edition_id}/index.html",
        inline_parts=(("chart-1@eurasiawatch.example", "image/png", PNG),),
    )


NOW = datetime(2024, 7, 10, 7, 0, tzinfo=UTC)
