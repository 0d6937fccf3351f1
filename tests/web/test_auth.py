"""Desk sign-in end to end: a user added with the CLI signs in with a password and a TOTP code.

Also: refused and replayed codes, session fixation, sign-out, the rate limit, user enumeration,
open redirects, CSRF on the sign-in form, access control on every desk and API route, admin-only
subscriber data with its audit rows, API tokens, re-enrolling an authenticator app.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route

from eurasiawatch.cli import app as cli_app
from eurasiawatch.config import Settings
from eurasiawatch.credentials import totp_code
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.deliver.subscribers import add_subscriber
from eurasiawatch.store import Database
from eurasiawatch.store.tables import desk_audit, desk_sessions
from eurasiawatch.web.auth import COOKIE_HTTP, COOKIE_HTTPS, PUBLIC_PATHS, ApiUser

from .conftest import NOW, csrf_token, page

PASSWORD = "a long desk passphrase"
_KEY = re.compile(r"TOTP key: (\S+)")


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """Cheap argon2 (tests sign in often) and a small per-account limit."""
    return dataclasses.replace(
        web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1, desk_login_max_failures=3
    )


@pytest.fixture
def users(cli, web_settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``users(name, role)`` adds a desk user through the CLI and returns their TOTP key."""
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", web_settings.data_dir)
    if web_settings.database_url:
        monkeypatch.setenv("EURASIAWATCH_DATABASE_URL", web_settings.database_url)
        monkeypatch.setenv("EURASIAWATCH_DATABASE_SCHEMA", web_settings.database_schema)
    monkeypatch.setenv("EURASIAWATCH_DESK__ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("EURASIAWATCH_DESK__ARGON2_TIME_COST", "1")

    def add(name: str, role: str = "editor") -> str:
        result = cli.invoke(
            cli_app, ["users", "add", name, "--role", role, "--password-stdin"], input=PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output
        assert f"otpauth://totp/eurasiawatch:{name}?secret=" in result.output
        match = _KEY.search(result.output)
        assert match
        return match.group(1)

    return add


def _post_password(client: TestClient, name: str, password: str = PASSWORD, next_: str = ""):  # type: ignore[no-untyped-def]
    form = client.get("/desk/sign-in", params={"next": next_} if next_ else None)
    token = csrf_token(form.text)
    data = {"username": name, "password": password, "csrf_token": token, "next": next_}
    return client.post("/desk/sign-in", data=data, follow_redirects=False)


def _post_code(client: TestClient, code: str, next_: str = ""):  # type: ignore[no-untyped-def]
    form = client.get("/desk/sign-in/code")
    token = csrf_token(form.text)
    return client.post(
        "/desk/sign-in/code", data={"code": code, "csrf_token": token, "next": next_}, follow_redirects=False
    )


def _sign_in(client: TestClient, name: str, key: str, *, at=NOW, next_: str = ""):  # type: ignore[no-untyped-def]
    first = _post_password(client, name, next_=next_)
    assert first.status_code == 303, first.text
    return _post_code(client, totp_code(key, at), next_=next_)


def _refused(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 401 and "That did not work" in response.text


def test_user_added_with_the_cli_signs_in_with_password_and_code(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("alice")
    assert client.get("/desk/", follow_redirects=False).status_code == 303
    first = _post_password(client, "Alice")  # names are not case-sensitive
    assert first.status_code == 303 and first.headers["location"].startswith("/desk/sign-in/code")
    assert client.get("/desk/", follow_redirects=False).status_code == 303  # password alone is not enough
    done = _post_code(client, totp_code(key, NOW))
    assert done.status_code == 303 and done.headers["location"] == "/desk/"
    desk = client.get("/desk/")
    assert desk.status_code == 200
    assert "Signed in as" in desk.text and "alice" in desk.text
    cookie = done.headers["set-cookie"]
    assert (
        f"{COOKIE_HTTP}=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=lax" in cookie.replace("Lax", "lax")
    )
    assert "Secure" not in cookie  # plain http in this test


def test_wrong_code_is_refused_then_the_right_one_works(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("bob")
    assert _post_password(client, "bob").status_code == 303
    right = totp_code(key, NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert _refused(_post_code(client, wrong))
    assert client.get("/desk/", follow_redirects=False).status_code == 303
    assert _post_code(client, right).status_code == 303
    assert client.get("/desk/").status_code == 200


def test_a_code_from_three_steps_ago_is_refused(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("carol")
    assert _post_password(client, "carol").status_code == 303
    assert _refused(_post_code(client, totp_code(key, NOW - timedelta(seconds=90))))
    assert (
        _post_code(client, totp_code(key, NOW + timedelta(seconds=30))).status_code == 303
    )  # one step of drift


def test_a_code_is_never_accepted_twice(users, app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    key = users("dora")
    with TestClient(app) as first:
        assert _sign_in(first, "dora", key).status_code == 303
    with TestClient(app) as second:  # someone who saw the code over her shoulder
        assert _post_password(second, "dora").status_code == 303
        assert _refused(_post_code(second, totp_code(key, NOW)))
        # an earlier step's code, still inside the window, is refused too: steps only move forward
        assert _refused(_post_code(second, totp_code(key, NOW - timedelta(seconds=30))))
        assert _post_code(second, totp_code(key, NOW + timedelta(seconds=30))).status_code == 303


def test_session_fixation_a_planted_cookie_is_not_the_signed_in_one(users, app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    key = users("erik")
    planted = "attacker-chosen-session-id-0123456789"
    with TestClient(app) as victim:
        victim.cookies.set(COOKIE_HTTP, planted, domain="testserver.local")  # as the browser would hold it
        first = _post_password(victim, "erik")
        pending = victim.cookies.get(COOKIE_HTTP)
        assert pending and pending != planted
        assert _post_code(victim, totp_code(key, NOW)).status_code == 303
        signed_in = victim.cookies.get(COOKIE_HTTP)
        assert signed_in not in (planted, pending)
        assert first.status_code == 303
    with TestClient(app) as attacker:
        for value in (planted, pending):
            attacker.cookies.set(COOKIE_HTTP, value)
            assert attacker.get("/desk/", follow_redirects=False).status_code == 303
        attacker.cookies.set(COOKIE_HTTP, signed_in)
        assert attacker.get("/desk/").status_code == 200  # the real one does work (it is a bearer secret)


def test_sign_in_rotates_the_csrf_token(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("fay")
    before = csrf_token(client.get("/desk/sign-in").text)
    _sign_in(client, "fay", key)
    after = csrf_token(client.get("/desk/").text)
    assert after != before


def test_sign_out_ends_the_session_on_the_server(users, app: FastAPI, fresh_db: Database) -> None:  # type: ignore[no-untyped-def]
    key = users("gus")
    with TestClient(app) as client:
        _sign_in(client, "gus", key)
        stolen = client.cookies.get(COOKIE_HTTP)
        token = csrf_token(client.get("/desk/").text)
        out = client.post("/desk/sign-out", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/desk/sign-in"
        assert client.get("/desk/", follow_redirects=False).status_code == 303
    with fresh_db.begin() as conn:
        assert conn.execute(select(desk_sessions)).first() is None
        actions = [r.action for r in conn.execute(select(desk_audit).order_by(desk_audit.c.id))]
    assert actions == ["user.add", "sign_in", "sign_out"]
    with TestClient(app) as replay:
        replay.cookies.set(COOKIE_HTTP, stolen)
        assert replay.get("/desk/", follow_redirects=False).status_code == 303


def test_rate_limit_locks_an_account_after_failures_with_the_same_answer(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("hana")
    other = users("ivan")
    for _ in range(3):  # desk.login_max_failures in this module
        assert _refused(_post_password(client, "hana", "not the password at all"))
    locked = _post_password(client, "hana")  # the right password, but the account is paused
    assert _refused(locked)
    assert _sign_in(client, "ivan", other).status_code == 303  # other accounts are not affected
    assert client.get("/desk/").status_code == 200
    assert key


def test_global_limit_pauses_every_sign_in(
    users, app: FastAPI, web_settings: Settings, fresh_db: Database
) -> None:  # type: ignore[no-untyped-def]
    from eurasiawatch.clock import Clock
    from eurasiawatch.web.app import create_app

    key = users("jana")
    strict = create_app(
        dataclasses.replace(web_settings, desk_login_global_max_failures=4),
        database=fresh_db,
        clock=Clock(NOW),
    )
    with TestClient(strict) as client:
        for name in ("x1", "x2", "x3", "x4"):  # spraying many names, each below its own limit
            assert _refused(_post_password(client, name, "guess guess guess"))
        assert _refused(_post_password(client, "jana"))
    assert key


def test_unknown_name_and_wrong_password_get_the_same_answer(
    users, client: TestClient, fresh_db: Database
) -> None:  # type: ignore[no-untyped-def]
    users("kim")
    unknown = _post_password(client, "nobody-here", "whatever password")
    wrong = _post_password(client, "kim", "whatever password")
    assert unknown.status_code == wrong.status_code == 401

    def message(response) -> str:  # type: ignore[no-untyped-def]
        return page(response.text).xpath("//*[@role='alert']")[0].text_content()

    assert message(unknown) == message(wrong)
    with fresh_db.begin() as conn:
        failed = [
            (r.target, r.detail)
            for r in conn.execute(select(desk_audit).where(desk_audit.c.action == "sign_in.failed"))
        ]
    # a password typed into the name box never reaches the log: unknown names are not recorded
    assert sorted(failed) == [("(unknown name)", "password"), ("kim", "password")]


@pytest.mark.parametrize(
    "next_",
    ["//evil.example/desk/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "desk/"],
)
def test_next_only_accepts_same_site_paths(users, client: TestClient, next_: str) -> None:  # type: ignore[no-untyped-def]
    key = users("lena")
    done = _sign_in(client, "lena", key, next_=next_)
    assert done.status_code == 303 and done.headers["location"] == "/desk/"


def test_anonymous_visit_goes_to_sign_in_and_comes_back(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("mia", "admin")
    r = client.get("/desk/audit?action=sign_in", follow_redirects=False)
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert location.path == "/desk/sign-in"
    next_ = parse_qs(location.query)["next"][0]
    assert next_ == "/desk/audit?action=sign_in"
    done = _sign_in(client, "mia", key, next_=next_)
    assert done.headers["location"] == "/desk/audit?action=sign_in"


def test_sign_in_form_needs_its_csrf_token(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    users("nina")
    client.get("/desk/sign-in")  # the CSRF cookie is set, but the form field is left out
    r = client.post("/desk/sign-in", data={"username": "nina", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert client.cookies.get(COOKIE_HTTP) is None


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """Every (path, methods) of the app, inside included routers too (newer FastAPI nests them)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _walk(inner.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif isinstance(route, APIRoute | Route):
            yield prefix + route.path, set(route.methods or ())


def test_every_desk_and_api_route_refuses_anonymous_visitors(app: FastAPI, client: TestClient) -> None:
    token = csrf_token(client.get("/desk/sign-in").text)  # so unsafe requests get past CSRF to the route
    checked = 0
    for path, methods in _walk(app.routes):
        guarded = path == "/desk" or path.startswith(("/desk/", "/api/v1"))
        if not guarded or path in PUBLIC_PATHS:
            continue
        for method in sorted(methods - {"HEAD"}):
            r = client.request(method, _fill(path), headers={"x-csrf-token": token}, follow_redirects=False)
            if path.startswith("/api/"):
                assert r.status_code == 401, (method, path, r.status_code)
                assert r.json()["error"]["status"] == 401
            else:
                assert r.status_code == 303, (method, path, r.status_code)
                assert r.headers["location"].startswith("/desk/sign-in?next="), (method, path)
            checked += 1
    assert checked >= 6  # desk home, subscribers (GET, POST), audit, two-factor (GET, POST) at least


def test_editor_cannot_see_subscribers_admin_can_and_is_audited(
    users, app: FastAPI, web_settings: Settings, fresh_db: Database
) -> None:  # type: ignore[no-untyped-def]
    editor_key = users("olga", "editor")
    admin_key = users("pavel", "admin")
    crypto = Crypto.from_settings(web_settings)
    with fresh_db.begin() as conn:
        token, _ = add_subscriber(conn, crypto, "reader@example.org", source="test", now=NOW, consent_at=NOW)
    with TestClient(app) as editor:
        _sign_in(editor, "olga", editor_key)
        assert editor.get("/desk/subscribers").status_code == 403
        assert editor.get("/desk/audit").status_code == 403
        form = csrf_token(editor.get("/desk/").text)
        assert (
            editor.post(
                "/desk/subscribers", data={"address": "reader@example.org", "csrf_token": form}
            ).status_code
            == 403
        )
        assert "Subscribers" not in page(editor.get("/desk/").text).xpath("string(//nav)")
    with TestClient(app) as admin:
        _sign_in(admin, "pavel", admin_key, at=NOW)
        counts = admin.get("/desk/subscribers")
        assert counts.status_code == 200
        assert [c.text_content() for c in page(counts.text).xpath("//table[1]//tbody//td")] == ["active", "1"]
        form = csrf_token(counts.text)
        shown = admin.post("/desk/subscribers", data={"address": "Reader@Example.org", "csrf_token": form})
        assert shown.status_code == 200
        assert "reader@example.org" in shown.text and token in shown.text
        missing = admin.post("/desk/subscribers", data={"address": "other@example.org", "csrf_token": form})
        assert "Nothing is held" in missing.text
        log = admin.get("/desk/audit", params={"action": "subscriber.view"})
        assert log.status_code == 200
    with fresh_db.begin() as conn:
        rows = list(
            conn.execute(
                select(desk_audit).where(desk_audit.c.action == "subscriber.view").order_by(desk_audit.c.id)
            )
        )
    assert [(r.username, r.target, r.detail) for r in rows] == [
        ("pavel", f"subscriber:{token}", "found"),
        ("pavel", "subscriber:(not held)", "nothing held"),
    ]
    assert all("@" not in r.target + r.detail for r in rows)  # the log names tokens, never addresses
    cells = page(log.text).xpath("//tbody/tr/td[3]/text()")
    assert cells == ["subscriber.view", "subscriber.view"]


def _api_app(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/api/v1/test-whoami")
    def whoami(user: ApiUser) -> dict[str, str]:
        return {"username": user.username, "role": user.role}

    app.include_router(router)


def test_api_tokens_from_the_cli(users, cli, app: FastAPI, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    users("quinn", "admin")
    _api_app(app)
    created = cli.invoke(cli_app, ["users", "token", "create", "quinn", "--name", "ci"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("ewt_")
    assert client.get("/api/v1/test-whoami").status_code == 401
    assert client.get("/api/v1/test-whoami", headers={"Authorization": "Bearer ewt_nope"}).status_code == 401
    ok = client.get("/api/v1/test-whoami", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json() == {"username": "quinn", "role": "admin"}
    assert cli.invoke(cli_app, ["users", "token", "revoke", "quinn", "--name", "ci"]).exit_code == 0
    gone = client.get("/api/v1/test-whoami", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401 and gone.json()["error"]["status"] == 401


def test_removed_user_is_signed_out_and_passwd_ends_sessions(users, cli, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    key = users("rosa")
    _sign_in(client, "rosa", key)
    assert client.get("/desk/").status_code == 200
    changed = cli.invoke(
        cli_app, ["users", "passwd", "rosa", "--password-stdin"], input="another long passphrase\n"
    )
    assert changed.exit_code == 0 and "1 sessions ended" in changed.output
    assert client.get("/desk/", follow_redirects=False).status_code == 303
    assert _refused(_post_password(client, "rosa"))  # the old password
    assert cli.invoke(cli_app, ["users", "remove", "rosa"]).exit_code == 0
    listed = cli.invoke(cli_app, ["users", "list", "--json"])
    assert "rosa" not in listed.output


def test_new_authenticator_app_from_the_desk(users, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    old_key = users("sven")
    _sign_in(client, "sven", old_key)
    enrol = client.get("/desk/account/two-factor")
    assert enrol.status_code == 200
    codes = page(enrol.text).xpath("//dd/code/text()")
    new_key = codes[0].replace(" ", "")
    assert codes[1].startswith("otpauth://totp/eurasiawatch:sven?secret=" + new_key)
    form = {
        "candidate": page(enrol.text).xpath("string(//input[@name='candidate']/@value)"),
        "csrf_token": csrf_token(enrol.text),
    }
    wrong_code = form | {"password": PASSWORD, "code": totp_code(old_key, NOW)}
    assert client.post("/desk/account/two-factor", data=wrong_code).status_code == 400
    # an open session alone cannot move the account to another phone: the password is asked again
    no_password = form | {"password": "someone else at the desk", "code": totp_code(new_key, NOW)}
    assert client.post("/desk/account/two-factor", data=no_password).status_code == 400
    done = client.post(
        "/desk/account/two-factor", data=form | {"password": PASSWORD, "code": totp_code(new_key, NOW)}
    )
    assert done.status_code == 200 and "Done" in done.text
    client.cookies.clear()
    assert _post_password(client, "sven").status_code == 303
    assert _refused(_post_code(client, totp_code(old_key, NOW + timedelta(seconds=30))))
    assert _post_code(client, totp_code(new_key, NOW + timedelta(seconds=30))).status_code == 303


def test_cookie_is_secure_and_host_prefixed_over_https(users, app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    key = users("tara")
    with TestClient(app, base_url="https://testserver") as client:
        first = _post_password(client, "tara")
        assert first.status_code == 303
        done = _post_code(client, totp_code(key, NOW))
        cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith(COOKIE_HTTPS))
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
        assert client.get("/desk/").status_code == 200
