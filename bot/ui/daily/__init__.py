"""bot/ui/daily."""
