"""``python -m eurasiawatch`` runs the command line."""

from .cli import main

main()
