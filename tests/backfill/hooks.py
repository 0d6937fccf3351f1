"""Picklable record hooks for the backfill tests (shipped to Dask workers by reference)."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class KillWorkerOnce:
    """Kill the worker process the first time it meets a record whose URL contains ``marker``.

    ``flag`` is a file: written (with the dying PID) just before the kill, so the redo goes through.
    """

    marker: str
    flag: str

    def __call__(self, url: str) -> None:
        if self.marker in url and not Path(self.flag).exists():
            Path(self.flag).write_text(str(os.getpid()), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
