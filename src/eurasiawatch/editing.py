"""The desk's edition editor, as functions: draft a new edition, edit a block, re-draft, preview,
test send, approve.

Each takes the database and settings like the ``edition`` and ``send`` commands do and calls the same
code: ``compose.gather.draft_stored`` drafts (``create_draft``, which never re-drafts: a slot that
has an edition, or a window that ends before it starts or holds no article, is refused with a
``DraftRefused`` saying so) and re-drafts (keeping every block an editor touched),
``compose.markdown`` validates an edited block exactly as ``edition edit`` does, ``render`` draws
the previews, ``deliver.sender.send_test`` sends the test copy to ``deliver.editors`` and
``deliver.sender.approve_edition`` stores the rendered edition for a slot of ``deliver.schedule``.
Every change writes a row to the desk's audit log in the same transaction.
"""

from __future__ import annotations

import base64
import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from .accounts import User, record
from .clock import Clock
from .compose.edition import ComposeOptions
from .compose.gather import draft_stored
from .compose.llm import LlmEndpoint
from .compose.markdown import apply_block_markdown
from .config import Settings
from .deliver.notices import signing_keys
from .deliver.options import SendOptions
from .deliver.schedule import Schedule
from .deliver.sender import approve_edition, send_test
from .errors import DeliveryError, EurasiawatchError, StoreError
from .records import Edition, RenderedEdition
from .render import RenderOptions, render_edition
from .sending import make_mailer
from .store import Database
from .store import editions as store
from .store.browse import ArticleFilter, count_article_rows

__all__ = [
    "BLOCKING_FLAGS",
    "ApprovalRefused",
    "DraftDefaults",
    "DraftRefused",
    "approve_for_slot",
    "compose_options",
    "create_draft",
    "draft_defaults",
    "edit_block",
    "edition_language",
    "email_preview_html",
    "load_edition",
    "next_send_date",
    "redraft",
    "render_preview",
    "send_test_copy",
    "upcoming_slots",
]

#: an edition with a block flagged so cannot be approved (as ``edition approve``)
BLOCKING_FLAGS = frozenset({"empty", "uncited"})


class ApprovalRefused(EurasiawatchError):
    """The edition cannot be approved as it stands (flagged blocks, a slot not on the schedule)."""


