"""Daily schedules and the posts made for them (the exactly-once ledger)."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import DailyPost, Schedule
from bot.store.db import Database, Row, from_text, to_text

SCHEDULE_COLUMNS = (
    "id, guild_id, channel_id, post_time, timezone, topics, role_id, use_thread, "
    "paused, pause_reason, created_by, created_at"
)
POST_COLUMNS = (
    "id, schedule_id, guild_id, channel_id, local_date, kind, question_id, status, "
    "tries, retry_at, message_id, thread_id, claimed_at, posted_at, reveal_at, "
    "revealed_at"
)


def _schedule(row: Row) -> Schedule:
    created = from_text(row["created_at"])
    assert created is not None
    return Schedule(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        post_time=row["post_time"],
        timezone=row["timezone"],
        topics=tuple(t for t in row["topics"].split(",") if t),
        role_id=row["role_id"],
        use_thread=bool(row["use_thread"]),
        paused=bool(row["paused"]),
        pause_reason=row["pause_reason"],
        created_by=row["created_by"],
        created_at=created,
    )


def _post(row: Row) -> DailyPost:
    claimed = from_text(row["claimed_at"])
    assert claimed is not None
    return DailyPost(
        id=row["id"],
        schedule_id=row["schedule_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        local_date=row["local_date"],
        kind=row["kind"],
        question_id=row["question_id"],
        status=row["status"],
        tries=row["tries"],
        retry_at=from_text(row["retry_at"]),
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        claimed_at=claimed,
        posted_at=from_text(row["posted_at"]),
        reveal_at=from_text(row["reveal_at"]),
        revealed_at=from_text(row["revealed_at"]),
    )


class Schedules:
    """One schedule per channel; the database is the truth, the scheduler holds a copy."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self,
        *,
        guild_id: int,
        channel_id: int,
        post_time: str,
        timezone: str,
        topics: tuple[str, ...],
        role_id: int | None,
        use_thread: bool,
        created_by: int,
        now: datetime,
    ) -> Schedule:
        """Create the channel's schedule or replace its settings (unpausing it)."""
        await self.db.execute(
            "INSERT INTO schedules (guild_id, channel_id, post_time, timezone, topics, role_id, "
            "use_thread, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(channel_id) DO UPDATE SET post_time = excluded.post_time, "
            "timezone = excluded.timezone, topics = excluded.topics, role_id = excluded.role_id, "
            "use_thread = excluded.use_thread, created_by = excluded.created_by, paused = 0, "
            "pause_reason = NULL, updated_at = excluded.updated_at",
            (
                guild_id,
                channel_id,
                post_time,
                timezone,
                ",".join(topics),
                role_id,
                int(use_thread),
                created_by,
                to_text(now),
                to_text(now),
            ),
        )
        found = await self.for_channel(channel_id)
        assert found is not None
        return found

    async def get(self, schedule_id: int) -> Schedule | None:
        """A schedule by id."""
        row = await self.db.fetchone(
            f"SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = ?", (schedule_id,)
        )
        return _schedule(row) if row else None

    async def for_channel(self, channel_id: int) -> Schedule | None:
        """The schedule of a channel, if any."""
        row = await self.db.fetchone(
            f"SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE channel_id = ?", (channel_id,)
        )
        return _schedule(row) if row else None

    async def for_guild(self, guild_id: int) -> list[Schedule]:
        """A server's schedules."""
        rows = await self.db.fetchall(
            f"SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE guild_id = ? ORDER BY channel_id",
            (guild_id,),
        )
        return [_schedule(r) for r in rows]

    async def active(self) -> list[Schedule]:
        """Every schedule that is not paused."""
        rows = await self.db.fetchall(
            f"SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE paused = 0 ORDER BY id"
        )
        return [_schedule(r) for r in rows]

    async def count(self) -> tuple[int, int]:
        """(all schedules, paused schedules)."""
        row = await self.db.fetchone("SELECT COUNT(*), COALESCE(SUM(paused), 0) FROM schedules")
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def set_paused(
        self, schedule_id: int, paused: bool, reason: str | None, now: datetime
    ) -> bool:
        """Pause or resume; True if the state changed (so a notice is sent only once)."""
        changed = await self.db.execute(
            "UPDATE schedules SET paused = ?, pause_reason = ?, updated_at = ? "
            "WHERE id = ? AND paused != ?",
            (int(paused), reason, to_text(now), schedule_id, int(paused)),
        )
        return changed > 0

    async def remove(self, schedule_id: int) -> bool:
        """Delete a schedule; its posts stay as history."""
        return await self.db.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,)) > 0

    async def remove_guild(self, guild_id: int) -> list[int]:
        """Delete a server's schedules (the bot left it); return their ids."""
        rows = await self.db.fetchall("SELECT id FROM schedules WHERE guild_id = ?", (guild_id,))
        await self.db.execute("DELETE FROM schedules WHERE guild_id = ?", (guild_id,))
        return [int(r["id"]) for r in rows]
