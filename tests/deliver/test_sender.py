"""send_edition end to end: ledger, DKIM, loopback SMTP server, retries, bounces, resume."""

from __future__ import annotations

import email
from dataclasses import replace
from email import policy

import dkim
import pytest

from eurasiawatch.clock import Clock
from eurasiawatch.deliver.ledger import Ledger, SenderBusy
from eurasiawatch.deliver.options import Relay, SendOptions
from eurasiawatch.deliver.sender import NothingApproved, approve_edition, send_due, send_edition, send_test
from eurasiawatch.deliver.smtp import FileMailer, SmtpMailer
from eurasiawatch.errors import DeliveryError

from .fakes import FakeRecipient, FakeSubscribers
from .smtp_loopback import NOW, SmtpSink, dns_stub, free_port, rendered_edition, rsa_key, smtp_server


def _options(port: int, **kw: object) -> SendOptions:
    base = SendOptions(
        relays=(Relay(host="127.0.0.1", port=port, timeout=3),), retry_base=0.05, concurrency=4
    )
    return replace(base, **kw)


def _send(db, port: int, subs: FakeSubscribers, **kw: object):
    options = kw.pop("options", None) or _options(port)
    return send_edition(
        db,
        "e1",
        mailer=SmtpMailer(options.relays),
        recipients=subs.recipients,
        options=options,
        record_bounce=subs.record_bounce,
        **kw,
    )


@pytest.fixture
def approved(fresh_db):
    approve_edition(fresh_db, rendered_edition("e1"), slot=NOW, approved_by="editor", clock=Clock())
    return fresh_db


def test_sends_once_to_each_with_a_valid_signature(approved) -> None:
    subs = FakeSubscribers.numbered(20)
    key = rsa_key()
    with smtp_server() as (sink, port):
        report = _send(approved, port, subs, keys=(key,))
        again = _send(approved, port, subs, keys=(key,))  # nothing left: sends nobody twice
    assert report.status.counts["sent"] == 20 and report.done
    assert again.attempted == 0
    assert sorted(r.rcpt_tos[0] for r in sink.received) == sorted(r.address for r in subs.active.values())
    for received in sink.received[:3]:
        assert dkim.verify(received.data, dnsfunc=dns_stub(key))
        msg = email.message_from_bytes(received.data, policy=policy.default)
        token = next(t for t, r in subs.active.items() if r.address == received.rcpt_tos[0])
        assert (
            token in msg["List-Unsubscribe"] and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        )
        assert received.mail_from.startswith("bounces+") and token not in received.mail_from


def test_replies_421_450_550_and_invalid_addresses(approved) -> None:
    subs = FakeSubscribers.numbered(6)
    subs.active["tokbad"] = FakeRecipient("tokbad", "not an address")
    sink = SmtpSink(
        rcpt_replies={
            "r0000@example.net": ["550 5.1.1 No such user"],
            "r0001@example.net": ["421 4.7.0 Too many connections"],
            "r0002@example.net": ["450 4.2.1 Rate limited, slow down", "450 4.2.1 Rate limited"],
            "r0003@example.net": ["451 4.3.0 Try again"] * 10,
        }
    )
    with smtp_server(sink) as (_, port):
        report = _send(approved, port, subs, options=_options(port, max_attempts=3), wait_retries=True)
    rows = {d.subscriber_token: d for d in report.status.missing}
    assert rows["tok0000"].state == "bounced" and "550" in rows["tok0000"].detail
    assert rows["tokbad"].state == "bounced" and "invalid" in rows["tokbad"].detail
    assert rows["tok0003"].state == "bounced" and "gave up after 3 attempts" in rows["tok0003"].detail
    # throttled recipients were slowed down and then delivered, not failed
    assert {"r0001@example.net", "r0002@example.net"} <= {r.rcpt_tos[0] for r in sink.received}
    assert ("tok0000", "hard") in subs.bounces and ("tok0003", "soft") in subs.bounces
    assert report.status.counts["sent"] == 4


def test_server_down_defers_everyone_and_a_later_run_delivers(approved) -> None:
    subs = FakeSubscribers.numbered(5)
    port = free_port()
    report = _send(approved, port, subs)
    assert report.status.counts["deferred"] == 5 and not report.done
    with smtp_server() as (sink, live_port):
        # the same relay comes back (here: on another port; the ledger does not care)
        report = _send(approved, live_port, subs, options=_options(live_port), wait_retries=True)
    assert report.status.counts["sent"] == 5 and len(sink.received) == 5


def test_the_snapshot_is_fixed_and_leavers_are_dropped(approved) -> None:
    subs = FakeSubscribers.numbered(4)
    with smtp_server() as (_, port):
        Ledger(approved, Clock()).start("e1", [(t, f"{i:026x}") for i, t in enumerate(subs.active)])
        subs.active["toknew"] = FakeRecipient("toknew", "new@example.net")  # joined after the start
        del subs.active["tok0001"]  # left after the start
        report = _send(approved, port, subs)
    assert report.status.counts == {**report.status.counts, "sent": 3, "dropped": 1}
    assert "toknew" not in {d.subscriber_token for d in report.status.missing}


def test_unapproved_or_unknown_editions_are_refused(fresh_db, tmp_path) -> None:
    approve_edition(fresh_db, rendered_edition("e2"), slot=NOW, approved_by="", clock=Clock())
    subs = FakeSubscribers.numbered(1)
    for edition in ("e2", "nope"):
        with pytest.raises(DeliveryError):
            send_edition(
                fresh_db,
                edition,
                mailer=FileMailer(tmp_path),
                recipients=subs.recipients,
                options=SendOptions(),
            )


def test_send_due_needs_an_approved_edition(fresh_db, tmp_path) -> None:
    subs = FakeSubscribers.numbered(2)
    kwargs = {"mailer": FileMailer(tmp_path), "recipients": subs.recipients, "options": SendOptions()}
    assert send_due(fresh_db, None, **kwargs) is None
    with pytest.raises(NothingApproved, match="no edition is approved"):
        send_due(fresh_db, NOW, **kwargs)
    approve_edition(fresh_db, rendered_edition("e1"), slot=NOW, approved_by="editor", clock=Clock())
    report = send_due(fresh_db, NOW, **kwargs)
    assert report is not None and report.status.counts["sent"] == 2
    assert len(list(tmp_path.glob("*.eml"))) == 2


def test_a_second_sender_exits_with_a_clear_message(approved, tmp_path) -> None:
    subs = FakeSubscribers.numbered(1)
    with (
        Ledger(approved, Clock()).lease("other-host:99", 60),
        pytest.raises(SenderBusy, match="other-host:99"),
    ):
        send_edition(
            approved, "e1", mailer=FileMailer(tmp_path), recipients=subs.recipients, options=SendOptions()
        )


def test_test_send_goes_to_editors_only(tmp_path) -> None:
    with smtp_server() as (sink, port):
        options = _options(port)
        send_test(
            rendered_edition(),
            ["editor@eurasiawatch.example"],
            mailer=SmtpMailer(options.relays),
            options=options,
        )
    (received,) = sink.received
    assert b"Subject: [TEST]" in received.data
