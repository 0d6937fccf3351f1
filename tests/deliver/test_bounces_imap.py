"""Bounces and complaints read over IMAP from a real Dovecot on loopback (STARTTLS and implicit TLS).

The same messages as the maildir test: a hard bounce, a complaint, a soft bounce, a message that is
no bounce and a bounce for a tag we never sent. Handled ones must end in Processed, the rest in
Quarantine, byte for byte, and a second run must count nothing again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.deliver.bounces import COUNTED, ImapMailbox, process_imap
from eurasiawatch.deliver.ledger import Ledger
from eurasiawatch.deliver.options import SendOptions
from eurasiawatch.deliver.sender import approve_edition
from eurasiawatch.errors import ConfigError, DeliveryError
from eurasiawatch.store import Database

from .fakes import FakeSubscribers
from .imap_loopback import Dovecot, dovecot_server
from .smtp_loopback import rendered_edition
from .test_bounces import TAG1, TAG2, TAG3, arf, dsn

OPTIONS = SendOptions()
NOW = datetime(2024, 7, 11, tzinfo=UTC)
NOT_A_BOUNCE = b"From: someone@else.example\r\nSubject: hello\r\n\r\nnot a bounce\r\n"
UNKNOWN_TAG = dsn("d" * 26, "failed", "5.1.1")


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


def _box(server: Dovecot, *, tls: str = "starttls") -> ImapMailbox:
    """A mailbox with folders of its own, so tests sharing the server do not see each other's mail."""
    run = uuid.uuid4().hex[:8]
    return ImapMailbox(
        host=server.host,
        port=server.starttls_port if tls == "starttls" else server.tls_port,
        tls=tls,
        user=server.user,
        password=server.password,
        folder=f"Bounces{run}",
        processed_folder=f"Processed{run}",
        quarantine_folder=f"Quarantine{run}",
        ca_file=str(server.ca_file),
        timeout=20,
    )


def _sent_ledger(db: Database) -> Ledger:
    approve_edition(db, rendered_edition("e1"), slot=None, approved_by="ed", clock=Clock())
    ledger = Ledger(db, Clock())
    ledger.start("e1", [("tok1", TAG1), ("tok2", TAG2), ("tok3", TAG3)])
    for row in ledger.due("e1"):
        ledger.transition(row.id, "sent")
    return ledger


@pytest.mark.parametrize("tls", ["starttls", "tls"])
def test_imap_bounces_suppress_count_and_quarantine(fresh_db: Database, dovecot: Dovecot, tls: str) -> None:
    ledger = _sent_ledger(fresh_db)
    box = _box(dovecot, tls=tls)
    mail = [dsn(TAG1, "failed", "5.1.1"), arf(TAG2), dsn(TAG3, "delayed", "4.4.1"), NOT_A_BOUNCE, UNKNOWN_TAG]
    dovecot.append(box.folder, *mail)
    subs = FakeSubscribers()

    report = process_imap(box, fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW))

    assert (report.hard, report.soft, report.complaints, report.quarantined) == (1, 1, 1, 2)
    assert sorted(subs.bounces) == [("tok1", "hard"), ("tok2", "complaint"), ("tok3", "soft")]
    assert dovecot.folder(box.folder) == []  # nothing left to read …
    processed = dovecot.folder(box.processed_folder)
    quarantined = dovecot.folder(box.quarantine_folder)
    # … and nothing deleted or altered: every message is in one of the two folders, byte for byte
    assert sorted(raw for raw, _ in processed) == sorted(mail[:3])
    assert sorted(raw for raw, _ in quarantined) == sorted(mail[3:])
    assert all(COUNTED in flags for _, flags in processed)
    assert not any(COUNTED in flags for _, flags in quarantined)
    states = {d.subscriber_token: d.state for d in ledger.status("e1").missing}
    assert states == {"tok1": "bounced", "tok3": "bounced"}

    # a second run finds nothing and counts nothing; a late bounce is handled on its own
    again = process_imap(box, fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW))
    assert (again.hard, again.soft, again.complaints, again.quarantined) == (0, 0, 0, 0)
    dovecot.append(box.folder, dsn(TAG3, "delayed", "4.4.1"))
    late = process_imap(box, fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW))
    assert (late.soft, late.quarantined) == (1, 0)
    assert subs.bounces.count(("tok3", "soft")) == 2
    assert len(dovecot.folder(box.processed_folder)) == 4


def test_interrupted_run_is_not_counted_twice(fresh_db: Database, dovecot: Dovecot) -> None:
    """A message already flagged as counted (the run stopped before moving it) is moved, not recounted."""
    _sent_ledger(fresh_db)
    box = _box(dovecot)
    soft = dsn(TAG3, "delayed", "4.4.1")
    with dovecot.client() as conn:
        conn.create(box.folder)
        assert conn.append(box.folder, f"({COUNTED})", None, soft)[0] == "OK"
    subs = FakeSubscribers()
    report = process_imap(box, fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW))
    assert (report.soft, report.quarantined) == (0, 0)
    assert subs.bounces == []
    assert dovecot.folder(box.folder) == []
    assert [raw for raw, _ in dovecot.folder(box.processed_folder)] == [soft]


