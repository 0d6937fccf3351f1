"""Wiring for watchlists: make, change and remove them; gather their new matches into one digest,
mail it, mark it sent.

``read_watchlist`` turns what a person typed (the ``watchlist add`` options or the desk's form) into a
checked ``Watchlist``; the CLI and the desk both call it, then ``add_watchlist``, ``update_watchlist``
or ``remove_watchlist``, which write an audit row in the same transaction as the change.

The digest is marked delivered only after every message was accepted (by the SMTP server, or written
to the outbox of a dry run), so running it twice sends nothing new the second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from .accounts import User, record
from .analyze.search import search_index_pending
from .analyze.watchlists import Digest, Watchlist, WatchlistError, build_digest, find_matches
from .annotate.themes import THEMES
from .deliver.dkim import DkimKey
from .deliver.message import check_address
from .deliver.notices import mail_notice
from .deliver.options import SendOptions
from .deliver.smtp import Mailer
from .errors import DeliveryError
from .store import Database
from .store import watchlists as store

__all__ = [
    "PreparedDigest",
    "add_watchlist",
    "describe_watchlist",
    "prepare_digest",
    "read_watchlist",
    "remove_watchlist",
    "send_digest",
    "update_watchlist",
]

_COUNTRY = re.compile(r"[A-Z]{2}")


def _split(values: Iterable[str]) -> tuple[str, ...]:
    """Values as typed: each may hold several, separated by commas; blanks and repeats dropped."""
    found = (v.strip() for value in values for v in value.split(","))
    return tuple(dict.fromkeys(v for v in found if v))


def read_watchlist(
    name: str,
    *,
    query: str | None = None,
    countries: Iterable[str] = (),
    entities: Iterable[str] = (),
    themes: Iterable[str] = (),
) -> Watchlist:
    """A checked watchlist from what a person typed (``watchlist add`` options, or the desk's form).

    Each value may list several, separated by commas. Countries are upper-cased ISO 3166-1 alpha-2
    codes; themes must be among the annotator's eight.

    Raises:
        WatchlistError: a bad name, a bad country code or theme, or nothing to look for.
    """
    codes = tuple(c.upper() for c in _split(countries))
    bad = [c for c in codes if not _COUNTRY.fullmatch(c)]
    if bad:
        raise WatchlistError(f"country {bad[0]!r} is not a two-letter ISO code (e.g. KZ)")
    chosen = tuple(t.lower() for t in _split(themes))
    unknown = [t for t in chosen if t not in THEMES]
    if unknown:
        raise WatchlistError(f"theme {unknown[0]!r} is not one of {', '.join(THEMES)}")
    text = (query or "").strip()
    return Watchlist(
        name=name.strip(),
        query=text or None,
        countries=codes,
        entities=_split(entities),
        themes=chosen,
    ).check()


def describe_watchlist(w: Watchlist) -> str:
    """What a watchlist looks for, in one line (``query 'x'; countries KZ, UZ; themes energy``)."""
    parts = [f"query {w.query!r}"] if w.query else []
    parts += [
        f"{k} {', '.join(v)}"
        for k, v in (("countries", w.countries), ("entities", w.entities), ("themes", w.themes))
        if v
    ]
    return "; ".join(parts)


def _row(w: Watchlist) -> dict[str, object]:
    return {"query": w.query, "countries": w.countries, "entities": w.entities, "themes": w.themes}


def add_watchlist(db: Database, watch: Watchlist, *, now: datetime, user: User | str | None = None) -> None:
    """Save a new watchlist (checked by ``read_watchlist``); audited.

    Raises:
        WatchlistError: one of that name exists.
    """
    with db.begin() as conn:
        if store.get_watchlist(conn, watch.name) is not None:
            raise WatchlistError(f"a watchlist named {watch.name!r} exists", hint="edit or remove it first")
        store.insert_watchlist(conn, {"name": watch.name, **_row(watch), "created_at": now})
        record(conn, user, "watchlist.add", f"watchlist:{watch.name}", describe_watchlist(watch), now=now)


def update_watchlist(
    db: Database, watch: Watchlist, *, now: datetime, user: User | str | None = None
) -> Watchlist:
    """Change what a watchlist looks for (its name and delivery watermark stay); audited.

    Returns:
        The watchlist as stored.

    Raises:
        WatchlistError: there is none of that name.
    """
    with db.begin() as conn:
        row = store.get_watchlist(conn, watch.name)
        if row is None:
            raise WatchlistError(f"no watchlist named {watch.name!r}")
        before = Watchlist.from_row(row)
        store.update_watchlist(conn, watch.name, _row(watch))
        record(
            conn,
            user,
            "watchlist.edit",
            f"watchlist:{watch.name}",
            f"{describe_watchlist(before)} -> {describe_watchlist(watch)}",
            now=now,
        )
    return replace(watch, delivered_until=before.delivered_until)


def remove_watchlist(db: Database, name: str, *, now: datetime, user: User | str | None = None) -> None:
    """Remove a watchlist; audited.

    Raises:
        WatchlistError: there is none of that name.
    """
    with db.begin() as conn:
        row = store.get_watchlist(conn, name)
        if row is None or not store.delete_watchlist(conn, name):
            raise WatchlistError(f"no watchlist named {name!r}")
        record(
            conn,
            user,
            "watchlist.remove",
            f"watchlist:{name}",
            describe_watchlist(Watchlist.from_row(row)),
            now=now,
        )


@dataclass(frozen=True, slots=True)
class PreparedDigest:
    """The digest built at ``now`` and the watchlists it covers."""

    digest: Digest
    watchlists: tuple[Watchlist, ...]
    now: datetime


def prepare_digest(db: Database, now: datetime) -> PreparedDigest:
    """Every watchlist's matches first seen after its last delivery and up to ``now``."""
    with db.begin() as conn:
        search_index_pending(conn, now=now)
        watches = tuple(Watchlist.from_row(r) for r in store.list_watchlists(conn))
        sections = [(w, find_matches(conn, w, after=w.delivered_until, until=now)) for w in watches]
    return PreparedDigest(build_digest(sections, now=now), watches, now)


def send_digest(
    db: Database,
    prepared: PreparedDigest,
    *,
    recipients: list[str],
    mailer: Mailer,
    options: SendOptions,
    keys: tuple[DkimKey, ...] = (),
) -> int:
    """Mail the digest to each recipient, then mark its matches delivered.

    Each copy is built and DKIM-signed like an edition (Date, Message-ID, ``keys``), without list
    headers: the recipients are editors, not subscribers.

    Returns:
        How many messages went out (0 when there was nothing new: nothing is sent or marked).

    Raises:
        DeliveryError: no recipients, or an address that is not one.
    """
    checked = [check_address(a) for a in recipients]
    if not checked:
        raise DeliveryError("no recipients: set deliver.editors or pass --to")
    if not prepared.digest.count:
        return 0
    sent = mail_notice(
        prepared.digest.subject,
        prepared.digest.text,
        html=prepared.digest.html,
        recipients=checked,
        mailer=mailer,
        options=options,
        keys=keys,
        now=prepared.now,
    )
    with db.begin() as conn:
        store.mark_delivered(conn, [w.name for w in prepared.watchlists], prepared.now)
    return len(sent)
