"""``eurasiawatch watchlist``: add/list/show/remove, the Atom feed, and an idempotent digest via an outbox."""

from __future__ import annotations

import email
import json
from datetime import timedelta
from email import policy
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database
from tests.analyze.test_search import CLOCK, _load
from tests.analyze.test_watchlists import _add

LATER = (CLOCK.now() + timedelta(days=1)).isoformat()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EURASIAWATCH_DELIVER__EDITORS", "desk@example.org, chief@example.org")
    monkeypatch.delenv("EURASIAWATCH_DATABASE_URL", raising=False)
    with open_database(Settings(data_dir=str(tmp_path))) as db:
        db.upgrade()
        _load(db)
    return tmp_path


def _ok(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_add_list_show_remove(cli: CliRunner, data_dir: Path) -> None:
    _ok(cli, "watchlist", "add", "kz-energy", "--country", "kz", "--theme", "energy")
    _ok(cli, "watchlist", "add", "china", "--query", "Китай", "--entity", "Q_cnpc")
    listed = json.loads(_ok(cli, "watchlist", "list", "--json"))
    assert [w["name"] for w in listed] == ["china", "kz-energy"] and listed[1]["countries"] == ["KZ"]
    shown = json.loads(_ok(cli, "watchlist", "show", "china", "--json", "--as-of", CLOCK.now().isoformat()))
    assert {m["title"] for m in shown["matches"]} == {"Делегация Китая в Астане"}
    _ok(cli, "watchlist", "remove", "china")
    assert cli.invoke(app, ["watchlist", "remove", "china"]).exit_code == 2
    assert cli.invoke(app, ["watchlist", "add", "kz-energy", "--country", "UZ"]).exit_code == 2
    assert cli.invoke(app, ["watchlist", "add", "nothing"]).exit_code == 2


def test_feed_parses_back(cli: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    _ok(cli, "watchlist", "add", "kz", "--country", "KZ")
    out = tmp_path / "kz.xml"
    _ok(cli, "watchlist", "feed", "kz", "--out", str(out), "--as-of", CLOCK.now().isoformat())
    feed = feedparser.parse(out.read_text(encoding="utf-8"))
    assert not feed.bozo and len(feed.entries) == 3
    assert {e.link for e in feed.entries} == {"https://e.org/ru1", "https://e.org/ru2", "https://e.org/en1"}
    assert cli.invoke(app, ["watchlist", "feed", "nope"]).exit_code == 2


def test_digest_sends_once_and_only_new_matches(cli: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    now = CLOCK.now().isoformat()
    _ok(cli, "watchlist", "add", "kz", "--country", "KZ", "--as-of", now)
    preview = _ok(cli, "watchlist", "digest", "--as-of", now)
    assert "## kz (3)" in preview and "https://e.org/en1" in preview
    assert not outbox.exists()  # printing marks nothing
    _ok(cli, "watchlist", "digest", "--send", "--outbox", str(outbox), "--as-of", now)
    sent = sorted(outbox.glob("*.eml"))
    assert len(sent) == 2
    msg = email.message_from_bytes(sent[0].read_bytes(), policy=policy.default)
    assert msg["To"] == "desk@example.org" and "3 new" in str(msg["Subject"])
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    assert "Steppe Wire" in parts["text/plain"] and 'href="https://e.org/en1"' in parts["text/html"]
    again = _ok(cli, "watchlist", "digest", "--send", "--outbox", str(outbox), "--as-of", now)
    assert "nothing new" in again and len(list(outbox.glob("*.eml"))) == 2
    with open_database(Settings(data_dir=str(data_dir))) as db:
        _add(db, "https://e.org/late", "Late gas news", "Gas.", ("KZ",), CLOCK.now() + timedelta(days=1))
    _ok(
        cli,
        "watchlist",
        "digest",
        "--send",
        "--to",
        "me@example.org",
        "--outbox",
        str(outbox),
        "--as-of",
        LATER,
    )
    last = sorted(outbox.glob("*.eml"))[-1]
    text = email.message_from_bytes(last.read_bytes(), policy=policy.default)
    assert text["To"] == "me@example.org" and "1 new" in str(text["Subject"])
    assert (
        cli.invoke(app, ["watchlist", "digest", "--send", "--to", "bad address", "--as-of", LATER]).exit_code
        == 2
    )


def test_digest_is_signed_like_an_edition(
    cli: CliRunner, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through SMTP on loopback: Date, a Message-ID on our domain, and a DKIM signature dkimpy accepts."""
    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from eurasiawatch.deliver.dkim import DkimKey
    from tests.deliver.smtp_loopback import dns_stub, smtp_server

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(pem)
    key = DkimKey.from_pem("eurasiawatch.example", "desk1", pem)
    monkeypatch.setenv("EURASIAWATCH_DELIVER__DKIM_DOMAIN", "eurasiawatch.example")
    monkeypatch.setenv("EURASIAWATCH_DELIVER__DKIM_SELECTOR", "desk1")
    monkeypatch.setenv("EURASIAWATCH_DELIVER__DKIM_KEY_FILE", str(key_file))
    now = CLOCK.now().isoformat()
    _ok(cli, "watchlist", "add", "kz", "--country", "KZ", "--as-of", now)
    with smtp_server() as (sink, port):
        monkeypatch.setenv("EURASIAWATCH_DELIVER__RELAYS", f"smtp://127.0.0.1:{port}")
        _ok(cli, "watchlist", "digest", "--send", "--as-of", now)
    assert sorted(r.rcpt_tos[0] for r in sink.received) == ["chief@example.org", "desk@example.org"]
    ids = set()
    for received in sink.received:
        assert dkim.verify(received.data, dnsfunc=dns_stub(key))
        assert not dkim.verify(received.data.replace(b"Steppe Wire", b"Steppe Wirf"), dnsfunc=dns_stub(key))
        msg = email.message_from_bytes(received.data, policy=policy.default)
        assert msg["Message-ID"].endswith("@eurasiawatch.example>") and msg["Date"] is not None
        assert msg["Date"].datetime == CLOCK.now()
        assert "List-Unsubscribe" not in msg  # editors are not subscribers
        assert msg.get_content_type() == "multipart/alternative"
        assert "Steppe Wire" in msg.get_body(("plain",)).get_content()
        ids.add(msg["Message-ID"])
    assert len(ids) == 2  # one Message-ID per copy


def test_add_and_remove_are_audited_as_the_cli(cli: CliRunner, data_dir: Path) -> None:
    from eurasiawatch.store import desk as desk_store

    _ok(cli, "watchlist", "add", "kz", "--country", "kz", "--theme", "Energy")
    # the desk's rules: two-letter country codes, the annotator's themes
    bad = cli.invoke(app, ["watchlist", "add", "uz", "--country", "Uzbekistan"])
    assert bad.exit_code == 2 and "not a two-letter ISO code" in bad.output
    _ok(cli, "watchlist", "remove", "kz")
    with open_database(Settings(data_dir=str(data_dir))) as db, db.begin() as conn:
        rows = desk_store.audit_for_targets(conn, ["watchlist:kz", "watchlist:uz"])
    assert sorted((r["action"], r["username"], r["detail"]) for r in rows) == [
        ("watchlist.add", "(cli)", "countries KZ; themes energy"),
        ("watchlist.remove", "(cli)", "countries KZ; themes energy"),
    ]
