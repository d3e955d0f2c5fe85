"""Slash commands: thin handlers that parse, call the domain, and render with bot.ui."""
