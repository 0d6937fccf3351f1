"""One rule for tests that need a service or a file the machine may lack: skip locally, fail in CI.

Under ``CI=true`` every service the suite needs is installed by ``.ci/run``, so a gap there is a
failure, never a skip.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether the suite runs under CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() == "true"


def missing(message: str) -> NoReturn:
    """Stop the current test: fail under CI, skip otherwise."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
