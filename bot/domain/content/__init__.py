"""bot/domain/content."""
