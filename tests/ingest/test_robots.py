"""robots.txt: the parser (RFC 9309 matching) and the fetcher obeying it against loopback servers."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest

from eurasiawatch.config import Settings
from eurasiawatch.errors import PermanentFetchError, SourceError, TransientFetchError
from eurasiawatch.ingest import Fetcher, FetchPolicy
from eurasiawatch.ingest.robots import ROBOTS_MAX_BYTES, parse_robots, product_token

from ..loopback import Reply, serve

UA = "eurasiawatch/0.1 (+https://example.org; news monitoring)"
POLICY = FetchPolicy(user_agent=UA, timeout=2.0, retries=0, per_host_delay=0.0, backoff_base=0.01)


def robots(text: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status, text.encode(), {"Content-Type": "text/plain", **headers})


def fetch_all(urls: list[str], policy: FetchPolicy = POLICY) -> list[object]:
    """Fetch URLs one after another through one Fetcher; each outcome is a result or the error."""

    async def go() -> list[object]:
        outcomes: list[object] = []
        async with Fetcher(policy) as f:
            for url in urls:
                try:
                    outcomes.append(await f.fetch(url, allow_private=True))
                except SourceError as exc:
                    outcomes.append(exc)
        return outcomes

    return asyncio.run(go())


# --- the parser ---------------------------------------------------------------------------------


def test_product_token_is_the_first_word_of_the_user_agent() -> None:
    assert product_token(UA) == "eurasiawatch"
    assert product_token("Mozilla/5.0 (X11)") == "mozilla"


def test_longest_match_wins_and_ties_go_to_allow() -> None:
    rules = parse_robots(
        "User-agent: *\nDisallow: /news/\nAllow: /news/public/\nDisallow: /tie\nAllow: /tie\n", UA
    )
    assert not rules.allows("/news/secret")
    assert rules.allows("/news/public/a")
    assert rules.allows("/tie")
    assert rules.allows("/other")


def test_wildcards_and_end_anchor() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\nDisallow: /x$\n", UA)
    assert not rules.allows("/files/report.pdf")
    assert rules.allows("/files/report.pdf?download=1")
    assert not rules.allows("/search/page?lang=en&q=china")
    assert not rules.allows("/x")
    assert rules.allows("/xy")


def test_our_group_wins_over_the_star_group_and_groups_merge() -> None:
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: EurasiaWatch\nDisallow: /private/\n\n"
        "User-agent: otherbot\nUser-agent: eurasiawatch/2.0\nDisallow: /drafts/\nCrawl-delay: 3\n"
    )
    rules = parse_robots(text, UA)
    assert rules.allows("/news/a")
    assert not rules.allows("/private/a")
    assert not rules.allows("/drafts/a")
    assert rules.crawl_delay == 3.0
    assert not parse_robots(text, "someone-else/1").allows("/news/a")


def test_empty_disallow_comments_unknown_lines_and_sitemaps_are_harmless() -> None:
    text = "# hello\nSitemap: https://x.example/s.xml\nUser-agent: * # all\nDisallow:\nFoo: bar\n"
    rules = parse_robots(text, UA)
    assert rules.allows("/anything") and rules.crawl_delay is None
    assert parse_robots("", UA).allows("/a")
    assert parse_robots("Disallow: /\n", UA).allows("/a")  # a rule outside any group is ignored


def test_percent_encoding_and_non_ascii_paths_compare_equal() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /новости/\nDisallow: /a%2fb\n", UA)
    assert not rules.allows("/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1")
    assert not rules.allows("/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8/1")
    assert not rules.allows("/a%2Fb")


def test_robots_txt_itself_is_always_allowed_and_bad_crawl_delays_ignored() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /\nCrawl-delay: soon\nCrawl-delay: -1\n", UA)
    assert rules.allows("/robots.txt") and not rules.allows("/")
    assert rules.crawl_delay is None


# --- the fetcher ---------------------------------------------------------------------------------


def test_disallowed_urls_are_refused_without_being_requested() -> None:
    with serve() as site:
        site.routes["/robots.txt"] = robots("User-agent: eurasiawatch\nDisallow: /private/\n")
        site.routes["/private/a"] = Reply(200, b"no")
        site.routes["/public/a"] = Reply(200, b"yes")
        refused, allowed = fetch_all([site.url("/private/a"), site.url("/public/a")])
        assert isinstance(refused, PermanentFetchError)
        assert str(refused).startswith("disallowed by robots.txt: ") and "/private/a" in str(refused)
        assert getattr(allowed, "body", None) == b"yes"
        assert site.hits["/private/a"] == 0


def test_robots_txt_is_read_once_per_host_per_fetcher() -> None:
    policy = FetchPolicy(user_agent=UA, timeout=2.0, per_host_delay=0.0, per_host_concurrency=4)

    async def go(urls: list[str]) -> None:
        async with Fetcher(policy) as f:
            await asyncio.gather(*(f.fetch(u, allow_private=True) for u in urls))

    with serve() as site:
        site.routes["/robots.txt"] = robots("User-agent: *\nAllow: /\n")
        for i in range(6):
            site.routes[f"/p{i}"] = Reply(200, b"x")
        urls = [site.url(f"/p{i}") for i in range(6)]
        asyncio.run(go(urls))
        assert site.hits["/robots.txt"] == 1
        asyncio.run(go(urls))  # a new Fetcher (a new run) reads it again: nothing is kept globally
        assert site.hits["/robots.txt"] == 2


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_4xx_robots_txt_allows_everything(status: int) -> None:
    with serve() as site:
        site.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /\n", status)
        site.routes["/a"] = Reply(200, b"ok")
        (result,) = fetch_all([site.url("/a")])
        assert getattr(result, "body", None) == b"ok"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_or_429_robots_txt_disallows_the_host_for_the_run(status: int) -> None:
    policy = FetchPolicy(user_agent=UA, timeout=2.0, retries=1, per_host_delay=0.0, backoff_base=0.01)
    with serve() as site:
        site.routes["/robots.txt"] = robots("oops", status)
        site.routes["/a"] = Reply(200, b"ok")
        first, second = fetch_all([site.url("/a"), site.url("/a")], policy)
        for outcome in (first, second):
            assert isinstance(outcome, TransientFetchError)
            assert "robots.txt" in str(outcome) and str(status) in str(outcome)
        assert site.hits["/a"] == 0
        assert site.hits["/robots.txt"] == 2  # one try and one retry, then remembered for the run


def test_an_unreachable_robots_txt_disallows_the_host() -> None:
    policy = FetchPolicy(user_agent=UA, timeout=0.3, retries=0, per_host_delay=0.0)
    with serve() as site:
        site.routes["/robots.txt"] = Reply(200, b"User-agent: *\nAllow: /\n", delay=1.0)
        site.routes["/a"] = Reply(200, b"ok")
        (outcome,) = fetch_all([site.url("/a")], policy)
        assert isinstance(outcome, TransientFetchError) and "robots.txt" in str(outcome)
        assert "timed out" in str(outcome)
        assert site.hits["/a"] == 0


def test_crawl_delay_raises_the_hosts_delay() -> None:
    with serve() as site:
        site.routes["/robots.txt"] = robots("User-agent: *\nCrawl-delay: 0.3\n")
        for i in range(3):
            site.routes[f"/p{i}"] = Reply(200, b"x")
        started = time.monotonic()
        fetch_all([site.url(f"/p{i}") for i in range(3)])  # policy delay is 0
        assert time.monotonic() - started >= 0.55  # three page starts, 0.3 s apart


def test_respect_robots_off_fetches_without_reading_it() -> None:
    policy = FetchPolicy(user_agent=UA, timeout=2.0, retries=0, per_host_delay=0.0, respect_robots=False)
    with serve() as site:
        site.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /\n")
        site.routes["/a"] = Reply(200, b"ok")
        (result,) = fetch_all([site.url("/a")], policy)
        assert getattr(result, "body", None) == b"ok"
        assert site.hits["/robots.txt"] == 0


def test_respect_robots_setting_reaches_the_policy() -> None:
    assert FetchPolicy.from_settings(Settings(fetch_user_agent=UA)).respect_robots is True
    assert not FetchPolicy.from_settings(Settings(fetch_respect_robots=False)).respect_robots


def test_robots_txt_is_read_up_to_its_cap_only() -> None:
    filler = "# " + "x" * 98 + "\n"
    head = "User-agent: *\nDisallow: /early/\n" + filler * (ROBOTS_MAX_BYTES // len(filler) + 10)
    with serve() as site:
        site.routes["/robots.txt"] = robots(head + "Disallow: /late/\n")
        site.routes["/late/a"] = Reply(200, b"ok")
        site.routes["/early/a"] = Reply(200, b"no")
        late, early = fetch_all([site.url("/late/a"), site.url("/early/a")])
        assert getattr(late, "body", None) == b"ok"  # the rule past 500 KB was never read
        assert isinstance(early, PermanentFetchError)


def test_robots_txt_redirects_and_gzip_are_followed() -> None:
    with serve() as site:
        site.routes["/robots.txt"] = Reply(301, b"", {"Location": "/real-robots.txt"})
        site.routes["/real-robots.txt"] = Reply(
            200,
            gzip.compress(b"User-agent: *\nDisallow: /x/\n"),
            {"Content-Type": "text/plain", "Content-Encoding": "gzip"},
        )
        site.routes["/x/a"] = Reply(200, b"no")
        (outcome,) = fetch_all([site.url("/x/a")])
        assert isinstance(outcome, PermanentFetchError) and "disallowed by robots.txt" in str(outcome)


def test_redirect_hops_are_checked_against_robots_txt() -> None:
    with serve() as site:
        site.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /private/\n")
        site.routes["/go"] = Reply(302, b"", {"Location": "/private/a"})
        site.routes["/private/a"] = Reply(200, b"no")
        (outcome,) = fetch_all([site.url("/go")])
        assert isinstance(outcome, PermanentFetchError) and "/private/a" in str(outcome)
        assert site.hits["/private/a"] == 0
