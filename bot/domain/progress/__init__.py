"""bot/domain/progress."""
