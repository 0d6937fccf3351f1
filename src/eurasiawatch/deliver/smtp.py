"""Mailers: ``SmtpMailer`` (aiosmtplib, several relays) and ``FileMailer`` (an outbox directory).

A mailer has two coroutines, ``send(message) -> relay name`` and ``close()``. ``send`` raises:

- ``Throttled`` (a ``TransientDeliveryError``) for a 421 or a 450/451/452 whose text speaks of rates
  ("too many", "rate", "throttl", "slow down"): the relay (421) or the destination domain (45x) is
  slowed down and the recipient is retried later without counting it as a failed attempt;
- ``TransientDeliveryError`` for other 4xx replies and for relays that cannot be reached or used
  (refused connection, TLS handshake or certificate failure, login refused, no STARTTLS offered):
  those are the relay's problem, never a reason to bounce a reader;
- ``PermanentDeliveryError`` for 5xx replies (the recipient bounced).

Relays are picked at random by weight among those not marked down; a relay that cannot be reached
is marked down for ``DOWN_SECONDS`` and the next one is tried at once (failover). Each relay keeps a
pool of up to ``Relay.connections`` open connections and its own pace (``Relay.rate``); each
destination domain has a pace too (``SendOptions.domain_rate``), which a throttling reply halves.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import aiosmtplib

from ..errors import DeliveryError, TransientDeliveryError
from .message import OutgoingMessage
from .options import Relay

__all__ = ["BeforeData", "FileMailer", "Mailer", "PermanentDeliveryError", "SmtpMailer", "Throttled"]

DOWN_SECONDS = 30.0
_RATE_WORDS = re.compile(r"rate|too many|throttl|slow down|try (again )?later|exceeded", re.IGNORECASE)


class Throttled(TransientDeliveryError):
    """The server asked us to slow down; ``scope`` is ``relay`` or ``domain``."""

    def __init__(self, message: str, *, scope: str, code: int) -> None:
        super().__init__(message)
        self.scope = scope
        self.code = code


class _RelayRefused(DeliveryError):
    """The relay could not be used (login refused, no STARTTLS): a relay failure, not the reader's."""


class PermanentDeliveryError(DeliveryError):
    """The server refused the recipient or message for good (5xx)."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


BeforeData = Callable[[], "bool | Awaitable[bool]"]
"""Called after the 354, before the message's end goes out; may be a coroutine function."""


async def _claim(before_data: BeforeData | None) -> bool:
    """Run ``before_data`` (plain or async); True when there is none."""
    if before_data is None:
        return True
    result = before_data()
    if inspect.isawaitable(result):
        result = await result
    return bool(result)


class Mailer(Protocol):
    """Sends signed messages; ``send`` returns the name of the relay (or outbox) that took it."""

    async def send(self, message: OutgoingMessage, before_data: BeforeData | None = None) -> str:
        """Send one message (raises the errors listed in the module docstring).

        ``before_data`` is called once the server took the recipient and answered 354 to DATA, right
        before the end of the message is written; when it returns False the transaction is
        abandoned (``DeliveryError``; the connection is dropped, so the server discards the
        message). The ledger commits ``sending`` there, so a sender killed earlier leaves the row
        ``queued`` (the server has no complete message to deliver).
        """
        ...

    async def close(self) -> None:
        """Close connections and files."""
        ...