def test_without_move_the_original_is_copied_and_flagged_not_expunged(fresh_db: Database) -> None:
    """A server without the MOVE extension: COPY, then \\Deleted on the original, never EXPUNGE."""
    no_move = (
        "protocol imap {\n  imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
        "UIDPLUS NAMESPACE\n}\n"
    )
    with dovecot_server(no_move) as server:
        _sent_ledger(fresh_db)
        box = _box(server)
        server.append(box.folder, dsn(TAG1, "failed", "5.1.1"), NOT_A_BOUNCE)
        subs = FakeSubscribers()
        report = process_imap(
            box, fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW)
        )
        assert (report.hard, report.quarantined) == (1, 1)
        left = server.folder(box.folder)
        assert len(left) == 2 and all("\\Deleted" in flags for _, flags in left)
        assert [raw for raw, _ in server.folder(box.processed_folder)] == [dsn(TAG1, "failed", "5.1.1")]
        assert [raw for raw, _ in server.folder(box.quarantine_folder)] == [NOT_A_BOUNCE]
        again = process_imap(
            box, fresh_db, options=OPTIONS, record_bounce=subs.record_bounce, clock=Clock(NOW)
        )
        assert (again.hard, again.quarantined) == (0, 0) and subs.bounces == [("tok1", "hard")]


def test_refusals_leave_the_mailbox_untouched(fresh_db: Database, dovecot: Dovecot) -> None:
    box = _box(dovecot)
    dovecot.append(box.folder, NOT_A_BOUNCE)
    subs = FakeSubscribers()
    run = {"options": OPTIONS, "record_bounce": subs.record_bounce, "clock": Clock(NOW)}
    with pytest.raises(DeliveryError, match=r"AUTHENTICATIONFAILED|[Aa]uthentication failed"):
        process_imap(replace(box, password="wrong"), fresh_db, **run)  # type: ignore[arg-type]
    with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
        process_imap(replace(box, ca_file=""), fresh_db, **run)  # type: ignore[arg-type]  # system CAs
    with pytest.raises(DeliveryError):  # implicit TLS spoken to the STARTTLS port
        process_imap(replace(box, tls="tls"), fresh_db, **run)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="never plain"):
        process_imap(replace(box, tls="none"), fresh_db, **run)  # type: ignore[arg-type]
    assert [raw for raw, _ in dovecot.folder(box.folder)] == [NOT_A_BOUNCE]
    assert subs.bounces == []


def test_mailbox_from_settings_takes_the_password_from_the_environment(monkeypatch) -> None:
    from eurasiawatch.config import load_settings

    monkeypatch.setenv("EURASIAWATCH_DELIVER__IMAP_HOST", "imap.example.org")
    monkeypatch.setenv("EURASIAWATCH_DELIVER__IMAP_USER", "bounces")
    monkeypatch.setenv("EURASIAWATCH_DELIVER__IMAP_PASSWORD", "s3cret")
    box = ImapMailbox.from_settings(load_settings())
    assert (box.host, box.port, box.tls, box.user, box.password) == (
        "imap.example.org",
        993,
        "tls",
        "bounces",
        "s3cret",
    )
    assert "s3cret" not in repr(box)
    with pytest.raises(ConfigError, match="IMAP_PASSWORD"):
        ImapMailbox.from_settings(Settings(deliver_imap_host="imap.example.org", deliver_imap_user="b"))


def test_cli_bounces_process_imap_suppresses_the_reader(cli, dovecot: Dovecot, tmp_path, monkeypatch) -> None:
    """`bounces process --imap` with deliver.imap_* from the environment: the reader ends suppressed."""
    from eurasiawatch.cli import app
    from eurasiawatch.deliver import subscribers
    from eurasiawatch.deliver.crypto import Crypto
    from eurasiawatch.store import open_database

    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    box = _box(dovecot)
    for key, value in {
        "HOST": box.host,
        "PORT": str(box.port),
        "TLS": "starttls",
        "USER": box.user,
        "PASSWORD": box.password,
        "FOLDER": box.folder,
        "PROCESSED_FOLDER": box.processed_folder,
        "QUARANTINE_FOLDER": box.quarantine_folder,
        "CA_FILE": box.ca_file,
    }.items():
        monkeypatch.setenv(f"EURASIAWATCH_DELIVER__IMAP_{key}", value)
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert cli.invoke(app, ["subscribers", "add", "reader@example.org"]).exit_code == 0
    settings = Settings(data_dir=str(tmp_path))
    crypto = Crypto.from_settings(settings)
    with open_database(settings) as db:
        with db.begin() as conn:
            (reader,) = subscribers.active_recipients(conn, crypto)
        approve_edition(db, rendered_edition("e1"), slot=None, approved_by="ed", clock=Clock())
        ledger = Ledger(db, Clock())
        ledger.start("e1", [(reader.token, TAG1)])
        for row in ledger.due("e1"):
            ledger.transition(row.id, "sent")
    dovecot.append(box.folder, dsn(TAG1, "failed", "5.1.1"), NOT_A_BOUNCE)

    result = cli.invoke(app, ["bounces", "process", "--imap"])

    assert result.exit_code == 0, result.output
    assert "hard 1, soft 0, complaints 0, quarantined 1" in result.output
    with open_database(settings) as db, db.begin() as conn:
        assert subscribers.active_recipients(conn, crypto) == []
        assert subscribers.is_suppressed(conn, crypto, "reader@example.org")
    assert cli.invoke(app, ["bounces", "process"]).exit_code == 2  # neither a maildir nor --imap
