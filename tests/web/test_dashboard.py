"""The desk's dashboard at ``/desk/``: panels from stored data, windows, empty windows, sign-in."""

from __future__ import annotations

import dataclasses
import inspect
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch import accounts
from eurasiawatch.accounts import AccountPolicy
from eurasiawatch.analyzing import cluster_stored
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.credentials import totp_code
from eurasiawatch.dashboard import DashboardCache, build_dashboard, parse_window_query
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.records import Annotation, Article, Event, Mention, Source
from eurasiawatch.store import Database
from eurasiawatch.store import dashboard as store_dashboard
from eurasiawatch.store.annotations import save_annotation
from eurasiawatch.store.queries import mark_source_result, upsert_article, upsert_source
from eurasiawatch.store.stories import _list_stories_stmt
from eurasiawatch.web.app import create_app

from .conftest import NOW, page

PASSWORD = "correct horse battery staple 42"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """Cheap argon2: the tests sign in."""
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


def _signed_in(client: TestClient, settings: Settings, db: Database, name: str = "editor1") -> TestClient:
    """Create an editor and put a full session cookie on the client (the sign-in flow has its own tests)."""
    policy = AccountPolicy.from_settings(settings)
    crypto = Crypto.from_settings(settings, create=True)
    with db.begin() as conn:
        enrolment = accounts.add_user(conn, crypto, policy, name, PASSWORD, role="editor", now=NOW)
    with db.begin() as conn:
        pending = accounts.check_password(conn, policy, name, PASSWORD, now=NOW)
        assert pending.session_id
        full = accounts.check_code(
            conn, crypto, policy, pending.session_id, totp_code(enrolment.secret, NOW), now=NOW
        )
        assert full.session_id
    client.cookies.set("ew_session", full.session_id)
    return client


def _article(aid: str, published: datetime, title: str, *, outlet: str, language: str = "en") -> Article:
    return Article(
        article_id=aid,
        url=f"https://news.example/{aid}",
        canonical_url=f"https://news.example/{aid}",
        title=title,
        text=f"{title}. " * 12,
        language=language,
        outlet=outlet,
        source=outlet.lower(),
        published=published,
        content_hash=aid,
    )


def _store(
    db: Database,
    aid: str,
    published: datetime,
    title: str,
    *,
    countries: tuple[str, ...],
    themes: tuple[str, ...] = (),
    china: bool = True,
    outlet: str = "Steppe Herald",
    language: str = "en",
    entities: tuple[str, ...] = (),
    events: tuple[Event, ...] = (),
) -> None:
    mentions = tuple(Mention(article_id=aid, kind="country", key=c, name=c) for c in countries) + tuple(
        Mention(article_id=aid, kind="entity", key=e, name=e.replace("-", " ").title()) for e in entities
    )
    with db.begin() as conn:
        upsert_article(
            conn, _article(aid, published, title, outlet=outlet, language=language), page_id=None, now=NOW
        )
        save_annotation(
            conn,
            Annotation(
                article_id=aid,
                language=language,
                china_related=china,
                countries=countries,
                themes=themes,
                mentions=mentions,
                events=events,
            ),
            now=NOW,
        )


@pytest.fixture
def filled(fresh_db: Database) -> Database:
    """Ten days of articles before NOW (2024-07-12 10:00 UTC), one older, a failing source, stories."""
    day = timedelta(days=1)
    gateway = ("khorgos-gateway",)
    summit = Event(
        article_id="a1",
        type="CONSULT",
        mode="planned",
        date="2024-07-20",
        upcoming=True,
        actors=(("CN", None), ("KZ", None)),
        location="Astana",
        evidence="The leaders will meet in Astana on 20 July.",
    )
    _store(fresh_db, "a1", NOW - 2 * day, "China and Kazakhstan plan Astana summit on Khorgos railway",
           countries=("CN", "KZ"), themes=("diplomacy", "trade"), entities=gateway,
           events=(summit,))  # fmt: skip
    _store(fresh_db, "a2", NOW - 2 * day, "Kazakhstan, China to hold Astana summit on Khorgos railway",
           countries=("CN", "KZ"), themes=("diplomacy",), entities=gateway, outlet="Kazinform Daily",
           language="ru")  # fmt: skip
    _store(fresh_db, "a3", NOW - 5 * day, "Khorgos dry port volumes up, Kazakh officials say",
           countries=("KZ",), themes=("trade",), entities=gateway)  # fmt: skip
    _store(fresh_db, "a4", NOW - 3 * day, "Hungary signs battery plant deal with Chinese maker",
           countries=("HU", "CN"), themes=("investment",), outlet="Budapest Ledger",
           language="hu")  # fmt: skip
    _store(fresh_db, "a5", NOW - 4 * day, "Serbian football club wins cup",
           countries=("RS",), china=False, outlet="Belgrade Sport")  # fmt: skip
    _store(fresh_db, "a6", NOW - 40 * day, "Uzbekistan and China talk about textiles",
           countries=("UZ", "CN"), themes=("trade",))  # fmt: skip
    with fresh_db.begin() as conn:
        upsert_source(
            conn,
            Source(name="steppe herald", url="https://news.example/feed", outlet="Steppe Herald"),
            now=NOW,
        )
        upsert_source(
            conn, Source(name="gone daily", url="https://gone.example/feed", outlet="Gone Daily"), now=NOW
        )
        mark_source_result(conn, "steppe herald", ok=True, reason=None, at=NOW - day, items=3)
        for _ in range(3):
            mark_source_result(
                conn, "gone daily", ok=False, reason="HTTP 503 from gone.example", at=NOW - day
            )
    cluster_stored(fresh_db, fresh_db.settings, Clock(NOW))
    return fresh_db


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield _signed_in(client, web_settings, fresh_db)


