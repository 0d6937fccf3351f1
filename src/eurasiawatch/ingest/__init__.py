"""The ingest stage: sources, the polite fetch client, feeds → ``FeedItem`` and pages → ``Page``."""

from .feeds import FeedParseResult, parse_feed
from .fetch import Fetcher, FetchPolicy, check_address

__all__ = ["FeedParseResult", "FetchPolicy", "Fetcher", "check_address", "parse_feed"]
