"""Recognise anti-bot walls: challenge and captcha pages served instead of the feed or article.

A wall is not a broken source: the outlet is up, but a bot-protection service (Cloudflare,
DDoS-Guard, Imperva, DataDome, …) answers with a challenge that only a browser can pass. Saying so
in the source's health tells the operator to ask the outlet for an allow-list entry, or to find
another route (a sitemap, an archive), instead of debugging the feed.

``detect_wall`` is a pure function of the reply (status, headers, start of the body). Markers are
split in two: *structural* ones (a challenge script, the challenge form, the vendor's title) count
at any status, because some walls answer 200; *weak* ones (a vendor's ``Server`` header, the word
"captcha") count only with a refusal status (403, 429, 503), so an article that mentions
Cloudflare is never taken for a wall.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["detect_wall", "failure_reason", "wall_reason"]

# Only the start of a page is looked at: challenge pages are small and put their markers early.
_HEAD_BYTES = 65_536
_REFUSALS = frozenset({403, 429, 503})

# (wall name, compiled pattern over the lower-cased start of the body): any status
_STRUCTURAL: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Cloudflare challenge",
        re.compile(
            r"/cdn-cgi/challenge-platform/|window\._cf_chl_opt|cf_chl_opt|id=[\"']challenge-form[\"']"
            r"|<title>\s*just a moment\s*(?:\.\.\.|…)\s*</title>"
            r"|<title>\s*attention required!?\s*\|\s*cloudflare\s*</title>"
            r"|cf-browser-verification|checking (?:if the site connection is secure|your browser before)"
        ),
    ),
    (
        "Cloudflare Turnstile captcha",
        re.compile(r"challenges\.cloudflare\.com/turnstile|class=[\"']cf-turnstile"),
    ),
    (
        "DDoS-Guard challenge",
        re.compile(r"check\.ddos-guard\.net|<title>\s*ddos-guard\s*</title>|ddos-guard\.net/js|__ddg\d*_?="),
    ),
    ("Imperva/Incapsula challenge", re.compile(r"_incapsula_resource|incapsula incident id")),
    ("DataDome captcha", re.compile(r"captcha-delivery\.com|geo\.captcha-delivery")),
    ("PerimeterX captcha", re.compile(r"px-captcha|perimeterx|/_px\d?/captcha")),
    ("Sucuri firewall", re.compile(r"sucuri website firewall|sucuri\.net/privacy-policy")),
    ("Qrator challenge", re.compile(r"qrator\.net|__qrator")),
    ("StormWall challenge", re.compile(r"stormwall\.pro|stormwall\.network")),
    ("Variti challenge", re.compile(r"variti\.(?:io|com)")),
)
# only with a refusal status
_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Cloudflare block", re.compile(r"sorry, you have been blocked")),
    ("Cloudflare challenge", re.compile(r"cloudflare|cf-ray")),
    ("DDoS-Guard challenge", re.compile(r"ddos-guard")),
    ("Akamai bot manager", re.compile(r"access denied.{0,400}reference\s*#|errors\.edgesuite\.net")),
    ("captcha page", re.compile(r"g-recaptcha|recaptcha/api\.js|h-captcha|hcaptcha\.com|\bcaptcha\b")),
    (
        "bot check",
        re.compile(r"verify (?:that )?you are (?:a )?human|are you a robot|unusual traffic from your"),
    ),
)
_HEADER_VENDORS: tuple[tuple[str, str, str], ...] = (
    # (header, lower-cased value fragment, wall name)
    ("server", "cloudflare", "Cloudflare challenge"),
    ("server", "ddos-guard", "DDoS-Guard challenge"),
    ("server", "akamaighost", "Akamai bot manager"),
    ("server", "qrator", "Qrator challenge"),
    ("x-datadome", "", "DataDome captcha"),
    ("x-iinfo", "", "Imperva/Incapsula challenge"),
    ("x-sucuri-id", "", "Sucuri firewall"),
)


def detect_wall(status: int, headers: Mapping[str, str] | None, body: bytes | str | None) -> str | None:
    """Name the anti-bot wall a reply is, or None when it looks like real content.

    Args:
        status: the HTTP status of the reply.
        headers: its headers (any case).
        body: its body, or the start of it; bytes are decoded leniently.

    Returns:
        A short name such as ``"Cloudflare challenge"`` or ``"DDoS-Guard challenge"``, or None.
    """
    lowered = {k.lower(): str(v).lower() for k, v in (headers or {}).items()}
    if lowered.get("cf-mitigated", "") == "challenge":
        return "Cloudflare challenge"
    if isinstance(body, bytes):
        text = body[:_HEAD_BYTES].decode("utf-8", errors="replace").lower()
    else:
        text = (body or "")[:_HEAD_BYTES].lower()
    for name, pattern in _STRUCTURAL:
        if pattern.search(text):
            return name
    if status not in _REFUSALS:
        return None
    for name, pattern in _WEAK:
        if pattern.search(text):
            return name
    for header, fragment, name in _HEADER_VENDORS:
        if header in lowered and fragment in lowered[header]:
            return name
    return None


def wall_reason(name: str) -> str:
    """The failure reason recorded for a wall: ``anti-bot wall (Cloudflare challenge)``."""
    return f"anti-bot wall ({name})"


def failure_reason(exc: BaseException) -> str:
    """The reason to record for a failed fetch, naming an anti-bot wall when the error shows one.

    A fetch error that carries the refused reply as ``status``, ``headers`` and ``body``
    attributes is checked with ``detect_wall``; any other error gives its message unchanged.

    Args:
        exc: the error the fetch raised.

    Returns:
        ``"anti-bot wall (…): <message>"`` for a wall, else ``str(exc)``.
    """
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", None)
    headers = getattr(exc, "headers", None)
    if isinstance(status, int) and (body is not None or headers is not None):
        name = detect_wall(status, headers if isinstance(headers, Mapping) else None, body)
        if name:
            return f"{wall_reason(name)}: {exc}"
    return str(exc)
