"""Drive Chromium from Python through ``driver.mjs`` (playwright-core): one JSON line per command.

``Chromium()`` starts ``node driver.mjs``; ``browser("goto", url=...)`` sends a command and returns
its result, raising ``BrowserError`` with the driver's message when the command failed. Cookies last
for the life of the object, as in a person's browser. ``close()`` ends it (also on ``with``).
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class BrowserError(AssertionError):
    """A browser command failed (an element never appeared, a navigation failed, …)."""


class Chromium:
    """One headless Chromium with one page, remote-controlled line by line."""

    def __init__(self, node: Path, *, timeout: float = 180.0) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [str(node), str(HERE / "driver.mjs")],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=self._drain, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put("")  # the driver ended

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)

    def __call__(self, op: str, **args: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            raise BrowserError(f"the browser did not answer {op} {args} in {self.timeout:.0f} s") from None
        if not line:
            raise BrowserError(f"the browser driver ended: {''.join(self._stderr)[-2000:]}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise BrowserError(f"{op} {args}: {answer['error']}")
        return answer["result"]

    def close(self) -> None:
        """End the browser (and the driver)."""
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"op": "close"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)
        for reader in self._readers:
            reader.join(10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