class FileMailer:
    """An outbox: each message is written as ``<n>.eml`` with its envelope in ``envelopes.jsonl``.

    Used by tests and ``send --dry-run``; it never fails.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._count = len(list(self.directory.glob("*.eml")))

    async def send(self, message: OutgoingMessage, before_data: BeforeData | None = None) -> str:
        """Write the message and its envelope."""
        if not await _claim(before_data):
            raise DeliveryError("abandoned before DATA")
        self._count += 1
        name = f"{self._count:06d}.eml"
        (self.directory / name).write_bytes(message.data)
        envelope = {"file": name, "from": message.envelope_from, "to": message.recipient}
        with (self.directory / "envelopes.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(envelope) + "\n")
        return "outbox"

    async def close(self) -> None:
        """Nothing to close."""


@dataclass
class _Pace:
    """Spaces the starts of sends ``interval`` seconds apart (0: no spacing)."""

    interval: float = 0.0
    floor: float = 0.0
    next_at: float = 0.0

    async def wait(self) -> None:
        if self.interval <= 0:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self.next_at)
        self.next_at = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)

    def slow_down(self) -> None:
        self.interval = min(max(self.interval * 2, 0.5), 60.0)

    def speed_up(self) -> None:
        if self.interval > self.floor:
            self.interval = max(self.floor, self.interval * 0.9)


@dataclass
class _RelayState:
    relay: Relay
    pace: _Pace
    slots: asyncio.Semaphore
    idle: list[aiosmtplib.SMTP] = field(default_factory=list)
    down_until: float = 0.0


class SmtpMailer:
    """Sends through one or more SMTP relays with failover, pools, paces and throttling.

    Args:
        relays: the relays, with weights, TLS mode, credentials, connections and rate.
        domain_rate: messages per second to one destination domain (0: unlimited).
        tls_context: for tests with a self-signed server; the default verifies certificates.
    """

    def __init__(
        self,
        relays: tuple[Relay, ...],
        *,
        domain_rate: float = 0.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if not relays:
            raise DeliveryError("no SMTP relay configured", hint="set deliver.relays")
        self._relays = [
            _RelayState(
                relay=r,
                pace=_Pace(
                    interval=1 / r.rate if r.rate > 0 else 0.0, floor=1 / r.rate if r.rate > 0 else 0.0
                ),
                slots=asyncio.Semaphore(max(1, r.connections)),
            )
            for r in relays
        ]
        self._domain_interval = 1 / domain_rate if domain_rate > 0 else 0.0
        self._domains: dict[str, _Pace] = {}
        self._tls_context = tls_context

    def _pick(self, tried: set[str]) -> _RelayState | None:
        now = asyncio.get_running_loop().time()
        candidates = [s for s in self._relays if s.relay.name not in tried and s.down_until <= now]
        if not candidates:  # every relay is down: try the ones not tried yet anyway
            candidates = [s for s in self._relays if s.relay.name not in tried]
        if not candidates:
            return None
        return random.choices(candidates, weights=[max(s.relay.weight, 0.001) for s in candidates])[0]

    def _domain_pace(self, domain: str) -> _Pace:
        pace = self._domains.get(domain)
        if pace is None:
            pace = self._domains[domain] = _Pace(interval=self._domain_interval, floor=self._domain_interval)
        return pace

    async def send(self, message: OutgoingMessage, before_data: BeforeData | None = None) -> str:
        """Send through a relay, failing over to the next when one cannot be reached.

        Raises:
            Throttled, TransientDeliveryError, PermanentDeliveryError: see the module docstring.
        """
        domain_pace = self._domain_pace(message.domain)
        tried: set[str] = set()
        last: Exception | None = None
        while (state := self._pick(tried)) is not None:
            tried.add(state.relay.name)
            await domain_pace.wait()
            try:
                await self._send_via(state, message, before_data)
            except (
                _RelayRefused,
                aiosmtplib.SMTPConnectError,
                aiosmtplib.SMTPServerDisconnected,
                OSError,
            ) as exc:
                # unreachable or dropped: mark it down and fail over to the next relay
                state.down_until = asyncio.get_running_loop().time() + DOWN_SECONDS
                last = exc
                continue
            except aiosmtplib.SMTPTimeoutError as exc:
                state.down_until = asyncio.get_running_loop().time() + DOWN_SECONDS
                last = exc
                continue
            except Throttled as exc:
                (state.pace if exc.scope == "relay" else domain_pace).slow_down()
                raise
            domain_pace.speed_up()
            state.pace.speed_up()
            return state.relay.name
        raise TransientDeliveryError(f"no SMTP relay could be reached ({type(last).__name__}: {last})")

    async def _send_via(
        self, state: _RelayState, message: OutgoingMessage, before_data: BeforeData | None
    ) -> None:
        async with state.slots:
            await state.pace.wait()
            smtp = state.idle.pop() if state.idle else None
            if smtp is None or not smtp.is_connected:  # a pooled connection the server closed
                smtp = await self._connect(state.relay)
            keep = True
            try:
                await _transaction(smtp, message, before_data, state.relay.timeout)
            except aiosmtplib.SMTPRecipientRefused as exc:
                keep = await _reset(smtp)
                raise _classify(exc.code, exc.message) from None
            except _Abandoned:
                keep = False  # the server holds a message without its end: only a closed connection drops it
                raise
            except aiosmtplib.SMTPResponseException as exc:
                keep = exc.code != 421 and await _reset(smtp)
                raise _classify(exc.code, exc.message) from None
            except BaseException:
                keep = False
                raise
            finally:
                if keep and smtp.is_connected:
                    state.idle.append(smtp)
                else:
                    smtp.close()

    async def _connect(self, relay: Relay) -> aiosmtplib.SMTP:
        smtp = aiosmtplib.SMTP(
            hostname=relay.host,
            port=relay.port,
            use_tls=relay.tls == "tls",
            start_tls=relay.tls == "starttls",
            username=relay.username,
            password=relay.password,
            timeout=relay.timeout,
            tls_context=self._tls_context,
        )
        try:
            await smtp.connect()
            if smtp.last_ehlo_response is None and smtp.last_helo_response is None:
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await smtp.helo()
        except aiosmtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise _RelayRefused(f"{relay.name} refused our login: {exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
            smtp.close()
            raise
        except aiosmtplib.SMTPException as exc:  # e.g. no STARTTLS offered, no AUTH offered
            smtp.close()
            raise _RelayRefused(f"{relay.name} cannot be used as configured: {exc}") from None
        except Exception:  # a failed TLS handshake (an untrusted certificate)
            smtp.close()
            await asyncio.sleep(
                0
            )  # let the transport finish closing (its socket), even if the loop ends next
            raise
        except BaseException:
            smtp.close()
            raise
        return smtp

    async def close(self) -> None:
        """QUIT every pooled connection."""
        for state in self._relays:
            while state.idle:
                smtp = state.idle.pop()
                try:
                    await smtp.quit()
                except aiosmtplib.SMTPException:
                    smtp.close()


class _Abandoned(DeliveryError):
    """``before_data`` said no: the message was not sent (its end was never written)."""


# a message this large is written before the claim, so only its final "." waits for the ledger
_WRITE_EARLY = 16 * 1024
_LEADING_DOT = re.compile(rb"(?m)^\.")


async def _transaction(
    smtp: aiosmtplib.SMTP, message: OutgoingMessage, before_data: BeforeData | None, timeout: float | None
) -> None:
    """MAIL, RCPT, DATA; then ``before_data``; then the message and its final ``.``.

    The claim (the ledger's ``sending`` commit) comes after the server's 354, as late as possible:
    a sender killed before it leaves nothing the server could deliver (a message without its final
    ``.`` is discarded when the connection drops). Small messages go out in one write with their
    ``.`` after the claim; large ones are written before it so only the ``.`` waits.

    The commands are written directly (the addresses are already checked, so aiosmtplib's
    address parsing per command is skipped): the same SMTP, fewer CPU cycles per message.

    Raises:
        aiosmtplib.SMTPResponseException: a refusal (``SMTPRecipientRefused`` for RCPT).
        _Abandoned: ``before_data`` returned False; the connection must be closed.
    """
    reply = await smtp.execute_command(b"MAIL", b"FROM:<%s>" % message.envelope_from.encode("ascii"))
    if reply.code != 250:
        raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, message.envelope_from)
    reply = await smtp.execute_command(b"RCPT", b"TO:<%s>" % message.recipient.encode("ascii"))
    if reply.code not in (250, 251):
        raise aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, message.recipient)
    reply = await smtp.execute_command(b"DATA")
    if reply.code != 354:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)
    protocol = smtp.protocol
    if protocol is None:  # pragma: no cover - execute_command raises first
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    data = _LEADING_DOT.sub(b"..", message.data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    if len(data) > _WRITE_EARLY:
        protocol.write(data)
        data = b""
    if not await _claim(before_data):
        raise _Abandoned("abandoned before DATA")
    protocol.write(data + b".\r\n")
    reply = await protocol.read_response(timeout=timeout)
    if reply.code != 250:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)


async def _reset(smtp: aiosmtplib.SMTP) -> bool:
    """RSET after a refused transaction so the connection can be reused; False if that failed."""
    try:
        await smtp.rset()
    except (aiosmtplib.SMTPException, OSError):
        return False
    return True


def _classify(code: int, text: str) -> DeliveryError:
    reply = f"{code} {text}".strip()
    if code == 421:
        return Throttled(f"relay asked to slow down: {reply}", scope="relay", code=code)
    if code in (450, 451, 452) and _RATE_WORDS.search(text or ""):
        return Throttled(f"domain asked to slow down: {reply}", scope="domain", code=code)
    if 400 <= code < 500:
        return TransientDeliveryError(f"temporary failure: {reply}")
    return PermanentDeliveryError(f"refused: {reply}", code=code)
