"""The backfill stage."""
