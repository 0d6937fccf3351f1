"""Placeholder: this command group is being written (see the open issues)."""
