"""The edition editor: list, the New draft form, blocks with citations, edit a block, re-draft,
previews, test send, approve."""

from __future__ import annotations

import dataclasses
import email
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch import editing
from eurasiawatch.clock import Clock
from eurasiawatch.compose.gather import draft_stored
from eurasiawatch.config import Settings
from eurasiawatch.deliver.ledger import Ledger
from eurasiawatch.records import Edition
from eurasiawatch.render.sample import sample_edition
from eurasiawatch.store import Database
from eurasiawatch.store import desk as desk_store
from eurasiawatch.store import editions as store
from eurasiawatch.web.app import create_app
from tests.deliver.smtp_loopback import SmtpSink, smtp_server

from .conftest import NOW, csrf_token, page
from .desk_seed import HOSTILE, corpus, sign_in
from .desk_seed import store as store_article

EDITOR = "desk@example.org"


@pytest.fixture
def mailbox() -> Iterator[tuple[SmtpSink, int]]:
    """A loopback SMTP server: (sink, port)."""
    with smtp_server() as found:
        yield found


@pytest.fixture
def sink(mailbox: tuple[SmtpSink, int]) -> SmtpSink:
    return mailbox[0]


@pytest.fixture
def web_settings(web_settings: Settings, mailbox: tuple[SmtpSink, int]) -> Settings:
    return dataclasses.replace(
        web_settings,
        desk_argon2_memory_kib=1024,
        desk_argon2_time_cost=1,
        deliver_relays=f"smtp://127.0.0.1:{mailbox[1]}?timeout=5",
        deliver_editors=EDITOR,
    )


@pytest.fixture
def sample(fresh_db: Database) -> Edition:
    edition = sample_edition()
    with fresh_db.begin() as conn:
        store.save_edition(conn, edition, now=NOW)
    return edition


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database, sample: Edition) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def _audit(db: Database, edition_id: str) -> list[tuple[str, str, str]]:
    with db.begin() as conn:
        rows = desk_store.audit_for_targets(conn, [f"edition:{edition_id}"])
    return [(r["action"], r["username"], r["detail"]) for r in rows]


def test_editor_pages_need_sign_in(client: TestClient, sample: Edition) -> None:
    for path in ("/desk/editions", f"/desk/editions/{sample.edition_id}",
                 f"/desk/editions/{sample.edition_id}/preview/email"):  # fmt: skip
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and "/desk/sign-in" in r.headers["location"], path


def test_list_and_blocks_with_citations(desk: TestClient, sample: Edition) -> None:
    r = desk.get("/desk/editions")
    assert r.status_code == 200
    link = page(r.text).xpath("//tbody//a")[0]
    assert link.get("href") == f"/desk/editions/{sample.edition_id}"
    r = desk.get(link.get("href"))
    assert r.status_code == 200, r.text
    doc = page(r.text)
    blocks = doc.xpath("//article[@class='block']")
    assert len(blocks) == len(sample.blocks)
    cited = next(b for b in sample.blocks if b.citations)
    node = doc.xpath(f"//article[@id='block-{cited.block_id}']")[0]
    hrefs = node.xpath(".//ol[@class='cites']/li/a[1]/@href")
    assert hrefs == [f"/desk/articles/{c.article_id}" for c in cited.citations]
    assert "Flagged: verbatim" in doc.xpath("//article[@id='block-lead-perspective']")[0].text_content()


