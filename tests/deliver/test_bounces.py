"""Bounces and complaints from a maildir: VERP tag → subscriber, suppression, quarantine."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime

from eurasiawatch.clock import Clock
from eurasiawatch.deliver.bounces import parse_bounce, process_maildir
from eurasiawatch.deliver.ledger import Ledger
from eurasiawatch.deliver.options import SendOptions
from eurasiawatch.deliver.sender import approve_edition

from .fakes import FakeSubscribers
from .smtp_loopback import rendered_edition

OPTIONS = SendOptions()
NOW = datetime(2024, 7, 11, tzinfo=UTC)
TAG1, TAG2, TAG3 = "a" * 26, "b" * 26, "c" * 26


def dsn(tag: str, action: str, status: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        f"To: bounces+{tag}@eurasiawatch.example\r\n"
        "Subject: Delivery Status Notification\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; reader@example.net\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B--\r\n"
    ).encode()


def arf(tag: str) -> bytes:
    return (
        "From: abuse@provider.example\r\nTo: abuse@eurasiawatch.example\r\nSubject: complaint\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nA user marked this as spam.\r\n"
        "--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: test/1.0\r\nVersion: 1\r\n"
        "--F\r\nContent-Type: message/rfc822\r\n\r\n"
        f"Return-Path: <bounces+{tag}@eurasiawatch.example>\r\nFrom: briefing@eurasiawatch.example\r\n"
        "Subject: China In Eurasia\r\n\r\nbody\r\n"
        "--F--\r\n"
    ).encode()


def test_parse_kinds() -> None:
    assert parse_bounce(dsn(TAG1, "failed", "5.1.1"), OPTIONS).kind == "hard"
    assert parse_bounce(dsn(TAG1, "delayed", "4.4.1"), OPTIONS).kind == "soft"
    assert parse_bounce(dsn(TAG1, "failed", "4.2.2"), OPTIONS).kind == "soft"
    complaint = parse_bounce(arf(TAG2), OPTIONS)
    assert complaint.kind == "complaint" and complaint.tag == TAG2
    assert (
        parse_bounce(b"From: x@y.example\r\nSubject: out of office\r\n\r\nI am away.\r\n", OPTIONS).kind
        is None
    )
    assert parse_bounce(b"\x00\xff garbage", OPTIONS).kind is None


def test_process_maildir(fresh_db, tmp_path) -> None:
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=Clock())
    ledger = Ledger(fresh_db, Clock())
    ledger.start("e1", [("tok1", TAG1), ("tok2", TAG2), ("tok3", TAG3)])
    for row in ledger.due("e1"):
        ledger.transition(row.id, "sent")
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(dsn(TAG1, "failed", "5.1.1"))
    box.add(arf(TAG2))
    box.add(dsn(TAG3, "delayed", "4.4.1"))
    box.add(b"From: someone@else.example\r\nSubject: hello\r\n\r\nnot a bounce\r\n")
    box.add(dsn("d" * 26, "failed", "5.1.1"))  # a tag we never sent: quarantined too
    subs = FakeSubscribers()
    report = process_maildir(
        tmp_path / "bounces", fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW)
    )
    assert (report.hard, report.soft, report.complaints, report.quarantined) == (1, 1, 1, 2)
    assert sorted(subs.bounces) == [("tok1", "hard"), ("tok2", "complaint"), ("tok3", "soft")]
    assert len(box) == 0  # nothing left in the inbox …
    assert len(box.get_folder("Quarantine")) == 2  # … and nothing deleted
    assert len(box.get_folder("Processed")) == 3
    states = {d.subscriber_token: d.state for d in ledger.status("e1").missing}
    assert states == {"tok1": "bounced", "tok3": "bounced"}
