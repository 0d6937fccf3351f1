"""End to end in Chromium: readers, editors and hostile feed items against a live server.

One server for the module: uvicorn on a free loopback port (a thread) over a migrated SQLite
database filled by the demo's real ingest path (the sample corpus served from loopback, fetched,
extracted, annotated, indexed and clustered), plus one extra feed whose item carries script
payloads in its title and text. Mail goes to a loopback SMTP server (aiosmtpd). The app's clock is
fixed the day after the corpus ends, so TOTP codes are computed for that moment.

The browser is ``driver.mjs`` (playwright-core driving ``/usr/bin/chromium``) with the pages' CSP
left on. Screenshots go to ``<data dir>/screenshots/e2e-*.png`` of the configured data dir
(``./ew-data`` unless ``EURASIAWATCH_DATA_DIR`` says otherwise). Locally the tests skip when Chromium
or ``node_modules`` are missing; under ``CI=true`` they fail.
"""

from __future__ import annotations

import dataclasses
import email
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import policy as email_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from eurasiawatch import accounts
from eurasiawatch.analyze.search import search_index_pending
from eurasiawatch.analyzing import cluster_stored
from eurasiawatch.annotating import annotate_stored
from eurasiawatch.clock import Clock
from eurasiawatch.compose.gather import draft_stored
from eurasiawatch.config import Settings, load_settings
from eurasiawatch.credentials import totp_code
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.deliver.ledger import Ledger
from eurasiawatch.deliver.options import SendOptions
from eurasiawatch.deliver.sender import approve_edition, send_edition
from eurasiawatch.deliver.smtp import SmtpMailer
from eurasiawatch.demo import run_demo, serve_site
from eurasiawatch.demo.run import demo_settings
from eurasiawatch.demo.site import Resource
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Source
from eurasiawatch.render import RenderOptions, render_edition
from eurasiawatch.sending import subscriber_side
from eurasiawatch.store import Database, open_database, queries, tables
from eurasiawatch.store import subscribers as subscriber_store
from eurasiawatch.watching import add_watchlist, read_watchlist
from eurasiawatch.web.app import create_app
from tests.deliver.smtp_loopback import SmtpSink, free_port, smtp_server

from .remote import Chromium
from .test_browser import node_tools  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

NOW = datetime(2024, 7, 10, 8, 0, tzinfo=UTC)  # the morning after the corpus's last day
PASSWORD = "a long passphrase for the desk"
READER = "reader@example.org"
EDITORS = "desk-editors@example.org"
XSS_TITLE = (
    "China and Kazakhstan sign a rail deal <script>alert('xss-title')</script>"
    " <img src=x onerror=alert('xss-img')>"
)
XSS_PARAGRAPHS = (
    "Chinese and Kazakh officials signed an agreement on a new railway line to the Chinese border "
    "at Khorgos, Kazakhstan's transport ministry said on Monday. <script>window.__xss = 1</script>",
    "The Chinese state company will finance the line. \"><svg onload=alert('xss-svg')></svg> "
    "<a href=\"javascript:alert('xss-link')\">more</a>",
    "Officials in Astana said the Chinese loan would be repaid over twenty years "
    "<iframe src=\"javascript:alert('xss-frame')\"></iframe>.",
)


# --------------------------------------------------------------------------------------------------
# the world: data, mail, server


@dataclasses.dataclass
class World:
    base: str
    settings: Settings
    db: Database
    sink: SmtpSink
    smtp_port: int
    users: dict[str, str]  # name -> TOTP key

    def sign_in(self, browser: Chromium, name: str, *, at: datetime = NOW) -> dict[str, Any]:
        """Sign in through the pages: name and password, then the TOTP code computed here."""
        browser("goto", url=self.base + "/desk/")  # an anonymous visit is sent to the sign-in page
        assert urlsplit(browser("url")).path == "/desk/sign-in"
        browser("fill", label="Name", value=name)
        browser("fill", label="Password", value=PASSWORD)
        browser("click", role="button", name="Continue", waitUrl=r"^/desk/sign-in/code")
        browser(
            "fill", label="Six-digit code from your authenticator app", value=totp_code(self.users[name], at)
        )
        result: dict[str, Any] = browser("click", role="button", name="Sign in", waitUrl=r"^/desk/$")
        return result


