"""Answers, grades and reveals."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from bot.core.models import Attempt, Rating
from bot.core.scoring import core_tally, weighted_share
from bot.store.db import MAX_ROW_ID, Database, Row, from_text, to_text

COLUMNS = (
    "id, user_id, guild_id, channel_id, question_id, probe, source, answer, covered, "
    "total, rating, revealed, created_at, graded_at, core"
)


def _attempt(row: Row) -> Attempt:
    covered = json.loads(row["covered"]) if row["covered"] is not None else None
    core = json.loads(row["core"]) if row["core"] is not None else None
    created = from_text(row["created_at"])
    assert created is not None
    return Attempt(
        id=row["id"],
        user_id=row["user_id"],
        question_id=row["question_id"],
        probe=row["probe"],
        answer=row["answer"],
        covered=tuple(covered) if covered is not None else None,
        total=row["total"],
        rating=Rating(row["rating"]) if row["rating"] else None,
        created_at=created,
        graded_at=from_text(row["graded_at"]),
        guild_id=row["guild_id"],
        source=row["source"],
        revealed=bool(row["revealed"]),
        core=tuple(core) if core is not None else None,
    )


class Attempts:
    """Every answer a user gave, graded or not, and every reveal."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_answer(
        self,
        *,
        user_id: int,
        question_id: str,
        probe: int | None,
        answer: str,
        total: int,
        source: str,
        now: datetime,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> Attempt:
        """Save an answer, still ungraded."""
        new_id = await self.db.insert(
            "INSERT INTO attempts (user_id, guild_id, channel_id, question_id, probe, source, "
            "answer, total, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                guild_id,
                channel_id,
                question_id,
                probe,
                source,
                answer,
                total,
                to_text(now),
            ),
        )
        found = await self.get(new_id)
        assert found is not None
        return found

    async def add_reveal(
        self,
        *,
        user_id: int,
        question_id: str,
        total: int,
        now: datetime,
        guild_id: int | None = None,
        channel_id: int | None = None,
        source: str = "followup",
    ) -> Attempt:
        """Record that a user looked at the key points without answering (counts as Again)."""
        new_id = await self.db.insert(
            "INSERT INTO attempts (user_id, guild_id, channel_id, question_id, source, total, "
            "rating, revealed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
            (
                user_id,
                guild_id,
                channel_id,
                question_id,
                source,
                total,
                Rating.AGAIN.value,
                to_text(now),
            ),
        )
        found = await self.get(new_id)
        assert found is not None
        return found

    async def get(self, attempt_id: int) -> Attempt | None:
        """One attempt by id."""
        if not 0 < attempt_id <= MAX_ROW_ID:
            return None
        row = await self.db.fetchone(f"SELECT {COLUMNS} FROM attempts WHERE id = ?", (attempt_id,))
        return _attempt(row) if row else None

    async def grade(
        self,
        attempt_id: int,
        covered: list[int],
        rating: Rating,
        now: datetime,
        core: Iterable[int] | None = None,
    ) -> Attempt:
        """Store which key points the user ticked, which of them were core (None: unknown, so
        equal weights), the rating that follows, and the shares /stats sums (migration 006)."""
        ticks = sorted(set(covered))
        marks = None if core is None else sorted(set(core))
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT total FROM attempts WHERE id = ?" + tx.for_update, (attempt_id,)
            )
            total = int(row["total"]) if row else 0
            tally = core_tally(ticks, total, marks)
            await tx.execute(
                "UPDATE attempts SET covered = ?, core = ?, rating = ?, graded_at = ?, "
                "score = ?, weighted = ?, core_covered = ?, "
                "core_total = ? WHERE id = ?",
                (
                    json.dumps(ticks),
                    None if marks is None else json.dumps(marks),
                    rating.value,
                    to_text(now),
                    len(ticks) / max(total, 1),
                    weighted_share(ticks, total, marks),
                    tally[0] if tally else None,
                    tally[1] if tally else None,
                    attempt_id,
                ),
            )
        found = await self.get(attempt_id)
        assert found is not None
        return found

    async def discard_ungraded(self, attempt_id: int) -> bool:
        """Delete an answer that was saved for a round step another transition had already
        closed (it lost the race: nothing refers to it); graded answers are never deleted."""
        deleted = await self.db.execute(
            "DELETE FROM attempts WHERE id = ? AND covered IS NULL AND revealed = 0",
            (attempt_id,),
        )
        return deleted > 0

    async def rerate(self, attempt_id: int, rating: Rating) -> None:
        """Let the user override the suggested rating."""
        await self.db.execute(
            "UPDATE attempts SET rating = ? WHERE id = ?", (rating.value, attempt_id)
        )

    async def for_user(self, user_id: int, limit: int | None = None) -> list[Attempt]:
        """A user's attempts, oldest first."""
        sql = f"SELECT {COLUMNS} FROM attempts WHERE user_id = ? ORDER BY created_at, id"
        params: tuple[int, ...] = (user_id,)
        if limit is not None:
            sql = (
                f"SELECT * FROM (SELECT {COLUMNS} FROM attempts WHERE user_id = ? "
                "ORDER BY created_at DESC, id DESC LIMIT ?) AS recent ORDER BY created_at, id"
            )
            params = (user_id, limit)
        return [_attempt(row) for row in await self.db.fetchall(sql, params)]

    async def graded_from(self, user_id: int, source: str) -> tuple[int, float]:
        """(graded answers, their weighted shares summed) of one source, e.g. peer-graded."""
        row = await self.db.fetchone(
            "SELECT COUNT(*), SUM(COALESCE(weighted, score)) FROM attempts "
            "WHERE user_id = ? AND source = ? AND score IS NOT NULL",
            (user_id, source),
        )
        if row is None or not row[0]:
            return 0, 0.0
        return int(row[0]), float(row[1] or 0.0)
