"""``eurasiawatch subscribers …`` and ``schedule show`` end to end, plus the mailto path and retention."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.deliver import subscribers as subs
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.deliver.mailto import find_unsubscribe_token, unsubscribe_from_mail, unsubscribe_mailto
from eurasiawatch.deliver.subscriber_data import cleanup
from eurasiawatch.store import open_database

ADDRESS = "dmitri.reader@example.org"
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    return tmp_path


def _ok(cli, *args: str):
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_subscribers_commands(cli, env, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _ok(cli, "db", "upgrade")
    _ok(cli, "subscribers", "add", ADDRESS, "--source", "editor met at a conference")
    assert (env / "deliver-keys.json").exists()
    assert "1 active" in _ok(cli, "subscribers", "list").output
    listed = json.loads(_ok(cli, "subscribers", "list", "--json").output)
    assert listed["counts"] == {"active": 1}
    assert [s["address"] for s in listed["subscribers"]] == ["d***@example.org"]
    assert ADDRESS in _ok(cli, "subscribers", "list", "--reveal", "--json").output
    data = json.loads(_ok(cli, "subscribers", "export", ADDRESS).output)
    assert data["address"] == ADDRESS and data["status"] == "active"
    assert data["source"] == "editor met at a conference" and data["consent_at"]

    csv_path = env / "out.csv"
    _ok(cli, "subscribers", "export-csv", "-o", str(csv_path))
    text = csv_path.read_text()
    assert text.splitlines()[0].startswith("address,status,source,consent_at")
    assert ADDRESS in text and "editor met at a conference" in text
    assert (csv_path.stat().st_mode & 0o777) == 0o600

    # key rotation: everything stays readable, the file ends with one key, the index is unchanged
    before = Crypto.from_settings(Settings(data_dir=str(env)))
    assert "re-encrypted" in _ok(cli, "subscribers", "rotate-key").output
    after = Crypto.from_settings(Settings(data_dir=str(env)))
    assert after.encryption_keys != before.encryption_keys and len(after.encryption_keys) == 1
    assert after.index(ADDRESS) == before.index(ADDRESS)
    assert json.loads(_ok(cli, "subscribers", "export", ADDRESS).output)["address"] == ADDRESS

    _ok(cli, "subscribers", "erase", ADDRESS)
    assert json.loads(_ok(cli, "subscribers", "export", ADDRESS).output) == {"address": ADDRESS, "held": None}

    # import what was exported: consent time and source come back
    result = _ok(cli, "subscribers", "import", str(csv_path))
    assert "1 added" in result.output
    again = json.loads(_ok(cli, "subscribers", "export", ADDRESS).output)
    assert again["consent_at"] == data["consent_at"] and again["source"] == data["source"]
    assert ADDRESS not in caplog.text


def test_import_refuses_rows_without_consent(cli, env) -> None:
    _ok(cli, "db", "upgrade")
    path = env / "in.csv"
    path.write_text(
        "address,status,consent_at\na@example.org,active,\nnot-an-address,active,2024-01-01T00:00:00+00:00\n"
    )
    result = cli.invoke(app, ["subscribers", "import", str(path)])
    assert result.exit_code == 2
    assert "0 added" in result.output


def test_erase_with_suppress_keeps_only_the_hash(cli, env) -> None:
    _ok(cli, "db", "upgrade")
    _ok(cli, "subscribers", "add", ADDRESS)
    _ok(cli, "subscribers", "erase", ADDRESS, "--suppress")
    data = json.loads(_ok(cli, "subscribers", "export", ADDRESS).output)
    assert data["suppression"]["reason"] == "erased" and "status" not in data


def test_schedule_show(cli, env) -> None:
    out = _ok(cli, "--as-of", "2026-03-20", "schedule", "show", "--count", "3").output
    assert "Wed 2026-03-25 09:00 CET  (08:00 UTC)" in out or "Wed 2026-04-01 09:00 CEST  (07:00 UTC)" in out
    payload = json.loads(_ok(cli, "--as-of", "2026-03-20", "schedule", "show", "--json").output)
    assert len(payload["next"]) == 10 and payload["due"] is None


def test_mailto_unsubscribe_and_retention(env, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(data_dir=str(env))
    crypto = Crypto.generate()
    with open_database(settings) as db:
        db.upgrade()
        with db.begin() as conn:
            token, _ = subs.add_subscriber(conn, crypto, ADDRESS, source="cli", now=NOW, consent_at=NOW)
            other, _ = subs.add_subscriber(
                conn, crypto, "b@example.org", source="cli", now=NOW, consent_at=NOW
            )
            url = unsubscribe_mailto(token, "example.net")
            assert url.startswith(f"mailto:unsubscribe+{token}@example.net")
            mail = EmailMessage()
            mail["From"] = ADDRESS
            mail["To"] = f"unsubscribe+{token.upper()}@example.net"
            mail.set_content("please remove me")
            assert unsubscribe_from_mail(conn, mail.as_bytes(), now=NOW)
            by_subject = EmailMessage()
            by_subject["To"] = "list@example.net"
            by_subject["Subject"] = f"unsubscribe {other}"
            assert find_unsubscribe_token(by_subject) == other
            by_body = EmailMessage()
            by_body["To"] = "list@example.net"
            by_body.set_content(f"> unsubscribe {other}\n")
            assert unsubscribe_from_mail(conn, by_body, now=NOW)
            nothing = EmailMessage()
            nothing["To"] = "list@example.net"
            nothing.set_content("hello")
            assert not unsubscribe_from_mail(conn, nothing)
            assert subs.active_recipients(conn, crypto) == []
            pending = subs.subscribe(conn, crypto, "c@example.org", source="web", now=NOW)
            assert pending.outcome == "confirmation"
            kept = cleanup(conn, NOW + timedelta(days=6), pending_days=7, unsubscribed_days=30)
            assert (kept.pending, kept.unsubscribed, kept.events) == (0, 0, 1)
            gone = cleanup(conn, NOW + timedelta(days=31), pending_days=7, unsubscribed_days=30)
            assert (gone.pending, gone.unsubscribed) == (1, 2)
    assert ADDRESS not in caplog.text


def test_every_new_command_has_help(cli) -> None:
    for args in (["subscribers"], ["schedule"]):
        out = _ok(cli, *args, "--help").output
        assert "Usage" in out
    for name in ("add", "list", "export", "erase", "import", "export-csv", "rotate-key", "cleanup"):
        assert "Usage" in _ok(cli, "subscribers", name, "--help").output
