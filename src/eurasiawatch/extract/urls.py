"""Canonical URLs and the article ids derived from them.

Two fetches of one article must land on one row, so the id is a hash of a normalised URL: tracking
parameters dropped, scheme and host lower-cased, default port and fragment removed, query sorted.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["article_id", "canonicalize_url", "same_site"]

# Query parameters that only say how a reader arrived, never which page they see.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "msclkid",
        "twclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "oly_anon_id", "oly_enc_id", "vero_id", "ref_src", "ref_url", "cmpid", "ncid", "spm",
        "at_medium", "at_campaign", "s_cid", "wt_mc", "wt.mc_id", "icid",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "at_", "__")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Normalise a URL so that one article always gets the same string.

    Args:
        url: An absolute URL, or a relative one when ``base`` is given.
        base: The URL ``url`` is relative to (for instance the page it was found on).

    Returns:
        The URL with scheme and host in lower case, no default port, no fragment, no credentials, no tracking
        parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_*``, ``yclid``…) and the remaining query
        parameters sorted. An empty path becomes ``/``. URLs that are not http(s) are only
        stripped of surrounding whitespace.
    """
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def article_id(canonical_url: str) -> str:
    """Return the stable id of an article: the first 32 hex digits of SHA-256 of its canonical URL.

    Args:
        canonical_url: The output of :func:`canonicalize_url`.

    Returns:
        32 lower-case hex characters.
    """
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def _site(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on the same site (ignoring ``www.``/``m.`` and sub-domains of it)."""
    a, b = _site(urlsplit(url).hostname or ""), _site(urlsplit(other).hostname or "")
    if not a or not b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)
