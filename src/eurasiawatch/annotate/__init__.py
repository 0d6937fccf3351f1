"""The annotate stage: knowledge base (countries, regions, actors, cities), then matching."""

from .annotator import MAX_CHARS, annotate_article, annotate_text, annotation_record
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
from .matcher import Hit, Matcher, get_matcher, match_text

__all__ = [
    "ACTOR_TYPES",
    "MAX_CHARS",
    "Actor",
    "City",
    "Country",
    "Gazetteer",
    "Hit",
    "KBIssue",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Matcher",
    "Region",
    "annotate_article",
    "annotate_text",
    "annotation_record",
    "city_traps",
    "get_matcher",
    "load_gazetteer",
    "load_kb",
    "lookup_city",
    "match_text",
    "user_kb_path",
]
