"""Members' suggestions and uploaded pack files waiting for a moderator (migration 007)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, Row, from_text_not_null, to_text
from bot.store.packs import NewQuestion, bump_version

SUGGESTION_COLUMNS = (
    "id, guild_id, author_id, body, status, reason, channel_id, message_id, question_id, "
    "decided_by, created_at"
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A member's suggestion and its state."""

    id: int
    guild_id: int
    author_id: int
    body: str
    status: str
    reason: str | None
    channel_id: int | None
    message_id: int | None
    question_id: str | None
    decided_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded pack file waiting for its confirmation."""

    id: int
    guild_id: int
    user_id: int
    filename: str
    body: str
    status: str
    created_at: datetime


def _suggestion(row: Row) -> Suggestion:
    return Suggestion(
        id=row["id"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        body=row["body"],
        status=row["status"],
        reason=row["reason"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        question_id=row["question_id"],
        decided_by=row["decided_by"],
        created_at=from_text_not_null(row["created_at"]),
    )


class Reviews:
    """The SQL of suggestions and uploads; bot/domain/packs decides what is allowed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_suggestion(
        self, guild_id: int, author_id: int, body: str, status: str, now: datetime
    ) -> int:
        """Record a suggestion; its id."""
        return await self.db.insert(
            "INSERT INTO suggestions (guild_id, author_id, body, status, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (guild_id, author_id, body, status, to_text(now)),
        )

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        """One suggestion by id."""
        row = await self.db.fetchone(
            f"SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE id = ?", (suggestion_id,)
        )
        return _suggestion(row) if row else None

    async def suggested_since(self, guild_id: int, author_id: int, since: datetime) -> int:
        """How many suggestions (drafts apart) a member sent to review in a server since then."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM suggestions WHERE guild_id = ? AND author_id = ? "
            "AND created_at >= ? AND status <> 'draft'",
            (guild_id, author_id, to_text(since)),
        )
        return int(row[0]) if row else 0

    async def revise(self, suggestion_id: int, body: str, status: str, now: datetime) -> bool:
        """New text for a draft or pending suggestion (its author fixed it, a moderator edited
        it); a fixed draft counts from now. False once it was decided."""
        return bool(
            await self.db.execute(
                "UPDATE suggestions SET body = ?, status = ?, "
                "created_at = CASE WHEN status = 'draft' THEN ? ELSE created_at END "
                "WHERE id = ? AND status IN ('draft', 'pending')",
                (body, status, to_text(now), suggestion_id),
            )
        )

    async def set_review_message(
        self, suggestion_id: int, channel_id: int, message_id: int
    ) -> None:
        """Where the suggestion is shown for review."""
        await self.db.execute(
            "UPDATE suggestions SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, suggestion_id),
        )

    async def reject(self, suggestion_id: int, by: int, reason: str, now: datetime) -> bool:
        """Reject a pending suggestion; False if it was decided already."""
        return bool(
            await self.db.execute(
                "UPDATE suggestions SET status = 'rejected', reason = ?, decided_by = ?, "
                "decided_at = ? WHERE id = ? AND status = 'pending'",
                (reason, by, to_text(now), suggestion_id),
            )
        )

    async def approve(
        self, suggestion_id: int, new: NewQuestion, by: int, now: datetime
    ) -> Suggestion | None:
        """Approve a pending suggestion and store the question it becomes, together; None if
        it was decided already (two moderators clicking at once: one wins)."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE id = ?" + tx.for_update,
                (suggestion_id,),
            )
            if row is None or row["status"] != "pending":
                return None
            found = _suggestion(row)
            await tx.execute(
                "INSERT INTO pack_questions (guild_id, question_id, topic, title, body, origin, "
                "added_by, added_at) VALUES (?, ?, ?, ?, ?, 'suggestion', ?, ?)",
                (
                    found.guild_id,
                    new.question_id,
                    new.topic,
                    new.title,
                    new.body,
                    found.author_id,
                    to_text(now),
                ),
            )
            await tx.execute(
                "UPDATE suggestions SET status = 'approved', question_id = ?, decided_by = ?, "
                "decided_at = ? WHERE id = ?",
                (new.question_id, by, to_text(now), suggestion_id),
            )
            await bump_version(tx, found.guild_id, now)
        return found

    async def add_upload(
        self, guild_id: int, user_id: int, filename: str, body: str, now: datetime
    ) -> int:
        """Keep an uploaded file until it is confirmed; its id."""
        return await self.db.insert(
            "INSERT INTO pack_uploads (guild_id, user_id, filename, body, status, created_at) "
            "VALUES (?, ?, ?, ?, 'pending', ?)",
            (guild_id, user_id, filename, body, to_text(now)),
        )

    async def upload(self, upload_id: int) -> Upload | None:
        """One upload by id."""
        row = await self.db.fetchone(
            "SELECT id, guild_id, user_id, filename, body, status, created_at FROM pack_uploads "
            "WHERE id = ?",
            (upload_id,),
        )
        if row is None:
            return None
        return Upload(
            row["id"],
            row["guild_id"],
            row["user_id"],
            row["filename"],
            row["body"],
            row["status"],
            from_text_not_null(row["created_at"]),
        )

    async def finish_upload(self, upload_id: int, status: str, now: datetime) -> bool:
        """Mark a pending upload stored or cancelled; False if it was finished already."""
        return bool(
            await self.db.execute(
                "UPDATE pack_uploads SET status = ?, decided_at = ? "
                "WHERE id = ? AND status = 'pending'",
                (status, to_text(now), upload_id),
            )
        )