def _xss_site(base_url: str) -> dict[str, Resource]:
    published = datetime(2024, 7, 8, 9, 30, tzinfo=UTC)
    link = f"{base_url}/hostile/en/2024/07/08/rail-deal.html"
    body = "".join(f"<p>{escape(p)}</p>" for p in XSS_PARAGRAPHS)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(XSS_TITLE)}</title></head><body><article><h1>{escape(XSS_TITLE)}</h1>"
        '<p class="byline">By <span class="author">Test &lt;b&gt;Author&lt;/b&gt;</span></p>'
        f'<time datetime="{published.isoformat()}">8 July 2024</time>{body}</article></body></html>'
    )
    rss = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Hostile outlet &lt;script&gt;alert(1)&lt;/script&gt;</title><link>{base_url}/hostile/</link>"
        "<description>A feed written for the XSS test.</description><language>en</language>"
        f"<item><title>{escape(XSS_TITLE)}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{escape(XSS_PARAGRAPHS[0])}</description>"
        f"<pubDate>{format_datetime(published)}</pubDate></item></channel></rss>\n"
    )
    return {
        "/robots.txt": Resource("text/plain", b"User-agent: *\nAllow: /\n", published),
        "/hostile/en/2024/07/08/rail-deal.html": Resource(
            "text/html; charset=utf-8", page.encode(), published
        ),
        "/hostile/rss.xml": Resource("application/rss+xml; charset=utf-8", rss.encode(), published),
    }


def _ingest_hostile_feed(db: Database, settings: Settings, clock: Clock) -> None:
    site: dict[str, Resource] = {}
    with serve_site(site) as base_url:
        site.update(_xss_site(base_url))
        source = Source(
            name="hostile/en",
            url=base_url + "/hostile/rss.xml",
            kind="feed",
            language="en",
            outlet="Hostile <b>Outlet</b>",
            allow_private=True,
        )
        with db.begin() as conn:
            queries.upsert_source(conn, source, now=clock.now())
        report = ingest(db, settings, clock, sources=[source])
    assert report.exit_code == 0, report.failures
    annotate_stored(db, settings, clock)
    with db.begin() as conn:
        search_index_pending(conn, now=clock.now())
    cluster_stored(db, settings, clock)


def _seeded_database(settings: Settings) -> Database:
    """The demo's database plus the hostile feed; ``EW_E2E_SEED=<dir>`` reuses a copy (development)."""
    cache = os.environ.get("EW_E2E_SEED")
    target = Path(settings.data_dir)
    if cache and (Path(cache) / "eurasiawatch.db").exists():
        shutil.copytree(cache, target, dirs_exist_ok=True)
        db = open_database(settings)
        db.ensure_current()
        return db
    # the sample corpus through fetch, extract, annotate, index and cluster (run_demo takes the
    # settings it was given and works under <data_dir>/demo)
    result = run_demo(dataclasses.replace(settings, data_dir=str(target.parent)))
    assert result.report.exit_code == 0 and Path(result.data_dir) == target
    _ingest_hostile_feed(result.database, settings, Clock(result.as_of))
    if cache:
        shutil.copytree(target, cache, dirs_exist_ok=True)
    return result.database


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, node_tools: Path) -> Iterator[World]:  # noqa: F811
    data = tmp_path_factory.mktemp("e2e")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with smtp_server() as (sink, smtp_port):
        settings = dataclasses.replace(
            Settings(data_dir=str(data)),
            web_secret_key="e2e-secret-" + "k" * 40,
            deliver_scheduler=False,
            deliver_pow_difficulty=12,  # the real proof-of-work in pow.js, a little easier
            deliver_relays=f"smtp://127.0.0.1:{smtp_port}",
            deliver_unsubscribe_url=base + "/unsubscribe/{token}",
            deliver_retry_base=0.1,
            deliver_editors=EDITORS,
            desk_argon2_memory_kib=1024,
            desk_argon2_time_cost=1,
        )
        settings = demo_settings(settings)  # what run_demo uses: SQLite under <data>/demo
        db = _seeded_database(settings)
        crypto = Crypto.from_settings(settings, create=True)
        policy = accounts.AccountPolicy.from_settings(settings)
        users = {}
        for name, role in (("alice", "admin"), ("bob", "editor"), ("carol", "editor")):
            with db.begin() as conn:
                users[name] = accounts.add_user(
                    conn, crypto, policy, name, PASSWORD, role=role, now=NOW
                ).secret
        app = create_app(settings, database=db, clock=Clock(NOW))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        try:
            yield World(base, settings, db, sink, smtp_port, users)
        finally:
            server.should_exit = True
            thread.join(15)
            db.dispose()