def test_anonymous_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/desk/?window=7d", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/desk/sign-in?next=/desk/")


def test_dashboard_shows_every_panel_from_stored_data(filled: Database, desk: TestClient) -> None:
    response = desk.get("/desk/")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    doc = page(response.text)
    assert "28 June 2024 – 12 July 2024" in response.text
    # 4 China-related articles in the default 14 days (the Serbian football one and the older one are out)
    assert doc.xpath("//p[@class='lead']/strong")[0].text_content() == "4"

    # map: Kazakhstan 3, Hungary 1, countries covered without articles 0, China not counted
    svg = doc.xpath("//section[@id='map']//*[local-name()='svg']")[0]
    root = ET.fromstring(lxml_to_xml(svg))
    paths = {p.get("data-code"): p for p in root.iter(f"{SVG}path")}
    assert paths["KZ"].find(f"{SVG}title").text == "Kazakhstan: 3 articles"  # type: ignore[union-attr]
    assert paths["HU"].find(f"{SVG}title").text == "Hungary: 1 articles"  # type: ignore[union-attr]
    assert paths["UZ"].get("class") == "ch-0" and paths["RS"].get("class") == "ch-0"
    assert paths["CN"].get("class") == "ch-subject"
    assert paths["KZ"].get("class") != paths["HU"].get("class")
    table_rows = [
        [c.text_content().strip() for c in row.xpath("./th|./td")]
        for row in doc.xpath("//section[@id='map']//table/tbody/tr")
    ]
    assert table_rows[:2] == [["Kazakhstan", "3"], ["Hungary", "1"]]

    # engagement series: per country and per theme, with a sparkline each
    by_country = doc.xpath("//section[@id='engagement']//table[1]")[0]
    assert [r.text_content() for r in by_country.xpath(".//tbody/tr/th")] == ["Kazakhstan", "Hungary"]
    assert by_country.xpath(".//tbody/tr[1]/td[1]")[0].text_content() == "3"
    themes = {
        r.xpath("./th")[0].text_content(): r.xpath("./td[1]")[0].text_content()
        for r in doc.xpath("//section[@id='engagement']//div[2]//tbody/tr")
    }
    assert themes == {"Diplomacy": "2", "Trade": "2", "Investment": "1"}
    assert len(doc.xpath("//section[@id='engagement']//*[local-name()='svg'][@role='img']")) == 5

    # top stories: the two summit reports are one story, with both outlets and languages
    stories = doc.xpath("//section[@id='stories']//li")
    assert stories, response.text
    top = stories[0].text_content()
    assert "Astana summit" in top and "2 articles" in top
    assert "Kazinform Daily" in top and "Steppe Herald" in top and "en, ru" in top

    # rising actors: the gateway is new (3 articles now, none before)
    rising = doc.xpath("//section[@id='rising']//tbody/tr")
    assert [r.xpath("./th")[0].text_content() for r in rising] == ["Khorgos Gateway"]
    assert rising[0].xpath("./td")[0].text_content() in {"new", "rising"}

    # upcoming events: the summit on 20 July, linked to its report
    upcoming = doc.xpath("//section[@id='upcoming']")[0].text_content()
    assert "2024-07-20" in upcoming and "Kazakhstan" in upcoming and "Astana" in upcoming

    # source health: the failing source first, with its reason
    rows = doc.xpath("//section[@id='sources']//tbody/tr")
    assert "Gone Daily" in rows[0].text_content() and "FAILING" in rows[0].text_content()
    assert "HTTP 503" in rows[0].text_content()
    assert "1 failing" in doc.xpath("//section[@id='sources']")[0].text_content()

    # CSP: no inline scripts or style attributes on the page
    assert not doc.xpath("//script[not(@src)]") and not doc.xpath("//*[@style]")


