"""bot/ui/answers."""