class DraftRefused(EurasiawatchError):
    """No new draft was made: a window that makes no sense or holds nothing, or a slot already taken.

    ``existing`` is the id of the slot's edition when that was the reason.
    """

    def __init__(self, message: str, *, hint: str | None = None, existing: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.existing = existing


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftDefaults:
    """What ``edition draft`` takes with no options: the window, the slot's date and the language."""

    start: date
    end: date
    send_date: date
    language: str


_LANGUAGE = re.compile(r"[a-z]{2,3}")


def compose_options(settings: Settings) -> ComposeOptions:
    """The edition's fixed wording: the built-in text unless a compose.* setting says otherwise."""
    chosen = {
        "newsletter": settings.render_newsletter,
        "greeting": settings.compose_greeting,
        "signoff": settings.compose_signoff,
        "bio": settings.compose_bio,
        "russia_notice": settings.compose_russia_notice,
    }
    return replace(ComposeOptions(), **{k: v for k, v in chosen.items() if v})


def next_send_date(settings: Settings, clock: Clock) -> date:
    """The date of the next slot of ``deliver.schedule`` (tomorrow when the schedule has none)."""
    slots = upcoming_slots(settings, clock, 1)
    return slots[0].date() if slots else clock.now().date() + timedelta(days=1)


def draft_defaults(settings: Settings, clock: Clock, days: int = 14) -> DraftDefaults:
    """``days`` days ending today, for the next scheduled slot, in the compose language."""
    end = clock.today()
    return DraftDefaults(
        start=end - timedelta(days=days - 1),
        end=end,
        send_date=next_send_date(settings, clock),
        language=compose_options(settings).language,
    )


def edition_language(settings: Settings, language: str | None) -> str:
    """The language to draft in: ``language`` (lower-cased), else the compose default (English).

    Raises:
        DraftRefused: ``language`` is not a two- or three-letter code.
    """
    lang = (language or "").strip().lower() or compose_options(settings).language
    if not _LANGUAGE.fullmatch(lang):
        raise DraftRefused(f"language {language!r} is not a two-letter code like en or ru")
    return lang


def _llm(settings: Settings) -> LlmEndpoint | None:
    """The chat endpoint of ``compose.llm_url``, or None (extractive drafting)."""
    url = settings.compose_llm_url
    if not url:
        return None
    return LlmEndpoint(url=url, model=settings.compose_llm_model, api_key=settings.compose_llm_api_key)


def _slot_edition(db: Database, send_date: date) -> str | None:
    with db.read() as conn:
        rows = store.list_editions(conn)
    return next((r["edition_id"] for r in rows if r["send_date"] == send_date), None)


def create_draft(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    start: date,
    end: date,
    send_date: date,
    language: str | None = None,
    user: User,
    guard: AbstractContextManager[object] | None = None,
) -> tuple[Edition, int]:
    """Draft a new edition for a slot, as ``edition draft`` does, and store it; audited.

    Args:
        db: the database.
        settings: effective settings (compose wording, ``compose.llm_url``).
        clock: the clock (the audit row's time; the window is given).
        start: first day of the window.
        end: last day of the window.
        send_date: the slot's date; it must have no edition yet.
        language: the edition's language (ISO 639-1); default the compose language, English.
        user: who drafts it.
        guard: held from the check for an existing edition to the save, so two requests for one
            slot (a double submit) draft it once; the desk passes a lock.

    Returns:
        The stored edition and how many block versions were written.

    Raises:
        DraftRefused: the window ends before it starts or holds no article, the language is not a
            code, or the slot has an edition (``existing`` names it).
        LlmError: drafting through ``compose.llm_url`` failed.
    """
    if end < start:
        raise DraftRefused(f"the window ends on {end} before it starts on {start}")
    lang = edition_language(settings, language)
    with db.read() as conn:
        found = count_article_rows(
            conn,
            ArticleFilter(
                since=datetime.combine(start, time(0), tzinfo=UTC),
                until=datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC),
            ),
        )
    if not found:
        raise DraftRefused(
            f"no article was published between {start} and {end}", hint="choose another window"
        )
    with guard if guard is not None else nullcontext():
        existing = _slot_edition(db, send_date)
        if existing is not None:
            raise DraftRefused(f"the slot of {send_date} already has an edition", existing=existing)
        edition, written = draft_stored(
            db,
            settings,
            clock,
            start=start,
            end=end,
            send_date=send_date,
            options=replace(compose_options(settings), language=lang),
            llm=_llm(settings),
        )
        with db.begin() as conn:
            record(
                conn,
                user,
                "edition.create",
                f"edition:{edition.edition_id}",
                f"for {send_date}, window {start}..{end}, {lang}: {len(edition.blocks)} blocks, "
                f"{found} articles in the window",
                now=clock.now(),
            )
    return edition, written


def load_edition(db: Database, edition_id: str) -> Edition:
    """A stored edition.

    Raises:
        StoreError: there is none with that id.
    """
    with db.read() as conn:
        edition = store.load_edition(conn, edition_id)
    if edition is None:
        raise StoreError(f"no edition {edition_id!r}", hint="eurasiawatch edition list")
    return edition


def edit_block(
    db: Database, edition_id: str, block_id: str, text: str, *, user: User, clock: Clock
) -> Edition:
    """Store an editor's Markdown for one block (validated as ``edition edit``); audited.

    Returns:
        The edition as stored.

    Raises:
        StoreError: no such edition.
        EditError: no such block, or a marker that points at no source.
    """
    edition = load_edition(db, edition_id)
    before = next(b for b in edition.blocks if b.block_id == block_id) if edition.blocks else None
    edited = apply_block_markdown(edition, block_id, text)
    after = next(b for b in edited.blocks if b.block_id == block_id)
    with db.begin() as conn:
        written = store.save_edition(conn, edited, now=clock.now(), author=user.username)
        if written:
            old = len(before.text) if before is not None else 0
            record(
                conn,
                user,
                "edition.edit",
                f"edition:{edition_id}",
                f"block {block_id}: {old} -> {len(after.text)} characters"
                + (f"; flags {', '.join(after.flags)}" if after.flags else ""),
                now=clock.now(),
            )
    return edited


