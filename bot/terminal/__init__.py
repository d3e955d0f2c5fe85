"""bot/terminal."""