@pytest.fixture(scope="module")
def desk(world: World, node_tools: Path) -> Iterator[Chromium]:  # noqa: F811
    """A browser signed in to the desk as alice (admin)."""
    with Chromium(node_tools) as browser:
        world.sign_in(browser, "alice")
        yield browser


@pytest.fixture
def reader(node_tools: Path) -> Iterator[Chromium]:  # noqa: F811
    """A fresh browser with no cookies."""
    with Chromium(node_tools) as browser:
        yield browser


def _screenshots() -> Path:
    folder = (load_settings().data_path / "screenshots").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(browser: Chromium, name: str) -> None:
    for scheme in ("light", "dark"):
        out = _screenshots() / f"e2e-{name}-{scheme}.png"
        browser("shot", path=str(out), scheme=scheme, width=1200)
        assert out.read_bytes().startswith(b"\x89PNG")


def _wait_for_mail(
    sink: SmtpSink, address: str, count: int, timeout: float = 30.0
) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = sink.to(address)
        if len(got) >= count:
            return [email.message_from_bytes(r.data, policy=email_policy.default) for r in got]  # type: ignore[misc]
        time.sleep(0.1)
    raise AssertionError(
        f"{count} mail(s) for {address} did not arrive in {timeout} s (got {len(sink.to(address))})"
    )


def _status(world: World, address: str) -> str | None:
    crypto = Crypto.from_settings(world.settings)
    with world.db.begin() as conn:
        row = subscriber_store.find_by_index(conn, crypto.index(address))
    return None if row is None else str(row["status"])


def _quiet(browser: Chromium) -> None:
    """Nothing bad happened in the browser since the last look."""
    events = browser("events")
    assert events["dialogs"] == [] and events["csp"] == [] and events["pageErrors"] == [], events
    assert events["blocked"] == [] and events["consoleErrors"] == [], events


# --------------------------------------------------------------------------------------------------
# readers


