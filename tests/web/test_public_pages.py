"""Every public page: 200, ``lang``, the skip link first, landmarks, labelled fields, no inline script
or style, and the CSP header."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eurasiawatch.render import web_path
from eurasiawatch.render.sample import sample_edition
from eurasiawatch.store import Database
from eurasiawatch.store import editions as store
from eurasiawatch.web.security import CONTENT_SECURITY_POLICY

from .conftest import NOW, page

PUBLIC = [
    "/",
    "/editions/",
    "/about",
    "/subscribe",
    "/confirm?token=x",
    "/preferences/" + "a" * 26,
    "/unsubscribe/" + "a" * 26,
    "/no-such-page",
]


@pytest.fixture
def published(fresh_db: Database) -> str:
    edition = sample_edition()
    with fresh_db.begin() as conn:
        store.save_edition(conn, edition, now=NOW)
        store.set_edition_status(conn, edition.edition_id, "approved", now=NOW, slot=NOW, approved_by="ed")
    return "/" + web_path(edition).removesuffix("index.html")


def test_every_public_page_has_the_accessible_frame_and_no_inline_code(
    client: TestClient, published: str
) -> None:
    for path in [*PUBLIC, published]:
        r = client.get(path)
        assert r.status_code == (404 if path == "/no-such-page" else 200), path
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        doc = page(r.text)
        assert doc.xpath("/html/@lang") and doc.xpath("/html/@lang")[0], path
        first = doc.xpath("//body//*[self::a or self::button or self::input or self::textarea][1]")[0]
        assert first.text_content() == "Skip to main content" and first.get("href") == "#main", path
        assert doc.xpath("//main[@id='main']") and doc.xpath("//header") and doc.xpath("//footer"), path
        assert doc.xpath("//nav"), path
        assert len(doc.xpath("//h1")) == 1, path
        for script in doc.xpath("//script"):
            assert script.get("src", "").startswith("/static/") and not (script.text or "").strip(), path
        assert doc.xpath("//style | //*[@style]") == [], path
        assert not [a for el in doc.iter() for a in el.attrib if a.lower().startswith("on")], path
        for field in doc.xpath("//input[not(@type='hidden')] | //textarea | //select"):
            assert doc.xpath(f"//label[@for='{field.get('id')}']"), (path, field.get("name"))
