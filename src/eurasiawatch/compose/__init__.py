"""The compose stage: draft an edition from the window's stories, every sentence cited."""

from .citations import CheckSource, check_block, check_sentence, citation_of
from .edition import ComposeOptions, DataPoint, draft_edition, merge_redraft
from .markdown import EditError, apply_markdown, edition_to_markdown
from .select import StoryMaterial, select_stories

__all__ = [
    "CheckSource",
    "ComposeOptions",
    "DataPoint",
    "EditError",
    "StoryMaterial",
    "apply_markdown",
    "check_block",
    "check_sentence",
    "citation_of",
    "draft_edition",
    "edition_to_markdown",
    "merge_redraft",
    "select_stories",
]
