"""Cluster a batch of articles end to end: annotate each, take its signals, cluster, summarise.

The one code path behind ``eurasiawatch cluster`` (articles from a file) and the bench; the stored
pipeline (``analyzing.py``) uses the same :func:`article_signals` and
:class:`~.stories.StoryClusterer`, reading annotations from the store instead of making them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..annotate import KnowledgeBase, annotate_article
from ..errors import AnnotationError
from ..records import Annotation, Article
from .similarity import Signals, extract_signals
from .stories import DEFAULT_THRESHOLD, DEFAULT_WINDOW, Story, cluster_signals, summarize_story

__all__ = ["ClusterResult", "article_signals", "cluster_annotated", "cluster_articles"]


@dataclass(frozen=True, slots=True)
class ClusterResult:
    """Where each article went, and the stories."""

    assignments: tuple[tuple[str, str], ...]  # (article id, story id), in input order
    stories: Mapping[str, Story]


def article_signals(article: Article, annotation: Annotation | None) -> Signals:
    """The clustering signals of an extracted article and its annotation."""
    return extract_signals(
        article.article_id,
        annotation,
        title=article.title,
        text=article.text,
        published=article.published,
        language=article.language or (annotation.language if annotation else None),
        outlet=article.outlet,
    )


def cluster_annotated(
    pairs: Iterable[tuple[Article, Annotation | None]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: int = DEFAULT_WINDOW,
    duplicates: Mapping[str, str] | None = None,
) -> ClusterResult:
    """Cluster articles whose annotations are already made.

    Args:
        pairs: each article with its annotation (None when it could not be annotated).
        threshold: pair score needed to join a story.
        window: days either side within which articles are compared.
        duplicates: article id → the article it near-duplicates.

    Returns:
        Each article's story id, in input order, and every story's record.
    """
    rows = list(pairs)
    signals = [article_signals(article, annotation) for article, annotation in rows]
    assigned = cluster_signals(signals, threshold=threshold, window=window, duplicates=duplicates)
    members: dict[str, list[tuple[Signals, Annotation | None]]] = defaultdict(list)
    for s, (_, annotation) in zip(signals, rows, strict=True):
        members[assigned[s.article_id]].append((s, annotation))
    stories = {sid: summarize_story(sid, m) for sid, m in members.items()}
    return ClusterResult(
        assignments=tuple((s.article_id, assigned[s.article_id]) for s in signals), stories=stories
    )


def cluster_articles(
    articles: Iterable[Article],
    kb: KnowledgeBase,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: int = DEFAULT_WINDOW,
) -> ClusterResult:
    """Annotate articles with the annotator, then cluster them into stories.

    An article the annotator rejects is still clustered, on its text signals alone.

    Args:
        articles: extracted articles (ids must be unique).
        kb: the knowledge base.
        threshold: pair score needed to join a story.
        window: days either side within which articles are compared.

    Returns:
        Each article's story id, in input order, and every story's record.
    """
    pairs: list[tuple[Article, Annotation | None]] = []
    for article in articles:
        try:
            annotation: Annotation | None = annotate_article(article, kb)
        except AnnotationError:
            annotation = None
        pairs.append((article, annotation))
    return cluster_annotated(pairs, threshold=threshold, window=window)
