"""The send ledger: SQL on both databases, the lease, state changes."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.clock import Clock
from eurasiawatch.deliver.ledger import Ledger, SenderBusy, SendJournal, Transition
from eurasiawatch.deliver.sender import approve_edition
from eurasiawatch.errors import DeliveryError
from eurasiawatch.store import ledger as sql

from .smtp_loopback import rendered_edition

NOW = datetime(2024, 7, 10, 7, 0, tzinfo=UTC)


def test_every_ledger_query_compiles_for_both_databases() -> None:
    builders = {n: f for n, f in inspect.getmembers(sql, inspect.isfunction) if n.endswith("_stmt")}
    samples = {
        "_edition_exists_stmt": ("e",),
        "_insert_edition_stmt": (),
        "_update_edition_stmt": ("e",),
        "_delete_parts_stmt": ("e",),
        "_insert_parts_stmt": (),
        "_load_edition_stmt": ("e",),
        "_load_parts_stmt": ("e",),
        "_approved_for_slot_stmt": (NOW,),
        "_mark_started_stmt": ("e", NOW),
        "_mark_finished_stmt": ("e", NOW),
        "_insert_rows_stmt": (),
        "_sending_to_unknown_stmt": ("e", NOW),
        "_due_rows_stmt": ("e", NOW, ("queued", "deferred"), 10),
        "_set_state_stmt": (1, ("queued",)),
        "_set_states_stmt": (("queued",), ("attempts", "detail")),
        "_state_counts_stmt": ("e",),
        "_ledger_rows_stmt": ("e", ("sent",)),
        "_find_by_verp_stmt": ("abc",),
        "_ensure_lock_row_stmt": ("sender", NOW),
        "_take_lock_stmt": ("sender", "me", NOW, NOW),
        "_lock_holder_stmt": ("sender",),
        "_release_lock_stmt": ("sender", "me", NOW),
    }
    assert set(builders) == set(samples), "add sample arguments for every new builder"
    for name, builder in builders.items():
        for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
            str(builder(dialect, *samples[name]).compile(dialect=module.dialect()))


def test_edition_round_trip_and_approval(fresh_db) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=NOW, approved_by="editor", clock=clock)
    ledger = Ledger(fresh_db, clock)
    stored = ledger.edition("e1")
    assert stored is not None and stored.rendered.inline_parts == rendered_edition().inline_parts
    assert stored.approved_by == "editor" and stored.slot == NOW
    with fresh_db.begin() as conn:
        assert sql.approved_for_slot(conn, NOW) == "e1"
        assert sql.approved_for_slot(conn, NOW + timedelta(days=14)) is None
    assert ledger.start("e1", [("t1", "a" * 26), ("t2", "b" * 26)])
    assert not ledger.start("e1", [("t3", "c" * 26)])  # the snapshot is fixed
    with pytest.raises(DeliveryError):  # a started edition cannot be replaced
        approve_edition(fresh_db, rendered_edition("e1"), slot=NOW, approved_by="editor", clock=clock)
    assert ledger.status("e1").counts["queued"] == 2


def test_unique_row_per_edition_and_token(fresh_db) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=clock)
    from eurasiawatch.errors import StoreError

    with pytest.raises(StoreError), fresh_db.begin() as conn:
        sql.insert_rows(conn, "e1", [("t1", "a" * 26), ("t1", "b" * 26)], NOW)


def test_state_changes_and_resume(fresh_db) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=clock)
    ledger = Ledger(fresh_db, clock)
    ledger.start("e1", [("t1", "a" * 26), ("t2", "b" * 26), ("t3", "c" * 26)])
    r1, r2, r3 = ledger.due("e1")
    assert ledger.transition(r1.id, "sending", from_states=("queued",))
    assert not ledger.transition(r1.id, "sending", from_states=("queued",))
    assert ledger.transition(r2.id, "sending", from_states=("queued",))
    ledger.transition(r2.id, "sent")
    ledger.transition(r3.id, "deferred", next_attempt_at=NOW + timedelta(minutes=5), detail="451 later")
    assert [r.id for r in ledger.due("e1")] == []  # r3 is not due yet; r1 is in flight
    assert ledger.resume("e1") == 1  # the sender died with r1 in flight
    status = ledger.status("e1")
    assert status.counts["unknown"] == 1 and status.counts["sent"] == 1 and status.counts["deferred"] == 1
    assert {d.subscriber_token for d in status.missing} == {"t1", "t3"}
    with fresh_db.begin() as conn:
        assert sql.find_by_verp(conn, "c" * 26).delivery.subscriber_token == "t3"


def test_one_sender_at_a_time(fresh_db) -> None:
    clock = Clock(NOW)
    first, second = Ledger(fresh_db, clock), Ledger(fresh_db, clock)
    with (
        first.lease("host:1", 60),
        pytest.raises(SenderBusy, match="another sender"),
        second.lease("host:2", 60, wait=0.1),
    ):
        pass
    with second.lease("host:2", 60):  # released
        pass
    # an expired lease (its holder died) is taken over
    assert first.try_lock("host:1", 60)[0]
    later = Ledger(fresh_db, Clock(NOW + timedelta(seconds=61)))
    assert later.try_lock("host:3", 60)[0]


@pytest.mark.skipif(not Path("/proc/sys/kernel/random/boot_id").exists(), reason="needs Linux's boot id")
def test_the_journal_settles_rows_a_killed_sender_left_sending(fresh_db, tmp_path) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=clock)
    ledger = Ledger(fresh_db, clock)
    ledger.start("e1", [(f"t{i}", chr(97 + i) * 26) for i in range(5)])
    accepted, ended, claimed, other_run, untouched = ledger.due("e1")
    journal = SendJournal.start(tmp_path, "e1")
    assert journal is not None
    for row in (accepted, ended, claimed):
        assert ledger.transition(row.id, "sending", from_states=("queued",), detail=journal.tag)
    ledger.transition(other_run.id, "sending", detail="in flight (sender run 0123456789abcdef)")
    journal.ending(accepted.id)
    journal.accepted(accepted.id)  # the server said 250; the kill came before the commit
    journal.ending(ended.id)  # the final "." went out; the kill came before the reply
    journal.close()  # `claimed`: committed `sending`, killed before its end was written

    assert ledger.resume("e1", SendJournal.evidence(tmp_path, "e1")) == 2
    by_token = {d.subscriber_token: d for d in ledger.status("e1").missing}
    assert ledger.status("e1").counts["sent"] == 1 and "t0" not in by_token
    assert by_token["t1"].state == "unknown"  # the one window left: "." sent, no reply yet
    assert by_token["t2"].state == "queued" and "queued again" in (by_token["t2"].detail or "")
    assert by_token["t3"].state == "unknown"  # claimed by another run: this journal proves nothing
    assert [r.id for r in ledger.due("e1")] == [claimed.id, untouched.id]  # sent again, once


@pytest.mark.skipif(not Path("/proc/sys/kernel/random/boot_id").exists(), reason="needs Linux's boot id")
def test_a_journal_from_before_a_reboot_is_not_believed(fresh_db, tmp_path) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=clock)
    ledger = Ledger(fresh_db, clock)
    ledger.start("e1", [("t0", "a" * 26)])
    (row,) = ledger.due("e1")
    journal = SendJournal.start(tmp_path, "e1")
    assert journal is not None
    ledger.transition(row.id, "sending", detail=journal.tag)
    journal.close()  # no "end": believed, the row would be queued again
    path = SendJournal.path_for(tmp_path, "e1")
    header, _, rest = path.read_text().partition("\n")
    path.write_text(re.sub(r"boot=\S+", "boot=00000000-0000-0000-0000-000000000000", header) + "\n" + rest)
    # after a reboot the page cache may have lost lines: the row is unknown, never resent blindly
    assert SendJournal.evidence(tmp_path, "e1") is None
    assert ledger.resume("e1", SendJournal.evidence(tmp_path, "e1")) == 1


def test_a_group_commit_applies_mixed_changes_and_reports_each(fresh_db) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=clock)
    ledger = Ledger(fresh_db, clock)
    ledger.start("e1", [(f"t{i}", chr(97 + i) * 26) for i in range(5)])
    r0, r1, r2, r3, r4 = ledger.due("e1")
    ledger.transition(r1.id, "sent")
    results = ledger.apply(
        [
            Transition(r0.id, "sending", ("queued",), {"attempts": 1}),
            Transition(r1.id, "sending", ("queued",), {"attempts": 1}),  # already sent: refused
            Transition(r2.id, "sent", None, {"relay": "relay-a", "detail": None}),
            Transition(r3.id, "sent", None, {"relay": "relay-b", "detail": None}),
            Transition(r4.id, "deferred", None, {"detail": "451 later", "next_attempt_at": NOW}),
        ]
    )
    assert results == [True, False, True, True, True]
    with fresh_db.begin() as conn:
        rows = {r.id: r for r in sql.ledger_rows(conn, "e1")}
    assert rows[r0.id].delivery.state == "sending" and rows[r0.id].delivery.attempts == 1
    assert rows[r1.id].delivery.state == "sent" and rows[r1.id].delivery.attempts == 0
    assert (rows[r2.id].relay, rows[r3.id].relay) == ("relay-a", "relay-b")
    assert rows[r4.id].delivery.state == "deferred" and rows[r4.id].delivery.detail == "451 later"


def test_a_batch_of_claims_is_one_statement_and_reports_rows_already_taken(fresh_db) -> None:
    clock = Clock(NOW)
    approve_edition(fresh_db, rendered_edition("e1"), slot=None, approved_by="ed", clock=clock)
    ledger = Ledger(fresh_db, clock)
    ledger.start("e1", [(f"t{i:03d}", f"{i:026d}") for i in range(450)])  # more than one chunk of ids
    rows = ledger.due("e1", limit=1000)
    taken = {rows[3].id, rows[420].id}
    for row_id in taken:
        ledger.transition(row_id, "sent")
    claims = [Transition(r.id, "sending", ("queued",), {"attempts": 1, "detail": "run x"}) for r in rows]
    # the same row twice in one batch: the second change applies after the first
    claims.append(Transition(rows[0].id, "sent", ("sending",), {"relay": "r"}))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(fresh_db.engine, "before_cursor_execute", count)
    try:
        results = ledger.apply(claims)
    finally:
        event.remove(fresh_db.engine, "before_cursor_execute", count)
    assert results[:-1] == [r.id not in taken for r in rows]
    assert results[-1] is True
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 3  # 400 + 50 claims in two statements, the repeated row in a third
    counts = ledger.status("e1").counts
    assert (counts["sending"], counts["sent"]) == (447, 3)
