"""The MIME message: structure, headers, unsubscribe, no tracking."""

from __future__ import annotations

import email
import re
from email import policy

import pytest

from eurasiawatch.deliver.message import build_message, check_address, new_verp_tag, render_message, verp_tag
from eurasiawatch.deliver.options import SendOptions
from eurasiawatch.errors import DeliveryError

from .smtp_loopback import NOW, rendered_edition

OPTIONS = SendOptions()
TOKEN = "tok_Zx81kQ"


def _parsed(address: str = "reader@example.net"):
    msg = build_message(rendered_edition(), address=address, token=TOKEN, options=OPTIONS, now=NOW)
    out = render_message(msg, verp=new_verp_tag(), options=OPTIONS, keys=(), timestamp=0)
    return out, email.message_from_bytes(out.data, policy=policy.default)


def test_structure_is_related_around_alternative_with_inline_chart() -> None:
    _, msg = _parsed()
    assert msg.get_content_type() == "multipart/related"
    alternative, chart = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert chart.get_content_type() == "image/png"
    assert chart["Content-ID"] == "<chart-1@eurasiawatch.example>"
    assert chart.get_content_disposition() == "inline"
    assert "cid:chart-1@eurasiawatch.example" in alternative.get_payload()[1].get_content()


def test_headers_and_one_click_unsubscribe() -> None:
    out, msg = _parsed()
    for name in ("From", "To", "Subject", "Date", "Message-ID", "List-Id", "MIME-Version"):
        assert msg[name], name
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    links = re.findall(r"<([^>]+)>", str(msg["List-Unsubscribe"]))
    assert links[0] == f"https://eurasiawatch.example/unsubscribe/{TOKEN}"
    assert links[1] == f"mailto:unsubscribe+{TOKEN}@eurasiawatch.example?subject=unsubscribe"
    assert re.fullmatch(r"<[0-9a-f]{32}@eurasiawatch\.example>", msg["Message-ID"])
    # VERP: a random tag, mapped back by the ledger; never the address
    assert out.envelope_from.startswith("bounces+") and "reader" not in out.envelope_from
    tag = out.envelope_from.removeprefix("bounces+").partition("@")[0]
    assert verp_tag(out.envelope_from, OPTIONS) == tag and re.fullmatch(r"[0-9a-f]{26}", tag)
    assert verp_tag("someone@else.example", OPTIONS) is None


def test_no_address_outside_to_and_no_tracking() -> None:
    out, msg = _parsed("reader@example.net")
    headers = out.data.split(b"\r\n\r\n", 1)[0].decode()
    assert headers.count("reader@example.net") == 1  # only in To:
    html = msg.get_payload()[0].get_payload()[1].get_content()
    assert not re.search(r"<img[^>]+src=\"https?:", html)  # no remote images
    assert f"/unsubscribe/{TOKEN}" in html  # a visible unsubscribe link in the body
    text = msg.get_payload()[0].get_payload()[0].get_content()
    assert f"/unsubscribe/{TOKEN}" in text
    assert "?utm_" not in html and "reader@example.net" not in html


def test_lines_are_crlf_and_short() -> None:
    out, _ = _parsed()
    assert b"\n" not in out.data.replace(b"\r\n", b"")
    assert max(len(line) for line in out.data.split(b"\r\n")) <= 998


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "no-at-sign",
        "a@b",
        "two@@example.org",
        "spaces in@example.org",
        "x@-.example",
        "a..b@example.org",
        "reader@example.org\r\nBcc: victim@example.org",
    ],
)
def test_invalid_addresses_are_refused(bad: str) -> None:
    with pytest.raises(DeliveryError):
        check_address(bad)
    with pytest.raises(DeliveryError):
        build_message(rendered_edition(), address=bad, token=TOKEN, options=OPTIONS, now=NOW)
