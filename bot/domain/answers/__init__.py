"""bot/domain/answers."""
