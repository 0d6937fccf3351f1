"""The desk's public pages in Chromium: axe-core finds nothing (light and dark), and screenshots.

The app runs under uvicorn on a free loopback port in a thread, over a migrated SQLite database
with the sample edition published. Screenshots go to ``<data dir>/screenshots/`` of the configured
settings (``./ew-data`` unless ``EURASIAWATCH_DATA_DIR`` says otherwise), named
``public-<page>-<light|dark>.png``.
"""

from __future__ import annotations

import dataclasses
import email
import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import httpx
import pytest
import uvicorn

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings, load_settings
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.render import web_path
from eurasiawatch.render.sample import sample_edition
from eurasiawatch.store import Database, open_database
from eurasiawatch.store import editions as store
from eurasiawatch.store import subscribers as subscriber_store
from eurasiawatch.web.app import create_app
from tests.deliver.smtp_loopback import SmtpSink, free_port, smtp_server

from .test_browser import _run, node_tools  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent
server_db: dict[str, Database] = {}
NOW = datetime(2024, 7, 12, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as (sink, port):
        sink.port = port  # type: ignore[attr-defined]
        yield sink


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink) -> Iterator[tuple[str, Settings]]:
    data = tmp_path_factory.mktemp("desk")
    settings = dataclasses.replace(
        Settings(data_dir=str(data)),
        web_secret_key="s" * 40,
        deliver_relays=f"smtp://127.0.0.1:{smtp.port}",  # type: ignore[attr-defined]
    )
    db = open_database(settings)
    db.upgrade()
    edition = sample_edition()
    with db.begin() as conn:
        store.save_edition(conn, edition, now=NOW)
        store.set_edition_status(conn, edition.edition_id, "approved", now=NOW, slot=NOW, approved_by="ed")
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, database=db, clock=Clock(NOW)), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    server_db[settings.data_dir] = db
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, settings
    finally:
        srv.should_exit = True
        thread.join(10)
        db.dispose()


def _pages(base: str) -> dict[str, str]:
    edition = "/" + web_path(sample_edition()).removesuffix("index.html")
    return {
        "home": base + "/",
        "archive": base + "/editions/",
        "edition": base + edition,
        "about": base + "/about",
        "subscribe": base + "/subscribe",
        "confirm": base + "/confirm?token=x",
        "preferences": base + "/preferences/" + "a" * 26,
        "unsubscribe": base + "/unsubscribe/" + "a" * 26,
        "not-found": base + "/no-such-page",
    }


def test_axe_finds_no_violations_on_the_public_pages(
    node_tools: Path,  # noqa: F811
    server: tuple[str, Settings],
) -> None:
    base, _ = server
    code, report = _run(node_tools, "axe", *_pages(base).values())
    problems = [
        (r["target"], r["scheme"], v["id"], v["nodes"]) for r in report["results"] for v in r["violations"]
    ]
    assert problems == [] and report["blocked"] == [] and code == 0
    assert len(report["results"]) == 2 * len(_pages(base))


@pytest.mark.parametrize("name", ["home", "archive", "subscribe", "about", "preferences"])
def test_screenshots_of_the_main_public_pages(
    node_tools: Path,  # noqa: F811
    server: tuple[str, Settings],
    name: str,
) -> None:
    base, _ = server
    folder = (load_settings().data_path / "screenshots").resolve()  # the configured data dir
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        out = folder / f"public-{name}-{scheme}.png"
        code, report = _run(node_tools, "shot", _pages(base)[name], str(out), scheme, "1000")
        assert code == 0 and report["blocked"] == []
        assert out.read_bytes().startswith(b"\x89PNG")


def _flow(node: Path, *args: str) -> dict:
    done = subprocess.run(
        [str(node), str(HERE / "subscribe_flow.mjs"), *args],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _status(settings: Settings, address: str) -> str | None:
    db = server_db[settings.data_dir]
    with db.begin() as conn:
        row = subscriber_store.find_by_index(conn, Crypto.from_settings(settings).index(address))
    return None if row is None else str(row["status"])


def test_a_reader_subscribes_confirms_and_leaves_with_javascript_on(
    node_tools: Path,  # noqa: F811
    server: tuple[str, Settings],
    smtp: SmtpSink,
) -> None:
    base, settings = server
    address = "browser-reader@example.org"
    # the form's proof-of-work (deliver.pow_difficulty = 18) is solved by pow.js in Chromium
    done = _flow(node_tools, "subscribe", base, address)
    assert done["heading"] == "Check your inbox" and done["blocked"] == []
    assert _status(settings, address) == "pending"
    (received,) = smtp.to(address)
    body = email.message_from_bytes(received.data, policy=policy.default).get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/confirm\?token=\S+", body)
    assert link, body
    done = _flow(node_tools, "confirm", link.group(0))
    assert done["heading"] == "You are subscribed"
    assert _status(settings, address) == "active"
    with server_db[settings.data_dir].begin() as conn:
        row = subscriber_store.find_by_index(conn, Crypto.from_settings(settings).index(address))
    token = row["token"]
    # what a mail client does with List-Unsubscribe-Post: no cookie, no CSRF token
    r = httpx.post(f"{base}/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click")
    assert r.status_code == 200
    assert _status(settings, address) == "unsubscribed"
