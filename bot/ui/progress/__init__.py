"""bot/ui/progress."""
