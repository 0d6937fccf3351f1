"""Placeholder until this command group lands."""
