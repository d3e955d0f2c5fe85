"""Suggestion forms, review cards and buttons, pack upload previews."""
