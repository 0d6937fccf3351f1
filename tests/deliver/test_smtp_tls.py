"""SmtpMailer over STARTTLS and implicit TLS with AUTH, against aiosmtpd on loopback.

The server's certificate is generated here (a throwaway self-signed certificate for 127.0.0.1); the
client trusts it through ``tls_context`` and verifies it as it would a real relay's.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eurasiawatch.deliver.message import OutgoingMessage
from eurasiawatch.deliver.options import Relay
from eurasiawatch.deliver.smtp import SmtpMailer
from eurasiawatch.errors import TransientDeliveryError

from .smtp_loopback import SmtpSink, free_port

USER, PASSWORD = "sender", "correct horse battery staple"


class TlsSink(SmtpSink):
    """Remembers, per accepted message, whether the session was encrypted and who logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, bool, object]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.sessions.append((encrypted, session.authenticated, session.auth_data))
        return await super().handle_DATA(server, session, envelope)


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this test run: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eurasiawatch test relay")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def _client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    # verifies the chain and the host name, trusting only the certificate made above
    return ssl.create_default_context(cafile=str(certificate[0]))


@contextmanager
def tls_server(certificate: tuple[Path, Path], *, implicit: bool) -> Iterator[tuple[TlsSink, int]]:
    """aiosmtpd requiring TLS (STARTTLS, or TLS from the first byte) before AUTH and before mail."""
    sink = TlsSink()
    port = free_port()
    context = _server_context(certificate)
    kwargs: dict[str, Any] = {"ssl_context": context} if implicit else {"tls_context": context}
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        # aiosmtpd only knows about STARTTLS: with implicit TLS it must be told AUTH is fine without
        # it (every byte is encrypted anyway), and then it will not require AUTH; the test checks
        # that the client logged in
        auth_required=not implicit,
        auth_require_tls=not implicit,
        require_starttls=not implicit,
        **kwargs,
    )
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def _msg(to: str) -> OutgoingMessage:
    data = b"From: a@eurasiawatch.example\r\nTo: " + to.encode() + b"\r\nSubject: hi\r\n\r\nbody\r\n"
    return OutgoingMessage(
        envelope_from="bounces+x@eurasiawatch.example", recipient=to, data=data, message_id=""
    )


def _send(mailer: SmtpMailer, *messages: OutgoingMessage) -> list[object]:
    async def go() -> list[object]:
        try:
            return [await mailer.send(m) for m in messages]
        finally:
            await mailer.close()

    return asyncio.run(go())


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_sends_over_tls_after_logging_in(certificate: tuple[Path, Path], mode: str) -> None:
    with tls_server(certificate, implicit=mode == "tls") as (sink, port):
        relay = Relay(host="127.0.0.1", port=port, tls=mode, username=USER, password=PASSWORD, connections=1)
        mailer = SmtpMailer((relay,), tls_context=_client_context(certificate))
        results = _send(mailer, _msg("a@example.net"), _msg("b@example.net"))
    assert results == [relay.name] * 2
    assert [r.rcpt_tos for r in sink.received] == [["a@example.net"], ["b@example.net"]]
    assert sink.received[0].data.endswith(b"\r\n\r\nbody\r\n")
    assert sink.sessions == [(True, True, USER.encode())] * 2  # encrypted and logged in, on one connection


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_refused_login_fails_over_instead_of_bouncing(certificate: tuple[Path, Path], mode: str) -> None:
    with tls_server(certificate, implicit=mode == "tls") as (sink, port):
        relay = Relay(host="127.0.0.1", port=port, tls=mode, username=USER, password="wrong")
        mailer = SmtpMailer((relay,), tls_context=_client_context(certificate))
        with pytest.raises(TransientDeliveryError, match="refused our login: 535"):
            _send(mailer, _msg("a@example.net"))
    assert sink.received == []


# after a failed TLS handshake aiosmtplib (5.1) sometimes leaves its socket to the garbage collector:
# collected here, under these filters, so the warning cannot land in another test
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_an_untrusted_certificate_is_refused_by_default(certificate: tuple[Path, Path], mode: str) -> None:
    with tls_server(certificate, implicit=mode == "tls") as (sink, port):
        relay = Relay(host="127.0.0.1", port=port, tls=mode, username=USER, password=PASSWORD)
        with pytest.raises(TransientDeliveryError, match="no SMTP relay could be reached"):
            _send(SmtpMailer((relay,)), _msg("a@example.net"))  # the system's CAs: ours is not among them
        gc.collect()
    assert sink.received == []


def test_a_relay_without_starttls_is_not_used_in_the_clear(certificate: tuple[Path, Path]) -> None:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)  # offers no STARTTLS
    controller.start()
    try:
        relay = Relay(host="127.0.0.1", port=port, tls="starttls", username=USER, password=PASSWORD)
        mailer = SmtpMailer((relay,), tls_context=_client_context(certificate))
        with pytest.raises(TransientDeliveryError, match="cannot be used as configured"):
            _send(mailer, _msg("a@example.net"))
    finally:
        controller.stop()
    assert sink.received == []
