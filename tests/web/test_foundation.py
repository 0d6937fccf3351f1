"""The app's foundation: security headers, CSRF, error pages, health, the page frame."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.testclient import TestClient

from eurasiawatch.errors import StoreError
from eurasiawatch.web.csrf import COOKIE_HTTP, rotate_csrf
from eurasiawatch.web.security import CONTENT_SECURITY_POLICY
from eurasiawatch.web.templating import render_string

from .conftest import csrf_token, page


def _add_test_routes(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/t/form", response_class=HTMLResponse)
    def form_page(request: Request) -> HTMLResponse:
        body = render_string(request, "error.html", {"status": 200, "title": "t", "message": "m"})
        return HTMLResponse(body.replace("</main>", f"<form method=post>{_field(request)}</form></main>"))

    @router.post("/t/form")
    def form_post(name: str = Form("")) -> PlainTextResponse:
        return PlainTextResponse(f"got {name}")

    @router.post("/t/login")
    def login(request: Request) -> PlainTextResponse:
        response = PlainTextResponse("signed in")
        rotate_csrf(response, request)
        return response

    @router.get("/t/store")
    def broken() -> None:
        raise StoreError("the database is at the wrong migration")

    app.include_router(router)
    # routes added after the static mount still match: the mount only answers /static/...


def _field(request: Request) -> str:
    from eurasiawatch.web.csrf import csrf_field

    return str(csrf_field(request))


def test_every_response_carries_the_strict_csp_and_friends(client: TestClient) -> None:
    for path in ("/about", "/healthz", "/no-such-page", "/static/desk.css"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"


def test_unknown_page_is_a_404_page_with_the_frame_and_no_traceback(client: TestClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    doc = page(r.text)
    assert doc.xpath("//main//h1")[0].text_content() == "Page not found"
    assert "Traceback" not in r.text


def test_store_error_maps_to_503_page_without_details(app: FastAPI, client: TestClient) -> None:
    _add_test_routes(app)
    r = client.get("/t/store")
    assert r.status_code == 503
    assert "temporarily unavailable" in r.text and "migration" not in r.text


def test_api_errors_are_json(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["status"] == 404 and error["message"] == "Not Found"
    assert "<html" not in r.text


def test_post_without_token_is_403_and_with_token_passes(app: FastAPI, client: TestClient) -> None:
    _add_test_routes(app)
    assert client.post("/t/form", data={"name": "x"}).status_code == 403  # no cookie, no token
    form = client.get("/t/form")
    token = csrf_token(form.text)
    assert COOKIE_HTTP in form.cookies and form.headers["cache-control"] == "no-store"
    r = client.post("/t/form", data={"name": "x"})
    assert r.status_code == 403 and "security token" in r.text
    assert client.post("/t/form", data={"name": "x", "csrf_token": token + "x"}).status_code == 403
    r = client.post("/t/form", data={"name": "x", "csrf_token": token})
    assert r.status_code == 200 and r.text == "got x"
    # multipart forms and the header work too
    r = client.post("/t/form", data={"name": "y", "csrf_token": token}, files={"f": ("a.txt", b"1")})
    assert r.text == "got y"
    assert client.post("/t/form", data={"name": "z"}, headers={"X-CSRF-Token": token}).text == "got z"


def test_a_forged_cookie_is_rejected(app: FastAPI, client: TestClient) -> None:
    _add_test_routes(app)
    client.cookies.set(COOKIE_HTTP, "abc.def")
    assert client.post("/t/form", data={"csrf_token": "abc"}).status_code == 403


def test_rotate_gives_a_new_token_and_the_old_one_stops_working(app: FastAPI, client: TestClient) -> None:
    _add_test_routes(app)
    old = csrf_token(client.get("/t/form").text)
    r = client.post("/t/login", data={"csrf_token": old})
    assert r.status_code == 200
    assert client.post("/t/form", data={"csrf_token": old}).status_code == 403
    new = csrf_token(client.get("/t/form").text)
    assert new != old
    assert client.post("/t/form", data={"name": "n", "csrf_token": new}).text == "got n"


def test_pages_without_forms_set_no_cookie(client: TestClient) -> None:
    r = client.get("/about")
    assert r.status_code == 200 and "set-cookie" not in r.headers


def test_health_reports_database_scheduler_and_last_ingest(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    off = {"enabled": False, "running": False, "next_slot": None, "last_run": None, "last_result": None}
    assert r.json() == {"database": "ok", "scheduler": off, "last_ingest": None}  # web_settings: off


def test_health_is_503_when_the_database_is_not_migrated(web_settings, fresh_db) -> None:  # type: ignore[no-untyped-def]
    from eurasiawatch.web.app import create_app

    fresh_db.downgrade("base")
    with TestClient(create_app(web_settings, database=fresh_db)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "error"


def test_about_page_shows_the_bio_from_settings(web_settings, fresh_db) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from eurasiawatch.web.app import create_app

    settings = dataclasses.replace(web_settings, compose_bio="Written by <b>Ana</b> in Almaty.\n\nSecond.")
    with TestClient(create_app(settings, database=fresh_db)) as c:
        r = c.get("/about")
    doc = page(r.text)
    texts = [p.text_content() for p in doc.xpath("//main//p")]
    assert "Written by <b>Ana</b> in Almaty." in texts and "Second." in texts


def test_over_https_the_cookie_is_host_prefixed_and_secure(app: FastAPI) -> None:
    _add_test_routes(app)
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/t/form")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-ew_csrf=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "Path=/" in cookie and "SameSite=Lax" in cookie and "Domain" not in cookie
        assert r.headers["strict-transport-security"].startswith("max-age=")
        token = csrf_token(r.text)
        assert c.post("/t/form", data={"name": "s", "csrf_token": token}).text == "got s"
