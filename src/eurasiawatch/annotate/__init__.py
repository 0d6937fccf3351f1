"""The annotate stage: knowledge base (countries, regions, actors, cities), then matching."""

from .gazetteer import City, Gazetteer, city_traps, load_gazetteer, lookup_city
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
    "City",
    "Country",
    "Gazetteer",
    "KBIssue",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Region",
    "city_traps",
    "load_gazetteer",
    "load_kb",
    "lookup_city",
    "user_kb_path",
]
