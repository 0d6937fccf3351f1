"""SmtpMailer against a real aiosmtpd server on loopback: replies, failover, throttling."""

from __future__ import annotations

import asyncio

import pytest

from eurasiawatch.deliver.message import OutgoingMessage
from eurasiawatch.deliver.options import Relay, parse_relays
from eurasiawatch.deliver.smtp import FileMailer, PermanentDeliveryError, SmtpMailer, Throttled
from eurasiawatch.errors import ConfigError, DeliveryError, TransientDeliveryError

from .smtp_loopback import SmtpSink, free_port, smtp_server


def _msg(to: str = "reader@example.net") -> OutgoingMessage:
    data = b"From: a@eurasiawatch.example\r\nTo: " + to.encode() + b"\r\nSubject: hi\r\n\r\nbody\r\n"
    return OutgoingMessage(
        envelope_from="bounces+x@eurasiawatch.example", recipient=to, data=data, message_id=""
    )


def _send(mailer: SmtpMailer, *messages: OutgoingMessage) -> list[object]:
    async def go() -> list[object]:
        try:
            return await asyncio.gather(*(mailer.send(m) for m in messages), return_exceptions=True)
        finally:
            await mailer.close()

    return asyncio.run(go())


def test_delivers_exact_bytes_over_a_reused_connection() -> None:
    with smtp_server() as (sink, port):
        mailer = SmtpMailer((Relay(host="127.0.0.1", port=port, connections=1),))
        results = _send(mailer, _msg("a@example.net"), _msg("b@example.net"))
    assert results == [f"127.0.0.1:{port}"] * 2
    assert sink.to("a@example.net")[0].data.startswith(b"From: a@eurasiawatch.example\r\nTo: a@example.net")
    assert sink.received[0].mail_from == "bounces+x@eurasiawatch.example"


@pytest.mark.parametrize(
    ("reply", "error", "scope"),
    [
        ("550 5.1.1 No such user", PermanentDeliveryError, None),
        ("421 4.7.0 Too many connections, closing", Throttled, "relay"),
        ("450 4.2.1 Rate limit exceeded, slow down", Throttled, "domain"),
        ("451 4.3.0 Local error in processing", TransientDeliveryError, None),
    ],
)
def test_replies_are_classified(reply: str, error: type[Exception], scope: str | None) -> None:
    sink = SmtpSink(rcpt_replies={"x@example.net": [reply]})
    with smtp_server(sink) as (_, port):
        (result,) = _send(SmtpMailer((Relay(host="127.0.0.1", port=port),)), _msg("x@example.net"))
    assert type(result) is error
    if scope:
        assert result.scope == scope  # type: ignore[attr-defined]


def test_a_refused_data_reply_is_classified_too() -> None:
    sink = SmtpSink(replies={"x@example.net": ["554 5.7.1 Message rejected"]})
    with smtp_server(sink) as (_, port):
        (result,) = _send(SmtpMailer((Relay(host="127.0.0.1", port=port),)), _msg("x@example.net"))
    assert isinstance(result, PermanentDeliveryError) and result.code == 554


def test_fails_over_when_a_relay_is_down() -> None:
    dead = Relay(host="127.0.0.1", port=free_port(), weight=100, timeout=2)
    with smtp_server() as (sink, port):
        mailer = SmtpMailer((dead, Relay(host="127.0.0.1", port=port, weight=1)))
        results = _send(mailer, _msg())
    assert results == [f"127.0.0.1:{port}"]
    assert len(sink.received) == 1


def test_all_relays_down_is_transient() -> None:
    mailer = SmtpMailer((Relay(host="127.0.0.1", port=free_port(), timeout=2),))
    (result,) = _send(mailer, _msg())
    assert isinstance(result, TransientDeliveryError) and "no SMTP relay" in str(result)


def test_throttling_slows_the_domain_down() -> None:
    sink = SmtpSink(rcpt_replies={"x@example.net": ["450 4.2.1 Too many messages, slow down"]})
    with smtp_server(sink) as (_, port):
        mailer = SmtpMailer((Relay(host="127.0.0.1", port=port),))
        _send(mailer, _msg("x@example.net"))
        assert mailer._domains["example.net"].interval >= 0.5


def test_file_mailer_writes_an_outbox(tmp_path) -> None:
    mailer = FileMailer(tmp_path / "outbox")

    async def go() -> str:
        return await mailer.send(_msg())

    assert asyncio.run(go()) == "outbox"
    assert (tmp_path / "outbox" / "000001.eml").read_bytes() == _msg().data
    assert "reader@example.net" in (tmp_path / "outbox" / "envelopes.jsonl").read_text()


def test_relay_urls() -> None:
    relays = parse_relays(
        "smtp://user@mx1.example:587?tls=starttls&weight=3&rate=50, smtps://mx2.example",
        {"EURASIAWATCH_DELIVER__SMTP_PASSWORD": "pw"},
    )
    assert relays[0].tls == "starttls" and relays[0].port == 587 and relays[0].weight == 3
    assert relays[0].username == "user" and relays[0].password == "pw" and relays[0].rate == 50
    assert relays[1].tls == "tls" and relays[1].port == 465
    with pytest.raises(ConfigError):
        parse_relays("smtp://u:secret@mx.example")
    with pytest.raises(ConfigError):
        parse_relays("http://mx.example")


@pytest.mark.parametrize("size", [0, 40_000])  # small: written after the claim; large: before it
def test_the_claim_comes_last_and_a_refused_claim_sends_nothing(size: int) -> None:
    body = b".a line that starts with a dot\r\n" + b"x" * 70 + b"\r\n"
    body += (b"y" * 70 + b"\r\n") * (size // 72)
    msg = OutgoingMessage(
        envelope_from="bounces+x@eurasiawatch.example",
        recipient="a@example.net",
        data=b"From: a@eurasiawatch.example\r\nTo: a@example.net\r\nSubject: hi\r\n\r\n" + body,
        message_id="",
    )
    seen: list[int] = []

    with smtp_server() as (sink, port):

        async def go() -> list[object]:
            mailer = SmtpMailer((Relay(host="127.0.0.1", port=port, connections=1),))

            async def refuse() -> bool:
                seen.append(len(sink.received))
                return False

            async def accept() -> bool:
                seen.append(len(sink.received))
                return True

            try:
                first = await asyncio.gather(mailer.send(msg, refuse), return_exceptions=True)
                second = await mailer.send(msg, accept)  # a new connection: the first one was dropped
                return [*first, second]
            finally:
                await mailer.close()

        refused, relay = asyncio.run(go())
        received = list(sink.received)
    assert isinstance(refused, DeliveryError) and "abandoned" in str(refused)
    assert seen == [0, 0]  # the server had no message at either claim
    assert relay == f"127.0.0.1:{port}"
    assert len(received) == 1 and received[0].data == msg.data  # exact bytes, dots unstuffed


def test_a_refused_recipient_is_never_claimed() -> None:
    sink = SmtpSink(rcpt_replies={"gone@example.net": ["550 5.1.1 No such user"]})
    claims: list[str] = []
    with smtp_server(sink) as (_, port):
        mailer = SmtpMailer((Relay(host="127.0.0.1", port=port, connections=1),))

        async def go() -> object:
            try:
                return await mailer.send(_msg("gone@example.net"), lambda: claims.append("x") or True)
            except PermanentDeliveryError as exc:
                return exc
            finally:
                await mailer.close()

        result = asyncio.run(go())
    assert isinstance(result, PermanentDeliveryError) and claims == []
