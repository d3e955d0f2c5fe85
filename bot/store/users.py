"""Per-user settings and installation facts."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import UserSettings
from bot.store.db import Database, from_text, to_text


class Meta:
    """Small key/value facts about this installation (e.g. the synced commands' hash)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        """The value stored under key, if any."""
        row = await self.db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    async def set(self, key: str, value: str) -> None:
        """Store value under key, replacing any previous one."""
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class Users:
    """What a user chose about themselves, and what the bot learnt about reaching them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _ensure(self, user_id: int) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,)
        )

    async def dms_closed_until(self, user_id: int) -> datetime | None:
        """Until when the bot should not try to DM this user again."""
        row = await self.db.fetchone(
            "SELECT dms_closed_until FROM users WHERE user_id = ?", (user_id,)
        )
        return from_text(row["dms_closed_until"]) if row else None

    async def set_dms_closed_until(self, user_id: int, until: datetime | None) -> None:
        """Remember that DMs to this user failed (None: they work again)."""
        await self._ensure(user_id)
        await self.db.execute(
            "UPDATE users SET dms_closed_until = ? WHERE user_id = ?", (to_text(until), user_id)
        )

    async def settings(self, user_id: int) -> UserSettings:
        """A user's settings (the defaults for a user who never set any)."""
        row = await self.db.fetchone(
            "SELECT timezone, leaderboard, share_stats, peer_invites FROM users WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return UserSettings()
        return UserSettings(
            row["timezone"],
            bool(row["leaderboard"]),
            bool(row["share_stats"]),
            bool(row["peer_invites"]),
        )

    async def set_setting(self, user_id: int, name: str, value: object) -> None:
        """Change one of the user's own settings."""
        column = {
            "timezone": "timezone",
            "leaderboard": "leaderboard",
            "share_stats": "share_stats",
            "peer_invites": "peer_invites",
        }[name]  # a fixed list: never user text in SQL
        await self._ensure(user_id)
        await self.db.execute(f"UPDATE users SET {column} = ? WHERE user_id = ?", (value, user_id))

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything stored about a user; returns rows removed per table."""
        removed = {}
        async with self.db.transaction() as tx:
            for table in ("attempts", "cards", "rounds", "users"):
                removed[table] = await tx.execute(
                    f"DELETE FROM {table} WHERE user_id = ?", (user_id,)
                )
            removed["peer_invites"] = await tx.execute(
                "DELETE FROM peer_invites WHERE user_id = ? OR partner_id = ?", (user_id, user_id)
            )
            removed["peer_feedback"] = await tx.execute(
                "DELETE FROM peer_feedback WHERE candidate_id = ?", (user_id,)
            )
            # Feedback they gave stays with the member who got it, without their name.
            await tx.execute(
                "UPDATE peer_feedback SET interviewer_id = 0 WHERE interviewer_id = ?", (user_id,)
            )
            # Schedules belong to their server and stay, but no longer name who set them
            # (a pause notice then goes to the server's system channel).
            removed["schedules"] = await tx.execute(
                "UPDATE schedules SET created_by = 0 WHERE created_by = ?", (user_id,)
            )
        return removed
