"""The annotate stage."""
