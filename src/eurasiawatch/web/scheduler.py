"""The send scheduler inside ``eurasiawatch serve``: a background task of the app's lifespan.

It sleeps until the next slot of ``deliver.schedule``, then calls ``sending.run_due`` — exactly
what ``send --due`` calls — in a worker thread, so the event loop keeps serving pages. A driver
only: which edition, the lease, the ledger and the notice to editors are all ``run_due``'s.

- A slot is done once its send has nothing left queued or deferred. Until then (deferred
  recipients, another sender holding the lease, a failed run, or no approved edition yet) it looks
  again every ``poll_seconds`` while the slot is still due (``deliver.send_window_hours``); an
  edition approved late in the window is still sent. Editors are told about a missing edition once
  per slot (``run_due`` keeps that in the audit log).
- Cron (``send --due``) and the scheduler may both run: ``send_edition`` takes the one-sender lease,
  so the second gets ``SenderBusy`` and simply looks again later; the ledger never sends twice.
- ``deliver.scheduler = false`` turns it off. With a fixed clock (``serve --as-of``) it runs from
  that instant forward in real time, which is how the tests put the clock just before a slot.
- Its state (``enabled``, ``running``, ``next_slot``, ``last_run``, ``last_result``) is the dict
  ``app.state.scheduler_state``, shown as ``scheduler`` by ``/healthz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from ..clock import Clock
from ..config import Settings
from ..deliver.ledger import SenderBusy
from ..deliver.schedule import Schedule
from ..deliver.smtp import Mailer
from ..errors import EurasiawatchError
from ..sending import DueResult, run_due
from ..store import Database

__all__ = ["SendScheduler", "scheduler_running"]

log = logging.getLogger(__name__)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class SendScheduler:
    """Wakes at each due slot and runs ``run_due``; ``state`` is what ``/healthz`` shows."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        *,
        mailer: Callable[[], Mailer] | None = None,
        poll_seconds: float = 60.0,
        max_sleep: float = 300.0,
    ) -> None:
        """Set up (not start) the scheduler.

        Args:
            db: the app's database.
            settings: schedule and sending settings.
            clock: the app's clock; a fixed one is the starting instant of a replay.
            mailer: makes a mailer per send (default: SMTP through ``deliver.relays``).
            poll_seconds: how soon to look again while a due slot is not done.
            max_sleep: the longest single sleep (so a changed system clock is noticed).
        """
        self.db = db
        self.settings = settings
        self.schedule = Schedule.from_settings(settings)
        self.mailer = mailer
        self.poll_seconds = poll_seconds
        self.max_sleep = max_sleep
        started = time.monotonic()
        fixed = clock.as_of

        def now() -> datetime:
            if fixed is None:
                return datetime.now(UTC)
            return fixed + timedelta(seconds=time.monotonic() - started)

        self.now = now
        self.state: dict[str, Any] = {
            "enabled": True,
            "running": False,
            "next_slot": None,
            "last_run": None,
            "last_result": None,
        }

    async def run(self) -> None:
        """Loop until cancelled: sleep to the next slot, send what is due, record what happened."""
        done: datetime | None = None  # the last slot whose send is complete
        self.state["running"] = True
        try:
            while True:
                now = self.now()
                slot = self.schedule.due_slot(now)
                if slot is not None and slot != done:
                    if await self._run_once(now, slot):
                        done = slot
                    else:
                        await asyncio.sleep(self.poll_seconds)
                        continue
                upcoming = self.schedule.upcoming(now, 1)
                self.state["next_slot"] = _iso(upcoming[0]) if upcoming else None
                delay = (upcoming[0] - now).total_seconds() if upcoming else self.max_sleep
                await asyncio.sleep(min(max(delay, 0.0), self.max_sleep))
        finally:
            self.state["running"] = False

    async def _run_once(self, now: datetime, slot: datetime) -> bool:
        """One ``run_due`` in a worker thread; True when the slot needs nothing more."""
        self.state["next_slot"] = _iso(slot)
        self.state["last_run"] = _iso(now)
        work = asyncio.ensure_future(
            asyncio.to_thread(run_due, self.db, self.settings, Clock(now), mailer=self.mailer)
        )
        try:
            result: DueResult = await asyncio.shield(work)
        except asyncio.CancelledError:
            # shutting down: let the send finish its ledger writes and release the lease
            with contextlib.suppress(Exception):
                await work
            raise
        except SenderBusy as exc:
            self.state["last_result"] = f"waiting: {exc}"
            log.info("scheduler: %s; looking again in %.0f s", exc, self.poll_seconds)
            return False
        except EurasiawatchError as exc:
            self.state["last_result"] = f"failed: {exc}"
            log.error("scheduler: the send for %s failed: %s", slot.isoformat(), exc)
            return False
        except Exception as exc:  # keep the server up; the next poll tries again
            self.state["last_result"] = f"failed: {type(exc).__name__}: {exc}"
            log.exception("scheduler: the send for %s failed", slot.isoformat())
            return False
        self.state["last_result"] = result.summary
        log.info("scheduler: %s", result.summary)
        return result.report is not None and result.report.done


@asynccontextmanager
async def scheduler_running(app: FastAPI) -> AsyncIterator[None]:
    """Run the scheduler for the app's lifetime (``create_app``'s lifespan); stop it at shutdown.

    ``app.state.scheduler`` (a ``SendScheduler``, or None when disabled) and
    ``app.state.scheduler_state`` are set here.
    """
    settings: Settings = app.state.settings
    if not settings.deliver_scheduler:
        app.state.scheduler = None
        app.state.scheduler_state = {
            "enabled": False,
            "running": False,
            "next_slot": None,
            "last_run": None,
            "last_result": None,
        }
        yield
        return
    scheduler = SendScheduler(app.state.db, settings, app.state.clock)
    app.state.scheduler = scheduler
    app.state.scheduler_state = scheduler.state
    task = asyncio.create_task(scheduler.run(), name="eurasiawatch-send-scheduler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
