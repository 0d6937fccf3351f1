"""DKIM signatures verified by dkimpy against keys served by a stub DNS function."""

from __future__ import annotations

import dkim
import pytest

from eurasiawatch.deliver.dkim import DkimKey, sign_message
from eurasiawatch.deliver.message import build_message, new_verp_tag, render_message
from eurasiawatch.deliver.options import SendOptions
from eurasiawatch.errors import ConfigError

from .smtp_loopback import NOW, dns_stub, ed25519_key, rendered_edition, rsa_key

OPTIONS = SendOptions()


def _signed(*keys: DkimKey) -> bytes:
    msg = build_message(
        rendered_edition(), address="reader@example.net", token="t0k", options=OPTIONS, now=NOW
    )
    return render_message(msg, verp=new_verp_tag(), options=OPTIONS, keys=keys, timestamp=1720594800).data


def test_rsa_signature_verifies_and_covers_unsubscribe_headers() -> None:
    key = rsa_key()
    data = _signed(key)
    assert dkim.verify(data, dnsfunc=dns_stub(key))
    header = data.split(b"\r\n\r\n", 1)[0].decode()
    h_tag = header.split("h=", 1)[1].split(";", 1)[0]
    assert "list-unsubscribe:list-unsubscribe:list-unsubscribe-post" in h_tag.replace("\r\n", "")


def test_ed25519_and_rsa_together() -> None:
    pytest.importorskip("nacl")
    rsa_k, ed_k = rsa_key(), ed25519_key()
    data = _signed(rsa_k, ed_k)
    stub = dns_stub(rsa_k, ed_k)
    assert dkim.verify(data, dnsfunc=stub)  # the first signature
    d = dkim.DKIM(data)
    assert d.verify(idx=0, dnsfunc=stub) and d.verify(idx=1, dnsfunc=stub)


@pytest.mark.parametrize(
    "tamper",
    [
        (
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            b"List-Unsubscribe-Post: List-Unsubscribe=Two-Click",
        ),
        (b"railway crossing at Bakhty", b"railway crossing at Khorgos"),
    ],
)
def test_tampering_breaks_the_signature(tamper: tuple[bytes, bytes]) -> None:
    key = rsa_key()
    data = _signed(key)
    assert tamper[0] in data
    assert not dkim.verify(data.replace(*tamper), dnsfunc=dns_stub(key))


def test_an_added_unsubscribe_header_breaks_the_signature() -> None:
    key = rsa_key()
    data = _signed(key)
    head, body = data.split(b"\r\n\r\n", 1)
    forged = head + b"\r\nList-Unsubscribe: <https://evil.example/x>\r\n\r\n" + body
    assert not dkim.verify(forged, dnsfunc=dns_stub(key))


def test_relaxed_canonicalization_survives_rewrapping_and_trailing_space() -> None:
    key = rsa_key()
    raw = (
        b"From: A <a@eurasiawatch.example>\r\nTo: b@example.net\r\nSubject:  spaced   out\r\n"
        b"Date: Wed, 10 Jul 2024 07:00:00 +0000\r\n\r\nline one  \r\n\tindented\r\n\r\n\r\n"
    )
    signed = sign_message(raw, (key,), timestamp=1)
    assert dkim.verify(signed, dnsfunc=dns_stub(key))
    rewrapped = signed.replace(b"Subject:  spaced   out", b"Subject: spaced\r\n out")
    assert dkim.verify(rewrapped, dnsfunc=dns_stub(key))


def test_bad_keys_are_config_errors(tmp_path) -> None:
    with pytest.raises(ConfigError):
        DkimKey.from_pem("d.example", "s", b"not a key")
    with pytest.raises(ConfigError):
        DkimKey.from_file("d.example", "s", tmp_path / "missing.pem")
