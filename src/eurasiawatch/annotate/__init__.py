"""The annotate stage: knowledge base (countries, regions, actors, cities), then matching."""

from .kb import (
    ACTOR_TYPES,
    Actor,
    Country,
    KBIssue,
    KnowledgeBase,
    KnowledgeBaseError,
    Region,
    load_kb,
    user_kb_path,
)

__all__ = [
    "ACTOR_TYPES",
    "Actor",
    "Country",
    "KBIssue",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Region",
    "load_kb",
    "user_kb_path",
]
