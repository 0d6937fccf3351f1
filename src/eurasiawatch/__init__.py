"""eurasiawatch: track China's influence from Eastern Europe to Central Asia in local reporting.

The stage functions are importable for notebooks::

    from eurasiawatch import load_settings, extract_article, ingest
"""

from __future__ import annotations

from .clock import Clock, parse_as_of
from .config import Settings, load_settings
from .records import Annotation, Article, Event, FeedItem, Mention, Page, Source

__version__ = "0.1.0"

__all__ = [
    "Annotation",
    "Article",
    "Clock",
    "Event",
    "FeedItem",
    "Mention",
    "Page",
    "Settings",
    "Source",
    "__version__",
    "load_settings",
    "parse_as_of",
]
