"""eurasiawatch: track China's influence from Eastern Europe to Central Asia in local reporting.

The stage functions are importable for notebooks::

    from eurasiawatch import load_settings, open_database, extract_article, detect_language, ingest

    settings = load_settings()
    article = extract_article(Page(url=..., final_url=..., html=html, fetched_at=...))

Stage functions load on first use, so ``import eurasiawatch`` stays quick.
"""

from __future__ import annotations

from .clock import Clock, parse_as_of
from .config import Settings, load_settings
from .records import Annotation, Article, Event, FeedItem, Mention, Page, Source

__version__ = "0.1.0"

# name -> module that defines it; resolved on first attribute access (PEP 562)
_LAZY = {
    "extract_article": "eurasiawatch.extract",
    "detect_language": "eurasiawatch.extract",
    "canonicalize_url": "eurasiawatch.extract",
    "article_id": "eurasiawatch.extract",
    "parse_feed": "eurasiawatch.ingest",
    "Fetcher": "eurasiawatch.ingest",
    "FetchPolicy": "eurasiawatch.ingest",
    "ingest": "eurasiawatch.pipeline",
    "IngestReport": "eurasiawatch.pipeline",
    "open_database": "eurasiawatch.store",
    "load_corpus": "eurasiawatch.demo",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'eurasiawatch' has no attribute {name!r}")


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
    *_LAZY,
]
