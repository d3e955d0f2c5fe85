"""bot/ui/kit."""
