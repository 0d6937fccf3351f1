"""The extract stage: article text and metadata, language, canonical URL and article id.

Page ─▶ extract_article ─▶ Article
"""

from __future__ import annotations

from .language import detect_language
from .text import content_hash, extract_article
from .urls import article_id, canonicalize_url

__all__ = ["article_id", "canonicalize_url", "content_hash", "detect_language", "extract_article"]
