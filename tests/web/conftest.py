"""Fixtures for the web app, shared by every test under ``tests/web``.

- ``web_settings``: the ``fresh_db`` settings plus a test server secret (SQLite and PostgreSQL), with
  the send scheduler off (``tests/web/test_scheduler.py`` turns it on).
- ``app``: ``create_app`` over the migrated ``fresh_db`` database, clock fixed at ``NOW``.
- ``client``: a ``TestClient`` on ``app`` (base URL ``http://testserver``, so cookies are not Secure).
- ``csrf_token(html)``: the value of the first hidden ``csrf_token`` field of a page.
- ``page(html)``: parse a page with lxml (``page(r.text).xpath(...)``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import lxml.html
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.store import Database
from eurasiawatch.web.app import create_app

NOW = datetime(2024, 7, 12, 10, 0, tzinfo=UTC)
TEST_SECRET = "test-secret-" + "x" * 40
_CSRF = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


def csrf_token(html: str) -> str:
    """The CSRF token a page embeds in its forms (fails the test when there is none)."""
    match = _CSRF.search(html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def page(html: str) -> lxml.html.HtmlElement:
    """The page parsed by lxml."""
    return lxml.html.document_fromstring(html)


@pytest.fixture
def web_settings(fresh_db: Database) -> Settings:
    """Settings of the migrated test database, with a server secret and no send scheduler.

    The scheduler (``web.scheduler``) would otherwise run ``send --due`` against the test database
    whenever a test's live clock falls in a send window; its own tests switch it on.
    """
    return dataclasses.replace(fresh_db.settings, web_secret_key=TEST_SECRET, deliver_scheduler=False)


@pytest.fixture
def app(web_settings: Settings, fresh_db: Database) -> FastAPI:
    """The web app over ``fresh_db``; its clock is fixed at ``NOW``."""
    return create_app(web_settings, database=fresh_db, clock=Clock(NOW))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient on ``app`` (lifespan run; server errors raised, not turned into 500 pages)."""
    with TestClient(app) as test_client:
        yield test_client
