"""Reader pages end to end: subscribe → confirmation mail at a loopback SMTP server → confirm →
preferences → one-click unsubscribe, with the proof-of-work and the no-JavaScript wait."""

from __future__ import annotations

import dataclasses
import email
import re
import time
from collections.abc import Iterator
from email import policy

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.deliver.abuse import solve_challenge
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.store import Database
from eurasiawatch.store import subscribers as store
from eurasiawatch.web.app import create_app
from tests.deliver.smtp_loopback import SmtpSink, smtp_server

from .conftest import NOW, csrf_token, page

ADDRESS = "reader@example.org"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def reader_app(web_settings: Settings, fresh_db: Database, smtp: tuple[SmtpSink, int]) -> FastAPI:
    settings = dataclasses.replace(
        web_settings, deliver_relays=f"smtp://127.0.0.1:{smtp[1]}", deliver_pow_difficulty=6
    )
    app = create_app(settings, database=fresh_db, clock=Clock(NOW))
    app.state.nojs_wait_seconds = 0
    return app


@pytest.fixture
def reader(reader_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(reader_app) as c:
        yield c


def _form_fields(html: str) -> dict[str, str]:
    form = page(html).xpath("//form[@id='subscribe-form']")[0]
    return {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@type='hidden']")}


def _subscribe(client: TestClient, address: str = ADDRESS) -> str:
    r = client.get("/subscribe")
    fields = _form_fields(r.text)
    fields["solution"] = solve_challenge(fields["challenge"], 6)
    r = client.post("/subscribe", data={**fields, "email": address})
    assert r.status_code == 200, r.text
    return r.text


def _status(db: Database, settings: Settings, address: str = ADDRESS) -> str | None:
    crypto = Crypto.from_settings(settings)
    with db.begin() as conn:
        row = store.find_by_index(conn, crypto.index(address))
    return None if row is None else str(row["status"])


def _link(sink: SmtpSink) -> str:
    (received,) = sink.to(ADDRESS)
    msg = email.message_from_bytes(received.data, policy=policy.default)
    body = msg.get_body(("plain",)).get_content()
    match = re.search(r"http://testserver(/confirm\?token=\S+)", body)
    assert match, body
    return match.group(1)


def test_subscribe_mail_confirm_preferences_and_one_click_unsubscribe(
    reader: TestClient, reader_app: FastAPI, fresh_db: Database, smtp: tuple[SmtpSink, int]
) -> None:
    sink, _ = smtp
    settings = reader_app.state.settings
    text = _subscribe(reader)
    assert "a confirmation link is on its way" in text
    assert _status(fresh_db, settings) == "pending"

    link = _link(sink)
    confirm = reader.get(link)  # opening the link alone confirms nothing
    assert confirm.status_code == 200 and _status(fresh_db, settings) == "pending"
    token = page(confirm.text).xpath("//input[@name='token']/@value")[0]
    r = reader.post("/confirm", data={"token": token, "csrf_token": csrf_token(confirm.text)})
    assert r.status_code == 200 and "You are subscribed" in r.text
    assert _status(fresh_db, settings) == "active"

    prefs_href = page(r.text).xpath("//main//a[contains(@href, '/preferences/')]/@href")[0]
    prefs = reader.get(prefs_href)
    r = reader.post(prefs_href, data={"action": "pause", "csrf_token": csrf_token(prefs.text)})
    assert r.status_code == 200 and _status(fresh_db, settings) == "paused"
    r = reader.post(prefs_href, data={"action": "resume", "csrf_token": csrf_token(prefs.text)})
    assert _status(fresh_db, settings) == "active"

    subscriber_token = prefs_href.rsplit("/", 1)[1]
    one_click = f"/unsubscribe/{subscriber_token}"
    assert reader.get(one_click).status_code == 200
    assert _status(fresh_db, settings) == "active"  # GET never unsubscribes
    # a mail client's RFC 8058 POST: no cookie, no CSRF token
    with TestClient(reader_app) as mail_client:
        r = mail_client.post(
            one_click,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert r.status_code == 200
    assert _status(fresh_db, settings) == "unsubscribed"


def test_unknown_tokens_and_addresses_get_the_same_answers(
    reader: TestClient, fresh_db: Database, smtp: tuple[SmtpSink, int]
) -> None:
    def main_text(html: str) -> str:
        return page(html).xpath("//main")[0].text_content()

    first = _subscribe(reader)
    again = _subscribe(reader)  # a second request the same day sends no second mail
    other = _subscribe(reader, "someone-else@example.org")
    assert main_text(first) == main_text(again) == main_text(other)
    assert len(smtp[0].to(ADDRESS)) == 1
    unknown = reader.post("/unsubscribe/" + "a" * 26)
    assert unknown.status_code == 200
    assert main_text(unknown.text) == main_text(reader.post("/unsubscribe/" + "b" * 26).text)


def test_subscribe_without_javascript_waits_then_works(
    reader: TestClient, fresh_db: Database, reader_app: FastAPI, smtp: tuple[SmtpSink, int]
) -> None:
    fields = _form_fields(reader.get("/subscribe").text)
    r = reader.post("/subscribe", data={**fields, "email": ADDRESS})  # no solution: no script ran
    assert r.status_code == 200 and "One more step" in r.text
    assert _status(fresh_db, reader_app.state.settings) is None
    form = page(r.text).xpath("//main//form")[0]
    data = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
    r = reader.post("/subscribe", data=data)
    assert "a confirmation link is on its way" in r.text
    assert _status(fresh_db, reader_app.state.settings) == "pending"
    # the wait token is single use
    r = reader.post("/subscribe", data={**data, "email": "x@example.org"})
    assert "One more step" in r.text


def test_a_wrong_solution_or_bad_address_is_refused(reader: TestClient, smtp: tuple[SmtpSink, int]) -> None:
    fields = _form_fields(reader.get("/subscribe").text)
    r = reader.post("/subscribe", data={**fields, "solution": "nope", "email": ADDRESS})
    assert "One more step" in r.text and smtp[0].received == []
    fields = _form_fields(reader.get("/subscribe").text)
    r = reader.post("/subscribe", data={**fields, "email": "not an address"})
    assert r.status_code == 400 and "not an email address" in r.text


def test_subscribe_post_without_csrf_token_is_refused(reader: TestClient) -> None:
    fields = _form_fields(reader.get("/subscribe").text)
    fields.pop("csrf_token")
    r = reader.post("/subscribe", data={**fields, "email": ADDRESS})
    assert r.status_code == 403


def test_damaged_confirm_link_is_400(reader: TestClient) -> None:
    html = reader.get("/confirm?token=abc").text
    r = reader.post("/confirm", data={"token": "abc", "csrf_token": csrf_token(html)})
    assert r.status_code == 400 and "damaged or has expired" in r.text


def test_the_no_javascript_wait_counts_real_seconds_even_with_a_fixed_clock(
    reader: TestClient, reader_app: FastAPI, fresh_db: Database
) -> None:
    reader_app.state.nojs_wait_seconds = 1.0
    fields = _form_fields(reader.get("/subscribe").text)
    r = reader.post("/subscribe", data={**fields, "email": ADDRESS})
    data = {i.get("name"): i.get("value") or "" for i in page(r.text).xpath("//main//form//input")}
    too_soon = reader.post("/subscribe", data=data)
    assert "One more step" in too_soon.text and _status(fresh_db, reader_app.state.settings) is None
    time.sleep(1.1)
    r = reader.post("/subscribe", data=data)
    assert "a confirmation link is on its way" in r.text
    assert _status(fresh_db, reader_app.state.settings) == "pending"