def redraft(
    db: Database, settings: Settings, clock: Clock, edition_id: str, *, user: User
) -> tuple[Edition, int]:
    """Draft the edition's window again; blocks an editor edited are kept as they are. Audited.

    Returns:
        The stored edition and how many block versions were written.

    Raises:
        StoreError: no such edition, or it is approved or sent.
        LlmError: drafting through ``compose.llm_url`` failed.
    """
    edition = load_edition(db, edition_id)
    llm = _llm(settings)
    fresh, written = draft_stored(
        db,
        settings,
        clock,
        start=edition.window_start,
        end=edition.window_end,
        send_date=edition.send_date,
        options=replace(compose_options(settings), language=edition.language),
        llm=llm,
    )
    kept = sum(1 for b in fresh.blocks if b.edited)
    with db.begin() as conn:
        record(
            conn,
            user,
            "edition.redraft",
            f"edition:{fresh.edition_id}",
            f"{written} block versions written, {kept} edited blocks kept",
            now=clock.now(),
        )
    return fresh, written


def render_options(settings: Settings, site_url: str = "") -> RenderOptions:
    """Render options from the settings (``render.site_url``, else ``site_url``)."""
    return RenderOptions(newsletter=settings.render_newsletter, site_url=settings.render_site_url or site_url)


def render_preview(edition: Edition, settings: Settings, site_url: str = "") -> RenderedEdition:
    """The edition rendered for every channel, as subscribers and the archive would get it."""
    return render_edition(edition, options=render_options(settings, site_url))


def email_preview_html(rendered: RenderedEdition) -> str:
    """The HTML email with its inline parts (``cid:`` charts) written in as ``data:`` URLs, for a browser."""
    html = rendered.email_html
    for cid, mime, data in rendered.inline_parts:
        html = html.replace(f"cid:{cid}", f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}")
    return html


def send_test_copy(
    db: Database, settings: Settings, clock: Clock, edition_id: str, *, user: User, site_url: str = ""
) -> tuple[str, ...]:
    """Send a ``[TEST]`` copy of the edition to ``deliver.editors`` through the configured relays. Audited.

    Returns:
        The addresses it went to.

    Raises:
        DeliveryError: no editor addresses are set, or the relays refused the copies.
    """
    options = SendOptions.from_settings(settings)
    if not options.editors:
        raise DeliveryError("no editor addresses to send a test copy to", hint="set deliver.editors")
    rendered = render_preview(load_edition(db, edition_id), settings, site_url)
    send_test(
        rendered,
        options.editors,
        mailer=make_mailer(options),
        options=options,
        keys=signing_keys(options),
        clock=clock,
    )
    with db.begin() as conn:
        record(
            conn,
            user,
            "edition.test_send",
            f"edition:{edition_id}",
            f"{len(options.editors)} copies",
            now=clock.now(),
        )
    return options.editors


def upcoming_slots(settings: Settings, clock: Clock, count: int = 6) -> list[datetime]:
    """The next send slots of ``deliver.schedule`` after the clock's now."""
    return Schedule.from_settings(settings).upcoming(clock.now(), count)


def approve_for_slot(
    db: Database,
    settings: Settings,
    clock: Clock,
    edition_id: str,
    slot: datetime,
    *,
    user: User,
    site_url: str = "",
) -> Edition:
    """Approve an edition for one of the upcoming slots: store it rendered for sending and mark it approved.

    Raises:
        ApprovalRefused: a block is still flagged empty or uncited, or the slot is not an upcoming one.
        DeliveryError: its send has already started.
        StoreError: no such edition.
    """
    edition = load_edition(db, edition_id)
    blocking = [b.block_id for b in edition.blocks if set(b.flags) & BLOCKING_FLAGS]
    if blocking:
        raise ApprovalRefused(
            f"blocks still flagged empty or uncited: {', '.join(blocking)}", hint="edit them first"
        )
    chosen = next((s for s in upcoming_slots(settings, clock, 12) if s == slot), None)
    if chosen is None:
        raise ApprovalRefused(f"{slot.isoformat()} is not one of the upcoming send slots")
    slot = chosen  # the schedule's own datetime (its time zone), as send --due looks it up
    rendered = render_preview(edition, settings, site_url)
    approve_edition(db, rendered, slot=slot, approved_by=user.username, clock=clock)
    with db.begin() as conn:
        store.set_edition_status(
            conn, edition_id, "approved", now=clock.now(), slot=slot, approved_by=user.username
        )
        record(
            conn,
            user,
            "edition.approve",
            f"edition:{edition_id}",
            f"{edition.status} -> approved for {slot.isoformat()}",
            now=clock.now(),
        )
    return replace(edition, status="approved")