def test_reader_subscribes_confirms_gets_an_edition_and_leaves_with_one_click(
    world: World, reader: Chromium
) -> None:
    # subscribe: pow.js solves the proof-of-work in the page, then the form is sent
    reader("goto", url=world.base + "/subscribe")
    reader("fill", label="Email address", value=READER)
    reader("click", role="button", name="Subscribe", waitFor='main h1:has-text("Check your inbox")')
    assert "a confirmation link is on its way" in reader("text", selector="main")
    assert _status(world, READER) == "pending"

    # the confirmation mail arrives at the loopback SMTP server; its link opens a page with a button
    (mail,) = _wait_for_mail(world.sink, READER, 1)
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(re.escape(world.base) + r"/confirm\?token=\S+", body)
    assert match, body
    reader("goto", url=match.group(0))
    assert _status(world, READER) == "pending"  # opening the link confirms nothing
    reader(
        "click",
        role="button",
        name="Confirm my subscription",
        waitFor='main h1:has-text("You are subscribed")',
    )
    assert _status(world, READER) == "active"
    _quiet(reader)

    # an edition goes out through the library's send path
    end = NOW.date() - timedelta(days=1)
    edition, _ = draft_stored(
        world.db, world.settings, Clock(NOW), start=end - timedelta(days=13), end=end, send_date=NOW.date()
    )
    approve_edition(
        world.db,
        render_edition(edition, options=RenderOptions()),
        slot=NOW,
        approved_by="alice",
        clock=Clock(NOW),
    )
    options = SendOptions.from_settings(world.settings)
    report = send_edition(
        world.db,
        edition.edition_id,
        mailer=SmtpMailer(options.relays),
        options=options,
        clock=Clock(NOW),
        **subscriber_side(world.settings),
    )
    assert report.status.counts["sent"] == 1, report.status.counts
    _, issue = _wait_for_mail(world.sink, READER, 2)
    assert issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https = re.search(r"<(http[^>]+)>", issue["List-Unsubscribe"])
    assert https and https.group(1).startswith(world.base + "/unsubscribe/"), issue["List-Unsubscribe"]

    # the mail client's RFC 8058 one-click POST: no cookie, no CSRF token, just the form body
    answer = httpx.post(
        https.group(1),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert _status(world, READER) == "unsubscribed"
    # and the reader who opens the link later sees a page, not an error
    reader("goto", url=https.group(1))
    assert reader("text", selector="main h1") == "Unsubscribe"
    _quiet(reader)


# --------------------------------------------------------------------------------------------------
# the desk


def test_sign_in_with_password_and_totp_then_sign_out(world: World, reader: Chromium) -> None:
    landed = world.sign_in(reader, "carol")
    assert urlsplit(landed["url"]).path == "/desk/"
    assert reader("text", selector="button:has-text('Sign out')") == "Sign out carol"
    reader("click", role="button", name="Sign out carol", waitUrl=r"^/desk/sign-in$")
    reader("goto", url=world.base + "/desk/")
    assert urlsplit(reader("url")).path == "/desk/sign-in"  # signed out: the desk asks again
    _quiet(reader)


def test_dashboard_draws_the_map_and_the_charts(world: World, desk: Chromium) -> None:
    desk("goto", url=world.base + "/desk/?window=14d")
    assert desk("text", selector="main h1")
    # the choropleth: an SVG with one shape per country, the covered countries named in titles
    shapes = desk("count", selector="#map svg path[data-code]")
    assert shapes >= 20, shapes
    names = " ".join(desk("texts", selector="#map svg title"))
    assert "Kazakhstan" in names and "Serbia" in names
    # the engagement charts (sparklines) are SVGs too, with something drawn
    assert desk("count", selector="#engagement table svg.sparkline") >= 3
    drawn = (
        "[...document.querySelectorAll('#engagement svg.sparkline')]"
        ".filter(s => s.getBBox().width > 0).length"
    )
    assert desk("eval", expression=drawn) >= 3
    _shoot(desk, "dashboard")
    _quiet(desk)


def test_search_with_a_filter_narrows_the_hits(world: World, desk: Chromium) -> None:
    desk("goto", url=world.base + "/desk/search")
    desk("fill", label="Words", value="China")
    desk("click", role="button", name="Search", waitFor="#hits-h")
    everything = _count(desk("text", selector="#hits-h"))
    desk("fill", label="Country (ISO code)", value="KZ")
    desk("click", role="button", name="Search", waitFor="#hits-h")
    in_kazakhstan = _count(desk("text", selector="#hits-h"))
    assert 0 < in_kazakhstan < everything, (in_kazakhstan, everything)
    assert "KZ" in desk("text", selector="ul.chips")
    # every hit on the page is an article the annotator tied to Kazakhstan
    ids = [h.rsplit("/", 1)[1] for h in desk("eval", expression=_HREFS.format("ol.results h3 a"))]
    assert ids
    with world.db.begin() as conn:
        countries = dict(
            conn.execute(
                select(tables.annotations.c.article_id, tables.annotations.c.countries).where(
                    tables.annotations.c.article_id.in_(ids)
                )
            ).all()
        )
    assert all("KZ" in countries[i] for i in ids), countries
    # a facet link narrows further
    theme_links = desk("eval", expression=_HREFS.format("aside.facets a[href*='theme=']"))
    assert theme_links
    desk("goto", url=world.base + theme_links[0])
    assert 0 < _count(desk("text", selector="#hits-h")) <= in_kazakhstan
    assert len(desk("texts", selector="ul.chips li")) == 2
    _shoot(desk, "search")
    _quiet(desk)


_HREFS = "[...document.querySelectorAll(\"{}\")].map(a => a.getAttribute('href'))"


def _count(heading: str) -> int:
    match = re.match(r"([\d,]+) articles? match", heading)
    assert match, heading
    return int(match.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def places(world: World) -> dict[str, str]:
    """Paths of the desk's explore pages for data the demo stored: a country, an actor, stories."""
    m, sa = tables.mentions, tables.story_articles
    with world.db.begin() as conn:
        entity = conn.execute(
            select(m.c.key)
            .where(m.c.kind == "entity")
            .group_by(m.c.key)
            .order_by(func.count().desc(), m.c.key)
        ).first()
        story = conn.execute(
            select(sa.c.story_id).group_by(sa.c.story_id).order_by(func.count().desc(), sa.c.story_id)
        ).first()
        hostile = conn.execute(
            select(tables.articles.c.article_id).where(tables.articles.c.title.contains("xss-title"))
        ).scalar_one()
        hostile_story = conn.execute(select(sa.c.story_id).where(sa.c.article_id == hostile)).scalar()
        article = (
            conn.execute(
                select(sa.c.article_id).where(sa.c.story_id == story[0]).order_by(sa.c.article_id)
            ).scalar()
            if story
            else None
        )
    assert entity and story and article
    out = {
        "country": "/desk/countries/KZ",
        "entity": f"/desk/entities/{entity[0]}",
        "story": f"/desk/stories/{story[0]}",
        "article": f"/desk/articles/{article}",
        "hostile-article": f"/desk/articles/{hostile}",
        "hostile-search": "/desk/search?q=Khorgos",
    }
    if hostile_story:
        out["hostile-story"] = f"/desk/stories/{hostile_story}"
    return out


@pytest.mark.parametrize("name", ["country", "entity", "story"])
def test_country_entity_and_story_pages_show_their_articles(
    world: World, desk: Chromium, places: dict[str, str], name: str
) -> None:
    answer = desk("goto", url=world.base + places[name])
    assert answer["status"] == 200, answer
    assert desk("text", selector="main h1")
    assert desk("count", selector="main a[href^='/desk/articles/']") >= 2
    assert desk("count", selector="#timeline-h") == 1
    if name == "country":
        assert desk("text", selector="main h1") == "Kazakhstan"
    _shoot(desk, name)
    _quiet(desk)


# --------------------------------------------------------------------------------------------------
# the edition editor


SLOT = date(2024, 7, 24)  # the slot the editor drafts for from the New draft form


@pytest.fixture(scope="module")
def drafted(world: World) -> str:
    """The 24 July edition's id: the one the editor flow drafted in the browser, or (when that test did
    not run first) a draft from the library, what `eurasiawatch edition draft` runs."""
    with world.db.begin() as conn:
        found = conn.execute(
            select(tables.editions.c.edition_id).where(tables.editions.c.send_date == SLOT)
        ).scalar()
    if found:
        return str(found)
    edition, _ = draft_stored(
        world.db, world.settings, Clock(NOW), start=date(2024, 6, 26), end=date(2024, 7, 9), send_date=SLOT
    )
    return edition.edition_id


def test_editor_drafts_edits_previews_test_sends_and_approves(
    world: World,
    node_tools: Path,  # noqa: F811
) -> None:
    with Chromium(node_tools) as browser:
        world.sign_in(browser, "bob")
        # the New draft form: the window before the slot, the slot; composing takes a moment
        browser("goto", url=world.base + "/desk/editions")
        browser("fill", label="From", value="2024-06-26")
        browser("fill", label="To (inclusive)", value="2024-07-09")
        browser("fill", label="Send date (the slot)", value=SLOT.isoformat())
        _shoot(browser, "editions")
        landed = browser(
            "click", role="button", name="Draft the edition", waitUrl=r"^/desk/editions/[^/?]+\?done=created$"
        )
        drafted = urlsplit(landed["url"]).path.rsplit("/", 1)[1]
        page = f"/desk/editions/{drafted}"
        assert "Drafted." in browser("text", selector="main p[role='status']")
        assert browser("count", selector="main article.block ol.cites") >= 3  # stories with their sources
        _shoot(browser, "edition")
        # a second click on the same form finds the slot taken and links its edition
        browser("goto", url=world.base + "/desk/editions")
        browser("fill", label="Send date (the slot)", value=SLOT.isoformat())
        browser("click", role="button", name="Draft the edition", waitFor="main [role='alert']")
        assert "already has an edition" in browser("text", selector="main [role='alert']")
        assert browser("attr", selector="main [role='alert'] a", name="href") == page
        _shoot(browser, "editions-taken")
        events = browser("events")  # the refusal is a 409 page, which Chromium logs as an error
        assert [e["text"] for e in events.pop("consoleErrors")] == [
            "Failed to load resource: the server responded with a status of 409 (Conflict)"
        ], events
        assert all(v == [] for v in events.values()), events
        browser("click", selector="main [role='alert'] a", waitUrl=f"^{page}$")

        # the desk re-drafts it
        browser(
            "click", role="button", name="Re-draft the blocks no editor touched", waitUrl=r"done=redrafted"
        )
        assert "draft" in browser("text", selector="main p.lead")

        # edit a block: its Markdown in a form, saved, then shown on the edition page
        # (a story's block, with its citations)
        edit_links = browser(
            "eval", expression=_HREFS.format("main article.block:has(ol.cites) a[href*='/blocks/']")
        )
        target = next(h for h in edit_links if "#" not in h)
        block_id = target.rsplit("/", 1)[1]
        browser("goto", url=world.base + target)
        _shoot(browser, "block")
        markdown = browser("eval", expression="document.getElementById('text').value")
        note = "An editor's sentence, added in the browser test."
        lines = markdown.split("\n")
        body_at = 2 if lines[0].startswith("## ") else 0
        lines.insert(body_at, note + "\n")
        browser("fill", label="Markdown", value="\n".join(lines))
        browser("click", role="button", name="Save", waitUrl=r"done=edited")
        assert note in browser("text", selector=f"#block-{block_id} .block-text")
        assert "edited" in browser("text", selector=f"#block-{block_id} h3")

        # previews: the email exactly as subscribers get it, and the web page
        preview = browser("goto", url=world.base + page + "/preview/email")
        assert preview["status"] == 200 and note in browser("eval", expression="document.body.innerText")
        preview = browser("goto", url=world.base + page + "/preview/web/")
        assert preview["status"] == 200 and note in browser("text", selector="main")
        _shoot(browser, "preview-web")

        # the test copy reaches the editors' address
        browser("goto", url=world.base + page)
        browser("click", role="button", name="Send a test copy to the editors", waitUrl=r"done=sent")
        (copy,) = _wait_for_mail(world.sink, EDITORS, 1)
        assert copy["Subject"].startswith("[TEST]")
        assert note in copy.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        # approve for the first slot offered: the edition is approved and stored for sending
        slot = browser("attr", selector="#slot option", name="value")
        browser("click", role="button", name="Approve", waitUrl=r"done=approved")
        assert "approved" in browser("text", selector="main p.lead")
        _quiet(browser)
    with world.db.begin() as conn:
        row = conn.execute(
            select(tables.editions.c.status, tables.editions.c.approved_by).where(
                tables.editions.c.edition_id == drafted
            )
        ).one()
    assert tuple(row) == ("approved", "bob")
    stored = Ledger(world.db, Clock(NOW)).edition(drafted)
    assert stored is not None and note in stored.rendered.text
    assert slot


# --------------------------------------------------------------------------------------------------
# watchlists


def test_editor_adds_edits_and_removes_a_watchlist(world: World, desk: Chromium) -> None:
    desk("goto", url=world.base + "/desk/watchlists")
    desk("fill", label="Name", value="kz-rail")
    desk("fill", label="Words to search for", value="railway")
    desk("fill", label="Countries", value="kz")
    desk("click", selector="#wl-theme-trade")
    desk("click", role="button", name="Add watchlist", waitUrl=r"done=added")
    assert desk("text", selector="main p[role='status']") == "Watchlist added."
    section = "main section:has(h2#w-kz-rail)"
    assert "countries KZ" in " ".join(desk("text", selector=f"{section} p.meta").split())
    assert desk("count", selector=f"{section} ul li a[href^='/desk/articles/']") >= 1  # the demo's rail news
    _shoot(desk, "watchlists")

    desk("click", selector=f"{section} a[href$='/edit']", waitUrl=r"^/desk/watchlists/kz-rail/edit$")
    assert desk("attr", selector="#wl-countries", name="value") == "KZ"
    assert desk("eval", expression="document.getElementById('wl-theme-trade').checked") is True
    _shoot(desk, "watchlist-edit")
    desk("fill", label="Countries", value="KZ, UZ")
    desk("click", role="button", name="Save watchlist", waitUrl=r"done=saved")
    assert "countries KZ, UZ" in " ".join(desk("text", selector=f"{section} p.meta").split())

    desk("click", selector=f"{section} a[href$='/remove']", waitUrl=r"^/desk/watchlists/kz-rail/remove$")
    _shoot(desk, "watchlist-remove")
    desk("click", role="button", name="Remove watchlist kz-rail", waitUrl=r"done=removed")
    assert desk("count", selector=section) == 0
    _quiet(desk)
    with world.db.begin() as conn:
        actions = conn.execute(
            select(tables.desk_audit.c.action).where(tables.desk_audit.c.target == "watchlist:kz-rail")
        ).scalars()
        assert sorted(actions) == ["watchlist.add", "watchlist.edit", "watchlist.remove"]


# --------------------------------------------------------------------------------------------------
# accessibility


def _desk_pages(places: dict[str, str]) -> dict[str, str]:
    return {
        "sign-in": "/desk/sign-in",
        "dashboard": "/desk/",
        "dashboard-30d": "/desk/?window=30d",
        "search": "/desk/search?q=China&country=KZ",
        "search-empty": "/desk/search",
        "country": places["country"],
        "entity": places["entity"],
        "story": places["story"],
        "article": places["article"],
        "editions": "/desk/editions",
        "watchlists": "/desk/watchlists",
        "indicators": "/desk/indicators",
        "audit": "/desk/audit",
        "subscribers": "/desk/subscribers",
        "two-factor": "/desk/account/two-factor",
    }


def _editor_pages(world: World, edition_id: str) -> dict[str, str]:
    with world.db.begin() as conn:
        blocks = conn.execute(
            select(tables.editions.c.block_order).where(tables.editions.c.edition_id == edition_id)
        ).scalar_one()
    page = f"/desk/editions/{edition_id}"
    return {"edition": page, "block": f"{page}/blocks/{blocks[1]}", "preview-web": page + "/preview/web/"}


@pytest.fixture(scope="module")
def watched(world: World) -> str:
    """A watchlist made through the library (``watching.add_watchlist``), for its edit and remove pages."""
    name = "axe-kz-energy"
    watch = read_watchlist(name, query="pipeline", countries=["KZ"], themes=["energy"])
    with world.db.begin() as conn:
        exists = conn.execute(
            select(tables.watchlists.c.name).where(tables.watchlists.c.name == name)
        ).scalar()
    if not exists:
        add_watchlist(world.db, watch, now=NOW, user="alice")
    return name


def _watchlist_pages(name: str) -> dict[str, str]:
    return {
        "watchlist-edit": f"/desk/watchlists/{name}/edit",
        "watchlist-remove": f"/desk/watchlists/{name}/remove",
    }


def test_axe_finds_no_violations_on_the_desk_pages(
    world: World, desk: Chromium, places: dict[str, str], drafted: str, watched: str
) -> None:
    pages = {**_desk_pages(places), **_editor_pages(world, drafted), **_watchlist_pages(watched)}
    problems = []
    for name, path in pages.items():
        answer = desk("goto", url=world.base + path)
        assert answer["status"] == 200, (name, answer)
        for scheme in ("light", "dark"):
            report = desk("axe", scheme=scheme)
            problems += [(name, scheme, v["id"], v["nodes"]) for v in report["violations"]]
            assert report["passes"] > 15, (name, report)
    assert problems == []
    _quiet(desk)


# --------------------------------------------------------------------------------------------------
# hostile feed items


def test_script_payloads_from_a_feed_never_run(world: World, desk: Chromium, places: dict[str, str]) -> None:
    with world.db.begin() as conn:
        stored = [a for a in queries.list_articles(conn, limit=10_000) if "xss-title" in (a.title or "")]
    assert stored, "the hostile item was not ingested"
    pages = [
        places[k] for k in ("hostile-search", "hostile-story", "hostile-article", "country") if k in places
    ]
    pages += ["/desk/?window=14d", "/desk/?window=7d"]
    shown = []
    for path in pages:
        assert desk("goto", url=world.base + path)["status"] == 200, path
        text = desk("eval", expression="document.body.innerText")
        if "alert('xss-title')" in text:  # the payload shows as text, which is right
            shown.append(path)
        assert desk("eval", expression="typeof window.__xss") == "undefined"
        assert desk("count", selector="main script, main iframe, main svg[onload], main [onerror]") == 0
        assert desk("count", selector="main a[href^='javascript:']") == 0
        _quiet(desk)
    assert {places["hostile-search"], places["hostile-article"]} <= set(shown), shown
    # the outlet name from the feed is text on the dashboard's source health panel
    desk("goto", url=world.base + "/desk/?window=14d")
    assert "Hostile <b>Outlet</b>" in desk("text", selector="#sources")
    _quiet(desk)