def lxml_to_xml(element: object) -> str:
    """An lxml element (from the HTML parser) as XML text with the SVG namespace."""
    import lxml.etree

    text = lxml.etree.tostring(element, encoding="unicode")
    return text if "xmlns=" in text else text.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)


def test_since_until_window_picks_the_older_article(filled: Database, desk: TestClient) -> None:
    response = desk.get("/desk/?since=2024-05-25&until=2024-06-10")
    assert response.status_code == 200
    doc = page(response.text)
    assert "25 May 2024 – 10 June 2024" in response.text
    rows = [r.text_content() for r in doc.xpath("(//section[@id='engagement']//table)[1]//tbody/tr/th")]
    assert rows == ["Uzbekistan"]
    assert doc.xpath("//input[@name='since']/@value") == ["2024-05-25"]


def test_empty_window_says_so_in_every_panel(filled: Database, desk: TestClient) -> None:
    response = desk.get("/desk/?since=2020-01-01&until=2020-01-14")
    assert response.status_code == 200
    doc = page(response.text)
    for panel, words in [
        ("map", "No China-related articles mention any country"),
        ("engagement", "No China-related articles mention a country"),
        ("stories", "No stories in this window"),
        ("rising", "No actor rose in this window"),
    ]:
        assert words in doc.xpath(f"//section[@id='{panel}']")[0].text_content(), panel
    assert "0 China-related articles" in doc.xpath("//p[@class='lead']")[0].text_content()


def test_empty_database_renders_with_messages(desk: TestClient) -> None:
    doc = page(desk.get("/desk/").text)
    assert "No sources registered yet" in doc.xpath("//section[@id='sources']")[0].text_content()
    assert "No upcoming events" in doc.xpath("//section[@id='upcoming']")[0].text_content()


@pytest.mark.parametrize(
    "query",
    [
        "window=banana",
        "since=2024-13-01",
        "since=2024-07-10&until=2024-07-01",
        "window=400d",
        "window=7d&since=2024-07-01",
    ],
)
def test_bad_windows_are_a_400_page(desk: TestClient, query: str) -> None:
    response = desk.get(f"/desk/?{query}")
    assert response.status_code == 400
    assert "Cannot show that window" in response.text


def test_window_parsing() -> None:
    now = datetime(2024, 7, 12, 10, 0, 42, tzinfo=UTC)
    w = parse_window_query(now)
    assert (w.start, w.end) == (
        datetime(2024, 6, 28, 10, 0, tzinfo=UTC),
        datetime(2024, 7, 12, 10, 0, tzinfo=UTC),
    )
    w = parse_window_query(now, window="2w")
    assert w.days == 14
    w = parse_window_query(now, since="2024-07-01", until="2024-07-03")
    assert (w.start, w.end) == (datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 4, tzinfo=UTC))
    assert w.days == 3 and w.label() == "1 July 2024 – 3 July 2024"


def test_long_windows_are_bucketed_by_week(filled: Database, web_settings: Settings) -> None:
    window = parse_window_query(NOW, window="90d")
    board = build_dashboard(filled, web_settings, window, today=NOW.date())
    assert board.bucket == "week" and all(datetime.fromisoformat(b).weekday() == 0 for b in board.buckets)
    assert board.countries == {"KZ": 3, "HU": 1, "UZ": 1}
    uz = next(s for s in board.country_series if s.key == "UZ")
    assert uz.total == 1 and sum(1 for p in uz.points if p) == 1


def test_cache_reuses_a_build_until_the_data_changes(filled: Database, web_settings: Settings) -> None:
    cache = DashboardCache()
    window = parse_window_query(NOW)
    first = cache.get(filled, web_settings, window, today=NOW.date())
    assert cache.get(filled, web_settings, window, today=NOW.date()) is first
    _store(filled, "a7", NOW - timedelta(hours=5), "Tajikistan and China open a road", countries=("TJ", "CN"))
    second = cache.get(filled, web_settings, window, today=NOW.date())
    assert second is not first and second.countries["TJ"] == 1


def test_stale_build_is_served_while_another_request_rebuilds(
    filled: Database, web_settings: Settings
) -> None:
    cache = DashboardCache(ttl=0.0)
    window = parse_window_query(NOW)
    first = cache.get(filled, web_settings, window, today=NOW.date(), query=("window", "14d"))
    key = (("window", "14d"), NOW.date())
    with cache._building[key]:  # another request is rebuilding: the stale one is answered at once
        assert cache.get(filled, web_settings, window, today=NOW.date(), query=("window", "14d")) is first
    # only time passed: the previous build is answered and a rebuild runs in the background
    assert cache.get(filled, web_settings, window, today=NOW.date(), query=("window", "14d")) is first
    cache.settle()
    again = cache.get(filled, web_settings, window, today=NOW.date(), query=("window", "14d"))
    assert again is not first and again == first  # rebuilt, same data
    cache.settle()  # that get started another refresh (ttl 0): let it finish before the database goes


