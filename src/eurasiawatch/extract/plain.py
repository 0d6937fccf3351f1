"""Articles straight from plain text (``.txt`` files, JSON Lines dumps): no HTML to extract."""

from __future__ import annotations

from datetime import datetime

from ..errors import ExtractionError
from ..records import Article
from .language import detect_language
from .text import content_hash
from .urls import article_id, canonicalize_url

__all__ = ["article_from_text", "text_paragraphs"]


def text_paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs of plain text: runs of lines between blank lines, or each line when none is blank."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    if "" not in lines:
        return tuple(line for line in lines if line)
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(" ".join(current))
            current = []
    return tuple(blocks)


def article_from_text(
    text: str,
    *,
    url: str,
    title: str | None = None,
    published: datetime | None = None,
    language: str | None = None,
    outlet: str | None = None,
    source: str | None = None,
    min_chars: int = 0,
    extracted_at: datetime | None = None,
) -> Article:
    """Build an Article from plain text.

    Args:
        text: the article's text; paragraphs at blank lines (else one per line).
        url: where it came from (a ``file://`` URL for local files); keys the article.
        title: its headline, if known.
        published: publication time, if known.
        language: a language the file states; it wins over detection (the operator knows better).
        outlet: the outlet credited.
        source: the source's name.
        min_chars: fail when the text is shorter than this.
        extracted_at: the run's clock.

    Raises:
        ExtractionError: the text is empty or shorter than ``min_chars``.
    """
    paragraphs = text_paragraphs(text)
    body = "\n\n".join(paragraphs)
    if not body:
        raise ExtractionError("empty text")
    if len(body) < min_chars:
        raise ExtractionError(f"too little text: {len(body)} characters, need at least {min_chars}")
    detected, score = detect_language(body)
    canonical = canonicalize_url(url)
    return Article(
        article_id=article_id(canonical),
        url=url,
        canonical_url=canonical,
        title=title,
        text=body,
        published=published,
        language=language or detected,
        language_score=None if language and language != detected else score,
        outlet=outlet,
        source=source,
        paragraphs=paragraphs,
        extracted_at=extracted_at,
        content_hash=content_hash(body),
    )
