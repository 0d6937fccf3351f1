"""The extract stage: article text and metadata, language, canonical URL, article id, near-duplicates.

Page ─▶ extract_article ─▶ Article
"""

from __future__ import annotations

from .dedup import Fingerprint, best_match, fingerprint
from .language import detect_language
from .plain import article_from_text, text_paragraphs
from .text import content_hash, extract_article
from .urls import article_id, canonicalize_url

__all__ = [
    "Fingerprint",
    "article_from_text",
    "article_id",
    "best_match",
    "canonicalize_url",
    "content_hash",
    "detect_language",
    "extract_article",
    "fingerprint",
    "text_paragraphs",
]
