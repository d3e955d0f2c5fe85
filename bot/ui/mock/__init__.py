"""bot/ui/mock."""
