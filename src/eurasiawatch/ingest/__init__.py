"""The ingest stage: sources, the polite fetch client, and every source kind → ``FeedItem`` / ``Page``.

Kinds (``Source.kind``): ``feed`` (RSS, Atom, JSON Feed), ``page`` (one article URL), ``sitemap``
(news sitemaps, plain sitemaps, indexes), ``warc`` (a local WARC file or folder of them) and
``folder`` (a local folder of HTML, text and JSON-lines files).
"""

from .feeds import FeedParseResult, parse_feed
from .fetch import Fetcher, FetchPolicy, check_address
from .files import (
    LOCAL_KINDS,
    SOURCE_KINDS,
    ItemProblem,
    TextDocument,
    decode_html,
    local_path,
    read_folder,
    source_location,
)
from .sitemaps import SITEMAP_DAYS, SitemapParseResult, expand_sitemaps, parse_sitemap, sitemap_since
from .warc import read_warc

__all__ = [
    "LOCAL_KINDS",
    "SITEMAP_DAYS",
    "SOURCE_KINDS",
    "FeedParseResult",
    "FetchPolicy",
    "Fetcher",
    "ItemProblem",
    "SitemapParseResult",
    "TextDocument",
    "check_address",
    "decode_html",
    "expand_sitemaps",
    "local_path",
    "parse_feed",
    "parse_sitemap",
    "read_folder",
    "read_warc",
    "sitemap_since",
    "source_location",
]
