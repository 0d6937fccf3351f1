"""Placeholder: this command is being written (see the open issues)."""
