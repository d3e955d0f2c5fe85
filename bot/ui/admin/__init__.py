"""bot/ui/admin: /admin's embeds."""