def test_edit_a_block_validates_like_edition_edit(
    desk: TestClient, fresh_db: Database, sample: Edition
) -> None:
    block = next(b for b in sample.blocks if b.section == "lead" and len(b.citations) >= 1)
    url = f"/desk/editions/{sample.edition_id}/blocks/{block.block_id}"
    form = desk.get(url)
    text = page(form.text).xpath("//textarea[@name='text']")[0].text_content()
    assert block.text[:40] in text
    token = csrf_token(form.text)
    # a marker with no source behind it is refused, and the text comes back
    bad = desk.post(url, data={"text": text + " Made up [99].", "csrf_token": token})
    assert bad.status_code == 400
    assert "marker [99] has no source" in page(bad.text).xpath("//div[@role='alert']")[0].text_content()
    assert "Made up [99]." in page(bad.text).xpath("//textarea")[0].text_content()
    # without the CSRF token: refused
    assert desk.post(url, data={"text": "x"}, follow_redirects=False).status_code == 403
    new = text.replace("\n", "\r\n") + "\r\n\r\nA new closing line from the desk [1]."
    r = desk.post(url, data={"text": new, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with fresh_db.begin() as conn:
        stored = store.load_edition(conn, sample.edition_id)
        history = store.block_history(conn, sample.edition_id, block.block_id)
    assert stored is not None
    saved = next(b for b in stored.blocks if b.block_id == block.block_id)
    assert saved.edited and saved.text.endswith("A new closing line from the desk [1].")
    assert "\r" not in saved.text
    assert [h["author"] for h in history][-1] == "editor1"
    again = desk.get(url)
    assert len(page(again.text).xpath("//section[@id='history-section']//li")) == len(history) == 2
    assert _audit(fresh_db, sample.edition_id)[0][:2] == ("edition.edit", "editor1")


def test_hostile_block_text_is_escaped(desk: TestClient, fresh_db: Database, sample: Edition) -> None:
    block = next(b for b in sample.blocks if b.section == "lead")
    url = f"/desk/editions/{sample.edition_id}/blocks/{block.block_id}"
    token = csrf_token(desk.get(url).text)
    desk.post(url, data={"text": f"Hostile {HOSTILE}", "csrf_token": token})
    for path in (
        f"/desk/editions/{sample.edition_id}",
        url,
        f"/desk/editions/{sample.edition_id}/preview/web/",
    ):
        r = desk.get(path)
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
        assert not page(r.text).xpath("//*[@onerror]"), path
        assert not page(r.text).xpath("//main//script"), path


def test_previews(desk: TestClient, sample: Edition) -> None:
    r = desk.get(f"/desk/editions/{sample.edition_id}/preview/email")
    assert r.status_code == 200
    assert r.headers["content-security-policy"].startswith("sandbox;")
    assert "script-src" not in r.headers["content-security-policy"]
    assert sample.headline.split()[0] in r.text
    assert "cid:" not in r.text and 'src="data:image/png;base64,' in r.text  # the chart shows
    text = desk.get(f"/desk/editions/{sample.edition_id}/preview/text")
    assert text.headers["content-type"].startswith("text/plain") and sample.headline.split()[0] in text.text
    web = desk.get(f"/desk/editions/{sample.edition_id}/preview/web/")
    assert web.status_code == 200 and "script-src 'self'" in web.headers["content-security-policy"]
    doc = page(web.text)
    assert doc.xpath("//main//article")
    for src in doc.xpath("//main//img/@src"):
        chart = desk.get(f"/desk/editions/{sample.edition_id}/preview/web/{src}")
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"


def test_test_send_goes_to_the_editors_through_smtp(
    desk: TestClient, fresh_db: Database, sample: Edition, sink: SmtpSink
) -> None:
    url = f"/desk/editions/{sample.edition_id}"
    token = csrf_token(desk.get(url).text)
    r = desk.post(f"{url}/test-send", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    got = sink.to(EDITOR)
    assert len(got) == 1
    message = email.message_from_bytes(got[0].data)
    assert message["Subject"].startswith("[TEST]")
    assert ("edition.test_send", "editor1", "1 copies") in _audit(fresh_db, sample.edition_id)


def test_test_send_without_editors_says_so(
    app: FastAPI, web_settings: Settings, fresh_db: Database, sample: Edition
) -> None:
    settings = dataclasses.replace(web_settings, deliver_editors="")
    with TestClient(create_app(settings, database=fresh_db, clock=Clock(NOW))) as client:
        sign_in(client, settings, fresh_db)
        url = f"/desk/editions/{sample.edition_id}"
        token = csrf_token(client.get(url).text)
        r = client.post(f"{url}/test-send", data={"csrf_token": token})
    assert r.status_code == 503 and "set deliver.editors" in r.text


def test_approve_for_a_slot(
    desk: TestClient, fresh_db: Database, sample: Edition, web_settings: Settings
) -> None:
    url = f"/desk/editions/{sample.edition_id}"
    form = desk.get(url)
    options = page(form.text).xpath("//select[@name='slot']/option/@value")
    assert len(options) == 6
    token = csrf_token(form.text)
    assert (
        desk.post(
            f"{url}/approve", data={"slot": "2030-01-01T09:00:00+00:00", "csrf_token": token}
        ).status_code
        == 400
    )
    r = desk.post(f"{url}/approve", data={"slot": options[1], "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with fresh_db.begin() as conn:
        stored = store.load_edition(conn, sample.edition_id)
        row = next(e for e in store.list_editions(conn) if e["edition_id"] == sample.edition_id)
    assert stored is not None and stored.status == "approved"
    assert row["approved_by"] == "editor1" if "approved_by" in row else True
    ledger = Ledger(fresh_db, Clock(NOW)).edition(sample.edition_id)
    assert ledger is not None and ledger.rendered.subject
    assert any(a[0] == "edition.approve" for a in _audit(fresh_db, sample.edition_id))


def test_approve_refused_while_a_block_is_uncited(
    desk: TestClient, fresh_db: Database, sample: Edition
) -> None:
    flagged = dataclasses.replace(
        sample,
        blocks=tuple(
            dataclasses.replace(b, flags=("uncited",)) if b.section == "lead" else b for b in sample.blocks
        ),
    )
    with fresh_db.begin() as conn:
        store.save_edition(conn, flagged, now=NOW)
    url = f"/desk/editions/{sample.edition_id}"
    form = desk.get(url)
    slot = page(form.text).xpath("//select[@name='slot']/option/@value")[0]
    r = desk.post(f"{url}/approve", data={"slot": slot, "csrf_token": csrf_token(form.text)})
    assert r.status_code == 400 and "flagged empty or uncited" in r.text


def test_redraft_keeps_edited_blocks(desk: TestClient, fresh_db: Database, web_settings: Settings) -> None:
    corpus(fresh_db)
    end = NOW.date()
    edition, _ = draft_stored(
        fresh_db,
        web_settings,
        Clock(NOW),
        start=end - timedelta(days=13),
        end=end,
        send_date=date(2024, 7, 17),
    )
    url = f"/desk/editions/{edition.edition_id}"
    block = next(b for b in edition.blocks if b.section == "top" and b.kind == "intro")
    form = desk.get(f"{url}/blocks/{block.block_id}")
    token = csrf_token(form.text)
    r = desk.post(f"{url}/blocks/{block.block_id}", data={"text": "Kept by the desk.", "csrf_token": token})
    assert r.status_code == 200, r.text
    r = desk.post(f"{url}/redraft", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with fresh_db.begin() as conn:
        stored = store.load_edition(conn, edition.edition_id)
    assert stored is not None
    assert next(b for b in stored.blocks if b.block_id == block.block_id).text == "Kept by the desk."
    assert any(a[0] == "edition.redraft" for a in _audit(fresh_db, edition.edition_id))


# -- the "New draft" form --------------------------------------------------------------------------


def _new_form(desk: TestClient) -> tuple[dict[str, str], str]:
    """The New draft form's fields as the page fills them, and the CSRF token."""
    r = desk.get("/desk/editions")
    assert r.status_code == 200
    doc = page(r.text)
    form = doc.xpath("//form[@action='/desk/editions/new']")[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type!='hidden']")}
    for control in form.xpath(".//input[@type!='hidden'] | .//button"):
        if control.tag == "input":
            assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("name")
    return fields, csrf_token(r.text)


def _slot_editions(db: Database, day: date) -> list[str]:
    with db.begin() as conn:
        return [r["edition_id"] for r in store.list_editions(conn) if r["send_date"] == day]


def test_new_draft_form_defaults_to_what_edition_draft_takes(
    desk: TestClient, web_settings: Settings
) -> None:
    fields, _ = _new_form(desk)
    slot = editing.next_send_date(web_settings, Clock(NOW))
    assert fields == {
        "start": (NOW.date() - timedelta(days=13)).isoformat(),
        "end": NOW.date().isoformat(),
        "send_date": slot.isoformat(),
        "language": "en",
    }
    text = page(desk.get("/desk/editions").text).xpath("//section[@aria-labelledby='new-h']")[0]
    assert "several seconds" in text.text_content()


def test_new_draft_from_the_form_opens_it_and_lists_it(
    desk: TestClient, fresh_db: Database, web_settings: Settings
) -> None:
    corpus(fresh_db)
    fields, token = _new_form(desk)
    r = desk.post("/desk/editions/new", data={**fields, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    edition_id = f"ed-{fields['send_date']}"
    assert r.headers["location"] == f"/desk/editions/{edition_id}?done=created"
    opened = desk.get(r.headers["location"])
    doc = page(opened.text)
    assert "Drafted." in doc.xpath("//p[@role='status']")[0].text_content()
    with fresh_db.begin() as conn:
        stored = store.load_edition(conn, edition_id)
    assert stored is not None and stored.status == "draft"
    assert stored.window_start.isoformat() == fields["start"] and stored.window_end == NOW.date()
    # its blocks are on its page, the lead citing the corpus's Kazakh rail story
    assert len(doc.xpath("//article[@class='block']")) == len(stored.blocks) > 5
    lead = doc.xpath("//article[@id='block-lead']")[0]
    assert lead.xpath(".//ol[@class='cites']/li/a[starts-with(@href, '/desk/articles/a')]")
    # and in the list
    listed = page(desk.get("/desk/editions").text).xpath("//tbody//a/@href")
    assert f"/desk/editions/{edition_id}" in listed
    assert ("edition.create", "editor1") in [a[:2] for a in _audit(fresh_db, edition_id)]


def test_new_draft_with_no_story_yet_says_so(desk: TestClient, fresh_db: Database) -> None:
    # articles, but not clustered into stories: the draft is the empty skeleton, and the desk says why
    store_article(fresh_db, "b1", NOW - timedelta(days=1), "Kazakh officials visit Urumqi", countries=("KZ",))
    fields, token = _new_form(desk)
    r = desk.post("/desk/editions/new", data={**fields, "csrf_token": token})
    assert r.status_code == 200, r.text
    assert "empty skeleton" in page(r.text).xpath("//p[@role='status']")[0].text_content()


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"start": ""}, 400, "Give the window's first day."),
        ({"end": "12/07/2024"}, 400, "is not a date (YYYY-MM-DD)"),
        ({"start": "2024-07-12", "end": "2024-07-01"}, 400, "ends on 2024-07-01 before it starts"),
        ({"start": "2020-01-01", "end": "2020-01-14"}, 400, "no article was published between"),
        ({"language": "english"}, 400, "is not a two-letter code"),
        ({"send_date": "2024-07-10"}, 409, "the slot of 2024-07-10 already has an edition"),
    ],
)
def test_new_draft_mistakes_bring_the_form_back(
    desk: TestClient,
    fresh_db: Database,
    sample: Edition,
    change: dict[str, str],
    status: int,
    message: str,
) -> None:
    corpus(fresh_db)
    fields, token = _new_form(desk)
    with fresh_db.begin() as conn:
        before = store.list_editions(conn)
    r = desk.post("/desk/editions/new", data={**fields, **change, "csrf_token": token})
    assert r.status_code == status, r.text
    doc = page(r.text)
    alert = doc.xpath("//section[@aria-labelledby='new-h']//div[@role='alert']")[0]
    assert message in alert.text_content()
    for name, value in {**fields, **change}.items():  # the form keeps what was typed
        assert doc.xpath(f"//form[@action='/desk/editions/new']//input[@name='{name}']/@value") == [value]
    if status == 409:  # the slot's edition is a link away
        assert alert.xpath(".//a/@href") == [f"/desk/editions/{sample.edition_id}"]
    with fresh_db.begin() as conn:
        assert store.list_editions(conn) == before


def test_new_draft_needs_the_csrf_token(desk: TestClient, fresh_db: Database) -> None:
    corpus(fresh_db)
    fields, _ = _new_form(desk)
    assert desk.post("/desk/editions/new", data=fields, follow_redirects=False).status_code == 403
    assert _slot_editions(fresh_db, date.fromisoformat(fields["send_date"])) == []


def test_a_double_submit_drafts_the_slot_once(
    desk: TestClient, fresh_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(fresh_db)
    fields, token = _new_form(desk)
    # composing is slow on a big archive: make it slow here so the two requests surely overlap
    real = editing.draft_stored

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(editing, "draft_stored", slow)
    barrier = threading.Barrier(2)

    def submit() -> tuple[int, str]:
        barrier.wait()
        r = desk.post("/desk/editions/new", data={**fields, "csrf_token": token}, follow_redirects=False)
        return r.status_code, r.text

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(f.result() for f in [pool.submit(submit), pool.submit(submit)])
    assert [a[0] for a in answers] == [303, 409], answers
    edition_id = f"ed-{fields['send_date']}"
    assert f'href="/desk/editions/{edition_id}"' in answers[1][1]
    assert _slot_editions(fresh_db, date.fromisoformat(fields["send_date"])) == [edition_id]
    assert [a[0] for a in _audit(fresh_db, edition_id)].count("edition.create") == 1
    with fresh_db.begin() as conn:
        assert len(store.block_history(conn, edition_id, "lead")) == 1  # drafted once, not twice


def test_a_draft_in_russian_stays_russian_when_re_drafted(desk: TestClient, fresh_db: Database) -> None:
    corpus(fresh_db)
    fields, token = _new_form(desk)
    r = desk.post(
        "/desk/editions/new", data={**fields, "language": "RU", "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    edition_id = f"ed-{fields['send_date']}"
    r = desk.post(f"/desk/editions/{edition_id}/redraft", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with fresh_db.begin() as conn:
        stored = store.load_edition(conn, edition_id)
    assert stored is not None and stored.language == "ru"
