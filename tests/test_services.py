"""The shared skip-or-fail rule: a missing service skips a local run and fails a CI run."""

from __future__ import annotations

import pytest

from .services import missing


def test_missing_service_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no dovecot"):
        missing("no dovecot")


def test_missing_service_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no dovecot"):
        missing("no dovecot")
