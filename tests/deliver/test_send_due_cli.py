"""``eurasiawatch send --due`` (cron) end to end: the same ``sending.run_due`` as the scheduler in serve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eurasiawatch.cli import app
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.deliver.schedule import Schedule
from eurasiawatch.deliver.sender import approve_edition
from eurasiawatch.sending import NOTHING_APPROVED
from eurasiawatch.store import accounts, open_database

from .smtp_loopback import rendered_edition, smtp_server

SLOT = Schedule.from_settings(Settings()).upcoming(datetime(2025, 1, 1, tzinfo=UTC), 1)[0]


def test_send_due_from_cron(cli, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EURASIAWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("EURASIAWATCH_DELIVER__EDITORS", "desk@example.org")
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    for address in ("ana@example.net", "bakyt@example.net"):
        assert cli.invoke(app, ["subscribers", "add", address]).exit_code == 0
    during = (SLOT + timedelta(minutes=10)).isoformat()
    with smtp_server() as (sink, port):
        monkeypatch.setenv("EURASIAWATCH_DELIVER__RELAYS", f"smtp://127.0.0.1:{port}")
        idle = cli.invoke(app, ["send", "--due", "--as-of", (SLOT - timedelta(hours=1)).isoformat()])
        assert idle.exit_code == 0 and "no send is due now" in idle.output

        first = cli.invoke(app, ["send", "--due", "--as-of", during])
        assert first.exit_code == 2
        assert "Nothing sent:" in first.output and "1 editor(s) mailed" in first.output
        assert [r.rcpt_tos for r in sink.received] == [["desk@example.org"]]
        again = cli.invoke(app, ["send", "--due", "--as-of", during])  # cron, ten minutes later
        assert again.exit_code == 2 and "told earlier" in again.output
        assert len(sink.received) == 1

        with open_database(Settings(data_dir=str(tmp_path))) as db:
            with db.begin() as conn:
                assert len(accounts.list_audit(conn, action=NOTHING_APPROVED)) == 1
            approve_edition(db, rendered_edition("e1"), slot=SLOT, approved_by="ed", clock=Clock(SLOT))
        sent = cli.invoke(app, ["send", "--due", "--as-of", during])
        assert sent.exit_code == 0, sent.output
        assert "e1:" in sent.output and "sent 2" in sent.output
    readers = sorted(r.rcpt_tos[0] for r in sink.received[1:])
    assert readers == ["ana@example.net", "bakyt@example.net"]
