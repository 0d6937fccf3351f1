"""The MIME message: structure, headers, unsubscribe, no tracking."""

from __future__ import annotations

import base64
import email
import hashlib
import re
from dataclasses import replace
from email import policy
from html import escape

import pytest

from eurasiawatch.deliver.dkim import relaxed_body
from eurasiawatch.deliver.message import (
    MessageTemplate,
    build_message,
    check_address,
    new_verp_tag,
    render_message,
    verp_tag,
)
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


# a token as long as the signed ones (value.expiry.mac): longer than a line of quoted-printable
LONG_TOKEN = "mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpi" + ".20270101." + "q2lknnwg23tpobyx"


def _odd_edition():
    """Non-ASCII, '=' signs, trailing spaces, tabs and a leading dot; the link mark in both parts."""
    return replace(
        rendered_edition(),
        subject="Китай в Евразии: второй переход",
        text=(
            "Казахстан и Китай — 2 = 1 + 1   \n.a line with a leading dot\n\tindented\n"
            "Leave: %%UNSUBSCRIBE_URL%%\n"
        ),
        email_html=(
            '<html><body><p>Казахстан &amp; Китай</p><a href="%%UNSUBSCRIBE_URL%%">leave</a></body></html>'
        ),
    )


def test_copies_keep_long_links_whole_and_decode_to_the_edition() -> None:
    options = replace(OPTIONS, unsubscribe_url="https://eurasiawatch.example/u?t={token}&lang=ru")
    template = MessageTemplate.build(_odd_edition(), options)
    copy = template.copy(address="reader@example.net", token=LONG_TOKEN, now=NOW)
    https = f"https://eurasiawatch.example/u?t={LONG_TOKEN}&lang=ru"
    head, _, body = copy.data.partition(b"\r\n\r\n")
    # no encoded-words in the unsubscribe header: RFC 2369 readers take the links as written
    unsub = re.search(rb"List-Unsubscribe: (.*?)\r\n(?! )", head, re.S)
    assert unsub and b"=?" not in unsub.group(1)
    msg = email.message_from_bytes(copy.data, policy=policy.default)
    assert re.findall(r"<([^>]+)>", str(msg["List-Unsubscribe"])) == [
        https,
        f"mailto:unsubscribe+{LONG_TOKEN}@eurasiawatch.example?subject=unsubscribe",
    ]
    assert msg["Subject"] == "Китай в Евразии: второй переход"
    assert msg["Message-ID"] == copy.message_id and msg["To"] == copy.recipient == "reader@example.net"
    text, html = msg.get_payload()[0].get_payload()
    assert text.get_content().replace("\r\n", "\n") == (
        f"Казахстан и Китай — 2 = 1 + 1   \n.a line with a leading dot\n\tindented\nLeave: {https}\n"
    )
    assert f'<a href="{escape(https)}">leave</a>' in html.get_content()
    assert "Казахстан &amp; Китай" in html.get_content()
    # quoted-printable lines stay within RFC 2045's 76 characters, whatever the link's length
    for part in (text, html):
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert max(len(line) for line in part.get_payload().splitlines()) <= 76
    assert max(len(line) for line in body.split(b"\r\n")) <= 78


def test_copies_differ_only_in_the_readers_parts() -> None:
    template = MessageTemplate.build(rendered_edition(), OPTIONS)
    a = template.copy(address="a@example.net", token="tokA", now=NOW, message_id="<m@x>").data
    b = template.copy(address="b@example.net", token="tokB", now=NOW, message_id="<m@x>").data
    assert a.replace(b"a@example.net", b"b@example.net").replace(b"tokA", b"tokB") == b


def test_the_body_hash_is_the_hash_of_the_whole_relaxed_body() -> None:
    for edition in (rendered_edition(), _odd_edition(), replace(rendered_edition(), inline_parts=())):
        copy = MessageTemplate.build(edition, OPTIONS).copy(
            address="r@example.net", token=LONG_TOKEN, now=NOW
        )
        body = copy.data.partition(b"\r\n\r\n")[2]
        assert copy.body_hash == base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode()


def test_a_token_that_would_break_the_header_is_refused() -> None:
    template = MessageTemplate.build(rendered_edition(), OPTIONS)
    with pytest.raises(DeliveryError):
        template.copy(address="r@example.net", token="x>\r\nBcc: victim@example.org", now=NOW)
