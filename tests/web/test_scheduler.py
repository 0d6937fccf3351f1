"""The send scheduler inside the app (``serve``): the clock is put two seconds before a slot.

With an approved edition it is sent once to every reader through a loopback SMTP server; with none,
nothing goes out, the notice lands in the desk's audit log and the editors get one signed mail.
"""

from __future__ import annotations

import dataclasses
import email
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.deliver import subscribers
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.deliver.dkim import DkimKey
from eurasiawatch.deliver.ledger import Ledger
from eurasiawatch.deliver.schedule import Schedule
from eurasiawatch.deliver.sender import approve_edition
from eurasiawatch.sending import NOTHING_APPROVED, run_due
from eurasiawatch.store import Database, accounts
from eurasiawatch.web.app import create_app
from tests.deliver.smtp_loopback import SmtpSink, dns_stub, rendered_edition, smtp_server

READERS = ("ana@example.net", "bakyt@example.net", "csilla@example.net")
EDITOR = "desk@example.org"


@pytest.fixture
def mail(web_settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, SmtpSink, DkimKey]]:
    """Settings that send through a loopback SMTP server with a DKIM key; yields (settings, sink, key)."""
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(pem)
    with smtp_server() as (sink, port):
        settings = dataclasses.replace(
            web_settings,
            deliver_scheduler=True,
            deliver_relays=f"smtp://127.0.0.1:{port}?timeout=5",
            deliver_editors=EDITOR,
            deliver_dkim_domain="eurasiawatch.example",
            deliver_dkim_selector="sel1",
            deliver_dkim_key_file=str(key_file),
        )
        yield settings, sink, DkimKey.from_pem("eurasiawatch.example", "sel1", pem)


def _slot(settings: Settings) -> datetime:
    """The first slot of the default schedule (every other Wednesday 09:00 Prague): 2025-01-08."""
    return Schedule.from_settings(settings).upcoming(datetime(2025, 1, 1, tzinfo=UTC), 1)[0]


def _add_readers(db: Database, settings: Settings, at: datetime) -> None:
    crypto = Crypto.from_settings(settings, create=True)
    with db.begin() as conn:
        for address in READERS:
            subscribers.add_subscriber(conn, crypto, address, source="test", now=at, consent_at=at)


def _wait_for(client: TestClient, check: Any, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = client.get("/healthz").json()["scheduler"]
        if check(state):
            return state
        assert time.monotonic() < deadline, f"scheduler state never matched: {state}"
        time.sleep(0.1)


def test_approved_edition_goes_out_once_at_the_slot(mail, fresh_db: Database) -> None:
    settings, sink, key = mail
    slot = _slot(settings)
    start = slot - timedelta(seconds=2)
    _add_readers(fresh_db, settings, start - timedelta(days=1))
    approve_edition(fresh_db, rendered_edition("e1"), slot=slot, approved_by="editor", clock=Clock(start))
    app = create_app(settings, database=fresh_db, clock=Clock(start))
    with TestClient(app) as client:
        before = client.get("/healthz").json()["scheduler"]
        assert before["enabled"] and before["running"] and before["last_run"] is None
        assert before["next_slot"] == slot.isoformat() and sink.received == []  # waiting for the slot
        state = _wait_for(client, lambda s: s["last_result"] is not None)
        assert state["last_result"].startswith("e1 for ") and "sent 3" in state["last_result"]
        assert state["last_run"] >= slot.isoformat()
        nxt = _wait_for(client, lambda s: s["next_slot"] != slot.isoformat())["next_slot"]
        assert datetime.fromisoformat(nxt) == slot + timedelta(weeks=2)
        time.sleep(1.0)  # still due for hours: it must not send again
    assert sorted(r.rcpt_tos[0] for r in sink.received) == sorted(READERS)
    for received in sink.received:
        assert dkim.verify(received.data, dnsfunc=dns_stub(key))
    assert Ledger(fresh_db, Clock()).status("e1").counts["sent"] == 3
    with fresh_db.begin() as conn:
        assert accounts.list_audit(conn, action=NOTHING_APPROVED) == []


def test_no_approved_edition_sends_nothing_and_tells_the_editors_once(mail, fresh_db: Database) -> None:
    settings, sink, key = mail
    slot = _slot(settings)
    start = slot - timedelta(seconds=2)
    _add_readers(fresh_db, settings, start - timedelta(days=1))
    # an edition approved for another slot must not go out
    approve_edition(
        fresh_db,
        rendered_edition("e0"),
        slot=slot - timedelta(weeks=2),
        approved_by="editor",
        clock=Clock(start),
    )
    app = create_app(settings, database=fresh_db, clock=Clock(start))
    with TestClient(app) as client:
        state = _wait_for(client, lambda s: s["last_result"] is not None)
    assert state["last_result"].startswith(f"nothing approved for {slot.isoformat()}")
    assert [r.rcpt_tos for r in sink.received] == [[EDITOR]]  # no reader got anything
    notice = sink.received[0]
    assert dkim.verify(notice.data, dnsfunc=dns_stub(key))
    msg = email.message_from_bytes(notice.data, policy=policy.default)
    assert msg["Subject"] == "eurasiawatch: nothing was sent" and msg["Message-ID"]
    assert "no edition is approved" in msg.get_body(("plain",)).get_content()
    with fresh_db.begin() as conn:
        rows = accounts.list_audit(conn, action=NOTHING_APPROVED)
    assert [(r["target"], r["username"]) for r in rows] == [(slot.isoformat(), None)]
    assert Ledger(fresh_db, Clock()).status("e0").total == 0

    # cron's `send --due` later in the same window: still nothing sent, and no second mail or row
    again = run_due(fresh_db, settings, Clock(slot + timedelta(minutes=30)))
    assert again.already_noted and again.report is None and len(sink.received) == 1
    with fresh_db.begin() as conn:
        assert len(accounts.list_audit(conn, action=NOTHING_APPROVED)) == 1
    # an edition approved late in the window is sent by the next look
    approve_edition(fresh_db, rendered_edition("e1"), slot=slot, approved_by="editor", clock=Clock(slot))
    late = run_due(fresh_db, settings, Clock(slot + timedelta(hours=1)))
    assert late.report is not None and late.report.status.counts["sent"] == 3


def test_scheduler_can_be_switched_off(mail, fresh_db: Database) -> None:
    settings, sink, _ = mail
    slot = _slot(settings)
    off = dataclasses.replace(settings, deliver_scheduler=False)  # the default is true
    approve_edition(fresh_db, rendered_edition("e1"), slot=slot, approved_by="editor", clock=Clock(slot))
    app = create_app(off, database=fresh_db, clock=Clock(slot + timedelta(seconds=1)))  # due now
    with TestClient(app) as client:
        time.sleep(1.0)
        state = client.get("/healthz").json()["scheduler"]
    assert state["enabled"] is False and state["running"] is False and state["last_run"] is None
    assert sink.received == []
