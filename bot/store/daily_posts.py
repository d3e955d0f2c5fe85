"""The exactly-once ledger of daily posts: claim, then post, then reveal."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import DailyPost, Schedule
from bot.store.db import Database, to_text
from bot.store.schedules import POST_COLUMNS, _post


class DailyPosts:
    """Rows keyed by (channel, local date, kind); a claim is written before any message."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(
        self,
        schedule: Schedule,
        local_date: str,
        kind: str,
        question_id: str,
        now: datetime,
        reveal_at: datetime | None,
    ) -> DailyPost | None:
        """Claim the day's post; None if it was claimed before (never post twice)."""
        new_id = await self.db.insert(
            "INSERT INTO daily_posts (schedule_id, guild_id, channel_id, local_date, kind, "
            "question_id, status, tries, claimed_at, reveal_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'claimed', 1, ?, ?) "
            "ON CONFLICT (channel_id, local_date, kind) DO NOTHING",
            (
                schedule.id,
                schedule.guild_id,
                schedule.channel_id,
                local_date,
                kind,
                question_id,
                to_text(now),
                to_text(reveal_at),
            ),
        )
        if not new_id:
            return None
        return await self.get(new_id)

    async def reclaim(self, post_id: int, now: datetime) -> DailyPost | None:
        """Take a failed post back for another try; None if someone else already did."""
        changed = await self.db.execute(
            "UPDATE daily_posts SET status = 'claimed', tries = tries + 1, retry_at = NULL, "
            "claimed_at = ? WHERE id = ? AND status = 'failed'",
            (to_text(now), post_id),
        )
        return await self.get(post_id) if changed else None

    async def get(self, post_id: int) -> DailyPost | None:
        """One post by id."""
        row = await self.db.fetchone(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE id = ?", (post_id,)
        )
        return _post(row) if row else None

    async def find(self, channel_id: int, local_date: str, kind: str = "daily") -> DailyPost | None:
        """The post of a channel for a local date."""
        row = await self.db.fetchone(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE channel_id = ? AND local_date = ? "
            "AND kind = ?",
            (channel_id, local_date, kind),
        )
        return _post(row) if row else None

    async def mark_posted(
        self, post_id: int, message_id: int, thread_id: int | None, now: datetime
    ) -> None:
        """Record the message that carries the post."""
        await self.db.execute(
            "UPDATE daily_posts SET status = 'posted', message_id = ?, thread_id = ?, "
            "posted_at = ?, retry_at = NULL WHERE id = ?",
            (message_id, thread_id, to_text(now), post_id),
        )

    async def mark_failed(self, post_id: int, retry_at: datetime | None) -> None:
        """Record a failure; retry_at None means do not retry."""
        await self.db.execute(
            "UPDATE daily_posts SET status = 'failed', retry_at = ? WHERE id = ?",
            (to_text(retry_at), post_id),
        )

    async def with_status(self, status: str) -> list[DailyPost]:
        """Posts in one state (e.g. claims left by a crash)."""
        rows = await self.db.fetchall(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE status = ? ORDER BY id", (status,)
        )
        return [_post(r) for r in rows]

    async def retries_due(self, now: datetime) -> list[DailyPost]:
        """Failed posts whose retry time has come."""
        rows = await self.db.fetchall(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE status = 'failed' "
            "AND retry_at IS NOT NULL AND retry_at <= ? ORDER BY retry_at",
            (to_text(now),),
        )
        return [_post(r) for r in rows]

    async def history(self, channel_id: int) -> list[str]:
        """Question ids posted in a channel (daily posts and previews), oldest first: a preview
        takes its place in the rotation, so the next daily post does not repeat it."""
        rows = await self.db.fetchall(
            "SELECT question_id FROM daily_posts WHERE channel_id = ? ORDER BY local_date, id",
            (channel_id,),
        )
        return [r["question_id"] for r in rows]

    async def unrevealed(self, channel_id: int) -> list[DailyPost]:
        """Posted daily questions of a channel whose key points are not yet in their thread."""
        rows = await self.db.fetchall(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE channel_id = ? AND status = 'posted' "
            "AND revealed_at IS NULL AND kind = 'daily' ORDER BY local_date",
            (channel_id,),
        )
        return [_post(r) for r in rows]

    async def reveals_due(self, now: datetime) -> list[DailyPost]:
        """Posted questions whose timed reveal is due."""
        rows = await self.db.fetchall(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE status = 'posted' "
            "AND revealed_at IS NULL AND reveal_at IS NOT NULL AND reveal_at <= ? "
            "ORDER BY reveal_at",
            (to_text(now),),
        )
        return [_post(r) for r in rows]

    async def mark_revealed(self, post_id: int, now: datetime) -> bool:
        """Record the reveal; False if it was already done."""
        return (
            await self.db.execute(
                "UPDATE daily_posts SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                (to_text(now), post_id),
            )
            > 0
        )

    async def count_by_status(self) -> dict[str, int]:
        """How many posts are in each state."""
        rows = await self.db.fetchall("SELECT status, COUNT(*) FROM daily_posts GROUP BY status")
        return {r[0]: int(r[1]) for r in rows}
