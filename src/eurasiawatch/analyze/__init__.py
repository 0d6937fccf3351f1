"""The analyze stage: stories across outlets and languages, reprint chains, who reported first, ranking."""

from .batch import ClusterResult, article_signals, cluster_annotated, cluster_articles
from .similarity import FEATURES, WEIGHTS, Signals, extract_signals, pair_features, pair_score
from .stories import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    Story,
    StoryClusterer,
    cluster_signals,
    story_id_for,
    summarize_story,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW",
    "FEATURES",
    "WEIGHTS",
    "ClusterResult",
    "Signals",
    "Story",
    "StoryClusterer",
    "article_signals",
    "cluster_annotated",
    "cluster_articles",
    "cluster_signals",
    "extract_signals",
    "pair_features",
    "pair_score",
    "story_id_for",
    "summarize_story",
]