def test_dashboard_queries_compile_for_both_databases() -> None:
    start, end = NOW - timedelta(days=14), NOW
    found = {n for n, _ in inspect.getmembers(store_dashboard, inspect.isfunction) if n.endswith("_stmt")}
    windowed = ["_daily_country_stmt", "_daily_theme_stmt", "_daily_total_stmt", "_source_counts_stmt"]
    assert found == {*windowed, "_data_version_stmt"}, "compile every new builder here"
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for name in windowed:
            sql = str(getattr(store_dashboard, name)(dialect.name, start, end).compile(dialect=dialect))
            assert "GROUP BY" in sql
        assert "max" in str(store_dashboard._data_version_stmt(dialect.name).compile(dialect=dialect))
        shortlist = _list_stories_stmt(dialect.name, start.date(), end.date(), False, 40)
        assert "LIMIT" in str(shortlist.compile(dialect=dialect))
    assert "to_char" in str(
        store_dashboard._daily_country_stmt("postgresql", start, end).compile(dialect=postgresql.dialect())
    )


def test_app_over_a_fresh_app_state_builds_its_own_cache(web_settings: Settings, filled: Database) -> None:
    app = create_app(web_settings, database=filled, clock=Clock(NOW))
    with TestClient(app) as client:
        _signed_in(client, web_settings, filled, name="editor2")
        assert client.get("/desk/?window=7d").status_code == 200
        assert client.get("/desk/?window=7d").status_code == 200
    assert app.state.dashboard_cache is not None


def _count(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_second_request_neither_rebuilds_nor_rerenders_the_panels(
    monkeypatch: pytest.MonkeyPatch, filled: Database, desk: TestClient
) -> None:
    from eurasiawatch import dashboard
    from eurasiawatch.web.routes import desk_home

    builds = _count(monkeypatch, dashboard, "build_dashboard")
    renders = _count(monkeypatch, desk_home, "render_panels")
    first, second = desk.get("/desk/"), desk.get("/desk/")
    assert first.status_code == second.status_code == 200
    assert (len(builds), len(renders)) == (1, 1)
    assert second.text == first.text  # the same user and session: the same page
    desk.get("/desk/?window=7d")  # another window is its own build and rendering
    assert (len(builds), len(renders)) == (2, 2)


def test_a_new_article_changes_the_page(filled: Database, desk: TestClient) -> None:
    before = page(desk.get("/desk/").text)
    assert before.xpath("//p[@class='lead']/strong")[0].text_content() == "4"
    _store(filled, "a7", NOW - timedelta(hours=3), "Kyrgyzstan and China open a new border crossing",
           countries=("KG", "CN"), themes=("trade",), outlet="Bishkek Post")  # fmt: skip
    after = page(desk.get("/desk/").text)
    assert after.xpath("//p[@class='lead']/strong")[0].text_content() == "5"
    svg = ET.fromstring(lxml_to_xml(after.xpath("//section[@id='map']//*[local-name()='svg']")[0]))
    titles = {p.get("data-code"): p.find(f"{SVG}title") for p in svg.iter(f"{SVG}path")}
    assert titles["KG"].text == "Kyrgyzstan: 1 articles"  # type: ignore[union-attr]


def test_each_user_gets_their_own_name_and_csrf_token_around_the_shared_panels(
    app: FastAPI, web_settings: Settings, filled: Database
) -> None:
    from .conftest import csrf_token

    with TestClient(app) as one, TestClient(app) as two:
        _signed_in(one, web_settings, filled, name="editor1")
        _signed_in(two, web_settings, filled, name="editor2")
        a, b = one.get("/desk/"), two.get("/desk/")
    assert a.status_code == b.status_code == 200
    assert "Signed in as <strong>editor1</strong>" in a.text and "editor2" not in a.text
    assert "Signed in as <strong>editor2</strong>" in b.text and "editor1" not in b.text
    assert csrf_token(a.text) != csrf_token(b.text)
    panels = "//section[@id='map' or @id='engagement' or @id='stories' or @id='sources']"
    shared = [lxml_to_xml(e) for e in page(a.text).xpath(panels)]
    assert shared == [lxml_to_xml(e) for e in page(b.text).xpath(panels)] and len(shared) == 4
