"""bot/domain/admin: what the owner sees in /admin status."""
