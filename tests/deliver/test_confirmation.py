"""The double opt-in confirmation mail."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

import dkim

from eurasiawatch.deliver.confirmation import confirmation_message
from eurasiawatch.deliver.options import SendOptions
from eurasiawatch.deliver.subscribers import ConfirmationRequest

from .smtp_loopback import dns_stub, rsa_key

NOW = datetime(2024, 7, 12, 10, 0, tzinfo=UTC)


def test_the_mail_carries_the_link_and_no_unsubscribe_headers() -> None:
    request = ConfirmationRequest(token="abc.def.ghi", address="Reader@Example.org")
    out = confirmation_message(
        request,
        confirm_url="https://x.example/confirm?token={token}",
        options=SendOptions(),
        now=NOW,
        hours=48,
    )
    msg = email.message_from_bytes(out.data, policy=policy.default)
    body = msg.get_body(("plain",)).get_content()
    assert "https://x.example/confirm?token=abc.def.ghi" in body and "48 hours" in body
    assert out.recipient == "Reader@Example.org" and msg["To"] == "Reader@Example.org"
    assert msg["List-Unsubscribe"] is None and msg["Auto-Submitted"] == "auto-generated"
    assert b"DKIM-Signature" not in out.data


def test_the_mail_is_dkim_signed_when_keys_are_given() -> None:
    key = rsa_key()
    request = ConfirmationRequest(token="t.u.v", address="reader@example.org")
    out = confirmation_message(
        request,
        confirm_url="https://x.example/c?token={token}",
        options=SendOptions(),
        now=NOW,
        hours=1,
        keys=(key,),
    )
    assert out.data.startswith(b"DKIM-Signature:")
    assert dkim.verify(out.data, dnsfunc=dns_stub(key))
