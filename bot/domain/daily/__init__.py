"""bot/domain/daily."""
