"""Anti-bot walls are recognised from status, headers and the start of the body; real pages are not."""

from __future__ import annotations

import pytest

from eurasiawatch.errors import PermanentFetchError
from eurasiawatch.ingest.walls import detect_wall, failure_reason, wall_reason

CF_JS_CHALLENGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<noscript><div>Enable JavaScript and cookies to continue</div></noscript></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "www.example.org",cType: 'managed'};
var a = document.createElement('script');a.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1';
}());</script></body></html>"""
CF_ATTENTION = (
    b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    b"<body><h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: 8a1f</p></body></html>"
)
DDOS_GUARD = (
    b"<!doctype html><html><head><title>DDoS-Guard</title></head><body>"
    b"<script src='https://check.ddos-guard.net/check.js'></script>Checking your browser</body></html>"
)
RECAPTCHA = (
    b"<html><head><title>Verify</title><script src='https://www.google.com/recaptcha/api.js'></script>"
    b"</head><body><form><div class='g-recaptcha' data-sitekey='x'></div></form></body></html>"
)
ARTICLE_ABOUT_CLOUDFLARE = (
    b"<html><head><title>Outage hits sites behind Cloudflare and DDoS-Guard</title></head><body><article>"
    + b"<p>Sites protected by Cloudflare asked readers to solve a captcha. " * 40
    + b"</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (403, {"Server": "cloudflare", "CF-Mitigated": "challenge"}, CF_JS_CHALLENGE, "Cloudflare challenge"),
        (503, {"Server": "cloudflare"}, CF_JS_CHALLENGE, "Cloudflare challenge"),
        (200, {}, CF_JS_CHALLENGE, "Cloudflare challenge"),
        (403, {"cf-mitigated": "challenge"}, b"", "Cloudflare challenge"),
        (403, {"Server": "cloudflare"}, CF_ATTENTION, "Cloudflare challenge"),
        (
            403,
            {"Server": "cloudflare"},
            b"<html><body>Sorry, you have been blocked</body></html>",
            "Cloudflare block",
        ),
        (403, {"Server": "ddos-guard"}, DDOS_GUARD, "DDoS-Guard challenge"),
        (200, {}, DDOS_GUARD, "DDoS-Guard challenge"),
        (403, {"Server": "ddos-guard"}, b"", "DDoS-Guard challenge"),
        (429, {}, RECAPTCHA, "captcha page"),
        (
            403,
            {},
            b"<html><script src='https://geo.captcha-delivery.com/captcha/'></script></html>",
            "DataDome captcha",
        ),
        (
            403,
            {},
            b"<html><body>Request unsuccessful. Incapsula incident ID: 1-2</body></html>",
            "Imperva/Incapsula challenge",
        ),
        (
            403,
            {"Server": "AkamaiGHost"},
            b"<html><h1>Access Denied</h1>Reference #18.abc</html>",
            "Akamai bot manager",
        ),
        ("503", None, None, None),
    ],
)
def test_walls_are_named(status, headers, body, expected) -> None:
    if status == "503":  # a bare 503 without markers is an outage, not a wall
        assert detect_wall(503, {"Server": "nginx"}, b"<html>Service Unavailable</html>") is None
        return
    assert detect_wall(status, headers, body) == expected


def test_real_content_is_not_a_wall() -> None:
    assert detect_wall(200, {"Server": "cloudflare"}, ARTICLE_ABOUT_CLOUDFLARE) is None
    assert detect_wall(200, {"Server": "ddos-guard"}, b"<?xml version='1.0'?><rss><channel/></rss>") is None
    assert detect_wall(404, {"Server": "cloudflare"}, b"<html>Not found</html>") is None
    assert detect_wall(200, None, None) is None
    assert detect_wall(200, {}, RECAPTCHA.decode()) is None  # a comment form with a captcha is content


def test_reason_wording() -> None:
    assert wall_reason("Cloudflare challenge") == "anti-bot wall (Cloudflare challenge)"


def test_failure_reason_uses_the_reply_an_error_carries() -> None:
    plain = PermanentFetchError("HTTP 403 from https://e.org/feed")
    assert failure_reason(plain) == "HTTP 403 from https://e.org/feed"
    walled = PermanentFetchError("HTTP 403 from https://e.org/feed")
    walled.status = 403  # type: ignore[attr-defined]
    walled.headers = {"server": "cloudflare"}  # type: ignore[attr-defined]
    walled.body = CF_JS_CHALLENGE  # type: ignore[attr-defined]
    assert failure_reason(walled) == "anti-bot wall (Cloudflare challenge): HTTP 403 from https://e.org/feed"


def test_only_the_start_of_a_huge_body_is_read() -> None:
    huge = b"<html><body>" + b"<p>news</p>" * 2_000_000 + CF_JS_CHALLENGE
    assert detect_wall(200, {}, huge) is None
