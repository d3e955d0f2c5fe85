"""bot/domain/mock."""
