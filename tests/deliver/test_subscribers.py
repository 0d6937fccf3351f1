"""Double opt-in, confirm, pause, unsubscribe, re-subscribe, suppression and bounces, on both databases."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.deliver import subscribers as subs
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.deliver.tokens import InvalidToken
from eurasiawatch.store import subscribers as store
from eurasiawatch.store.tables import subscribers, suppressions

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
ADDRESS = "olga.reader@example.org"


def _subscribe(conn, crypto, address=ADDRESS, now=NOW, **kw):
    return subs.subscribe(conn, crypto, address, source="web form", now=now, **kw)


def test_double_opt_in_to_unsubscribe_and_back(fresh_db, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        result = _subscribe(conn, crypto)
        assert result.outcome == "confirmation" and result.confirmation is not None
        assert result.confirmation.address == ADDRESS
        assert subs.active_recipients(conn, crypto) == []  # pending until confirmed
        assert subs.confirm(conn, crypto, result.confirmation.token, now=NOW + timedelta(hours=1))
        (recipient,) = subs.active_recipients(conn, crypto)
        assert recipient.address == ADDRESS and recipient.pgp_key is None
        assert ADDRESS not in recipient.token
        # the same form answer whatever happens; an active reader gets no mail
        again = _subscribe(conn, crypto, now=NOW + timedelta(days=3))
        assert again.outcome == "already_active" and again.public_message == result.public_message
        assert subs.pause(conn, recipient.token)
        assert subs.active_recipients(conn, crypto) == []
        assert subs.resume(conn, recipient.token)
        assert subs.unsubscribe_by_token(conn, recipient.token.upper(), now=NOW + timedelta(days=4))
        assert subs.active_recipients(conn, crypto) == []
        assert subs.unsubscribe_by_token(conn, recipient.token)  # idempotent
        assert not subs.unsubscribe_by_token(conn, "a" * 26)  # unknown: False, callers answer the same
        # re-subscribing starts a fresh double opt-in for the same token
        back = _subscribe(conn, crypto, now=NOW + timedelta(days=5))
        assert back.outcome == "confirmation"
        assert subs.confirm(conn, crypto, back.confirmation.token, now=NOW + timedelta(days=5))
        assert [r.token for r in subs.active_recipients(conn, crypto)] == [recipient.token]
        row = store.find_by_token(conn, recipient.token)
        assert row["consent_at"] == NOW + timedelta(days=5) and row["unsubscribed_at"] is None
        # nothing in the database holds the address in the clear
        stored = [str(v) for r in conn.execute(select(subscribers)).all() for v in r]
        assert not any(ADDRESS in v for v in stored)
    assert ADDRESS not in caplog.text
    assert "olga" not in caplog.text


def test_confirm_links_expire_and_forgeries_fail(fresh_db) -> None:
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        result = _subscribe(conn, crypto, confirm_hours=48)
        with pytest.raises(InvalidToken):
            subs.confirm(conn, crypto, result.confirmation.token, now=NOW + timedelta(hours=48))
        with pytest.raises(InvalidToken):
            subs.confirm(conn, Crypto.generate(), result.confirmation.token, now=NOW)
        assert subs.active_recipients(conn, crypto) == []


def test_one_confirmation_per_address_per_day_and_a_global_limit(fresh_db) -> None:
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        assert _subscribe(conn, crypto).outcome == "confirmation"
        assert _subscribe(conn, crypto, address=ADDRESS.upper(), now=NOW + timedelta(hours=23)).outcome == (
            "throttled"
        )
        assert _subscribe(conn, crypto, now=NOW + timedelta(hours=24)).outcome == "confirmation"
        outcomes = [
            _subscribe(
                conn, crypto, address=f"r{i}@example.org", now=NOW + timedelta(hours=24), per_hour=3
            ).outcome
            for i in range(4)
        ]
        assert outcomes == ["confirmation", "confirmation", "rate_limited", "rate_limited"]


def test_invalid_addresses(fresh_db) -> None:
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        for bad in ("", "nobody", "a@b", "a b@example.org", "<a@example.org>", "x@" + "d" * 260 + ".org"):
            with pytest.raises(subs.InvalidAddress):
                _subscribe(conn, crypto, address=bad)


def test_suppression_is_hashes_only_and_wins(fresh_db) -> None:
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        token, _ = subs.add_subscriber(conn, crypto, ADDRESS, source="cli", now=NOW, consent_at=NOW)
        assert subs.suppress(conn, crypto, ADDRESS, "manual")
        assert not subs.suppress(conn, crypto, ADDRESS.upper(), "manual")
        assert subs.is_suppressed(conn, crypto, ADDRESS)
        assert subs.active_recipients(conn, crypto) == []
        assert _subscribe(conn, crypto).outcome == "suppressed"
        rows = conn.execute(select(suppressions)).all()
        assert [r.address_index for r in rows] == [crypto.index(ADDRESS)]
        assert subs.unsuppress(conn, crypto, ADDRESS)
        assert [r.token for r in subs.active_recipients(conn, crypto)] == [token]


@pytest.mark.parametrize("kind", ["hard", "complaint"])
def test_hard_bounce_or_complaint_suppresses(fresh_db, kind) -> None:
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        token, _ = subs.add_subscriber(conn, crypto, ADDRESS, source="cli", now=NOW, consent_at=NOW)
        assert subs.record_bounce(conn, token, kind, NOW)
        assert subs.is_suppressed(conn, crypto, ADDRESS)


def test_soft_bounces_count_to_the_limit(fresh_db) -> None:
    crypto = Crypto.generate()
    with fresh_db.begin() as conn:
        token, _ = subs.add_subscriber(conn, crypto, ADDRESS, source="cli", now=NOW, consent_at=NOW)
        assert not subs.record_bounce(conn, token, "soft", NOW, soft_limit=3)
        assert not subs.record_bounce(conn, token, "soft", NOW, soft_limit=3)
        subs.reset_soft_bounces(conn, token)
        assert not subs.record_bounce(conn, token, "soft", NOW, soft_limit=3)
        assert not subs.record_bounce(conn, token, "soft", NOW, soft_limit=3)
        assert subs.record_bounce(conn, token, "soft", NOW, soft_limit=3)
        assert subs.active_recipients(conn, crypto) == []
        assert not subs.record_bounce(conn, "b" * 26, "hard", NOW)
        with pytest.raises(ValueError):
            subs.record_bounce(conn, token, "weird", NOW)  # type: ignore[arg-type]


def test_pgp_key_is_stored_encrypted(fresh_db) -> None:
    crypto = Crypto.generate()
    key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----\n"
    with fresh_db.begin() as conn:
        token, _ = subs.add_subscriber(
            conn, crypto, ADDRESS, source="cli", now=NOW, consent_at=NOW, pgp_key=key
        )
        assert subs.active_recipients(conn, crypto)[0].pgp_key == key
        assert b"PGP" not in store.find_by_token(conn, token)["pgp_key_enc"]
        assert subs.set_pgp_key(conn, crypto, token, None, now=NOW)
        assert subs.active_recipients(conn, crypto)[0].pgp_key is None


def test_every_subscriber_query_compiles_for_both_databases() -> None:
    import inspect

    builders = {n: f for n, f in inspect.getmembers(store, inspect.isfunction) if n.endswith("_stmt")}
    samples = {
        "_insert_subscriber_stmt": ({"token": "t", "address_index": "i", "address_enc": b"x"},),
        "_find_by_index_stmt": ("i",),
        "_find_by_token_stmt": ("t",),
        "_update_subscriber_stmt": (1, {"status": "active"}),
        "_delete_subscriber_stmt": (1,),
        "_list_active_stmt": (),
        "_page_subscribers_stmt": (0, 10),
        "_status_counts_stmt": (),
        "_suppression_stmt": ("i",),
        "_suppress_stmt": ("i", "hard", NOW),
        "_remove_suppression_stmt": ("i",),
        "_add_event_stmt": ("pow", "d", NOW),
        "_count_events_stmt": ("confirmation", NOW),
        "_prune_events_stmt": (NOW,),
        "_delete_stale_stmt": ("pending", "confirm_sent_at", NOW),
    }
    assert set(builders) == set(samples), "add sample arguments for every new builder"
    for name, builder in builders.items():
        for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
            str(builder(dialect, *samples[name]).compile(dialect=module.dialect()))
