"""PGP/MIME copies: a throwaway GnuPG key, our encryption (pysequoia), GnuPG decrypts it."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import tempfile
from email.message import EmailMessage
from email.policy import SMTP

import dkim
import pytest

from eurasiawatch.clock import Clock
from eurasiawatch.deliver.options import Relay, SendOptions
from eurasiawatch.deliver.pgp import PgpKeyError, check_public_key, encrypt_message
from eurasiawatch.deliver.sender import approve_edition, send_edition
from eurasiawatch.deliver.smtp import SmtpMailer

from .fakes import FakeRecipient, FakeSubscribers
from .smtp_loopback import dns_stub, rendered_edition, rsa_key, smtp_server

pytestmark = pytest.mark.skipif(
    shutil.which("gpg") is None and os.environ.get("CI", "").lower() != "true",
    reason="GnuPG (Debian package gnupg) is not installed",
)


@pytest.fixture(scope="module")
def gnupg():
    """A temporary GNUPGHOME with one throwaway key; yields (run, armored public key, armored secret)."""
    # a short path: gpg-agent's socket path must fit in 108 bytes
    home = tempfile.mkdtemp(prefix="ewgpg")
    env = {**os.environ, "GNUPGHOME": home}

    def run(*args: str, data: bytes | None = None) -> bytes:
        done = subprocess.run(
            ["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", *args],
            input=data,
            env=env,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    try:
        run("--quick-generate-key", "Reader <reader@example.org>", "default", "default", "never")
        public = run("--armor", "--export", "reader@example.org").decode()
        secret = run("--armor", "--export-secret-keys", "reader@example.org").decode()
        yield run, public, secret
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def _briefing() -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "China In Eurasia <briefing@example.net>"
    msg["To"] = "reader@example.org"
    msg["Subject"] = "China In Eurasia — 4 March"
    msg["Message-ID"] = "<e1.t1@example.net>"
    msg["List-Unsubscribe"] = "<https://example.net/u/abc>, <mailto:unsubscribe+abc@example.net>"
    msg.set_content("Лидер истории: Казахстан и Китай.\n")
    msg.add_alternative("<p>Лидер истории: <b>Казахстан</b> и Китай.</p>", subtype="html")
    return msg


def test_encrypted_copy_decrypts_with_gnupg(gnupg) -> None:
    run, public, _ = gnupg
    assert len(check_public_key(public)) == 40
    encrypted = encrypt_message(_briefing(), public)
    wire = encrypted.as_bytes(policy=SMTP)
    assert "Казахстан".encode() not in wire and b"Kazakh" not in wire
    received = email.message_from_bytes(wire, policy=SMTP)
    assert received.get_content_type() == "multipart/encrypted"
    assert received.get_param("protocol") == "application/pgp-encrypted"
    assert received["List-Unsubscribe"].strip() == _briefing()["List-Unsubscribe"]
    assert received["Subject"] == _briefing()["Subject"]
    control, body = received.get_payload()
    assert control.get_content_type() == "application/pgp-encrypted"
    assert "Version: 1" in control.get_payload()
    assert body.get_content_type() == "application/octet-stream"
    armored = body.get_payload(decode=True)
    assert armored.startswith(b"-----BEGIN PGP MESSAGE-----")
    inner = email.message_from_bytes(run("--decrypt", data=armored), policy=SMTP)
    assert inner.get_content_type() == "multipart/alternative"
    text, html = inner.get_payload()
    assert (
        text.get_content().replace("\r\n", "\n") == "Лидер истории: Казахстан и Китай.\n"
    )  # canonical CRLF inside
    assert "<b>Казахстан</b>" in html.get_content()


def test_unusable_keys_are_refused(gnupg) -> None:
    _, public, secret = gnupg
    with pytest.raises(PgpKeyError, match="secret"):
        check_public_key(secret)
    for bad in ("", "hello", public[:200]):
        with pytest.raises(PgpKeyError):
            check_public_key(bad)
    with pytest.raises(PgpKeyError):
        encrypt_message(_briefing(), "not a key")


def test_send_edition_encrypts_the_copy_of_a_reader_with_a_key(gnupg, fresh_db) -> None:
    """Through the sender's fast path: the PGP reader's copy is encrypted, signed and unsubscribable."""
    run, public, _ = gnupg
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="editor", clock=Clock())
    subs = FakeSubscribers.numbered(3)
    token = "tok0001" + "x" * 53  # as long as tokens get (64): the header line passes 78 characters
    del subs.active["tok0001"]
    subs.active[token] = FakeRecipient(token, "r0001@example.net", pgp_key=public)
    key = rsa_key()
    with smtp_server() as (sink, port):
        options = SendOptions(relays=(Relay(host="127.0.0.1", port=port, timeout=5),), concurrency=2)
        report = send_edition(
            fresh_db,
            "e1",
            mailer=SmtpMailer(options.relays),
            recipients=subs.recipients,
            options=options,
            keys=(key,),
            encrypt=encrypt_message,
        )
    assert report.status.counts["sent"] == 3
    (wire,) = (r.data for r in sink.received if r.rcpt_tos == ["r0001@example.net"])
    assert dkim.verify(wire, dnsfunc=dns_stub(key))
    assert b"Bakhty" not in wire  # the edition's text travels only inside the encryption
    received = email.message_from_bytes(wire, policy=SMTP)
    assert received.get_content_type() == "multipart/encrypted"
    head = wire.partition(b"\r\n\r\n")[0]
    assert f"<https://eurasiawatch.example/unsubscribe/{token}>".encode() in head and b"=?" not in head
    inner = email.message_from_bytes(
        run("--decrypt", data=received.get_payload()[1].get_payload(decode=True)), policy=SMTP
    )
    text = inner.get_payload()[0].get_payload()[0]
    assert "Bakhty" in text.get_content() and f"/unsubscribe/{token}" in text.get_content()
    plain = next(r.data for r in sink.received if r.rcpt_tos == ["r0000@example.net"])
    assert b"Bakhty" in plain and dkim.verify(plain, dnsfunc=dns_stub(key))
