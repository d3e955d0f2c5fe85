"""Mock rounds, stored as the state machine's JSON after every transition."""

from __future__ import annotations

from datetime import datetime

from bot.core.round_state import Phase, Round
from bot.store.db import Conflict, Database, from_text, to_text

STATUS = {
    Phase.ANSWER: "active",
    Phase.GRADE: "active",
    Phase.DONE: "done",
    Phase.STOPPED: "stopped",
}


class ActiveRoundExists(Exception):
    """The user already has a round running."""


class Rounds:
    """Rounds by id and by user; at most one active per user."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, user_id: int, now: datetime) -> int:
        """Reserve an id for a new active round (the state is saved right after)."""
        try:
            return await self.db.insert(
                "INSERT INTO rounds (user_id, status, state, created_at, updated_at) "
                "VALUES (?, 'active', '{}', ?, ?)",
                (user_id, to_text(now), to_text(now)),
            )
        except Conflict:
            raise ActiveRoundExists(user_id) from None

    async def save(self, state: Round, now: datetime) -> None:
        """Persist a transition."""
        await self.db.execute(
            "UPDATE rounds SET status = ?, state = ?, next_timer = ?, updated_at = ? WHERE id = ?",
            (
                STATUS[state.phase],
                state.to_json(),
                to_text(state.next_timer()),
                to_text(now),
                state.id,
            ),
        )

    async def abandon(self, round_id: int, now: datetime) -> None:
        """Give up a round without a scorecard (e.g. it never reached the user)."""
        await self.db.execute(
            "UPDATE rounds SET status = 'abandoned', next_timer = NULL, updated_at = ? "
            "WHERE id = ?",
            (to_text(now), round_id),
        )

    async def saved_at(self, round_id: int) -> datetime | None:
        """When a round was last saved."""
        row = await self.db.fetchone("SELECT updated_at FROM rounds WHERE id = ?", (round_id,))
        return from_text(row["updated_at"]) if row else None

    async def get(self, round_id: int) -> Round | None:
        """A round by id."""
        row = await self.db.fetchone(
            "SELECT state FROM rounds WHERE id = ? AND state != '{}'", (round_id,)
        )
        return Round.from_json(row["state"]) if row else None

    async def active_for(self, user_id: int) -> Round | None:
        """The user's running round, if any."""
        row = await self.db.fetchone(
            "SELECT state FROM rounds WHERE user_id = ? AND status = 'active' AND state != '{}'",
            (user_id,),
        )
        return Round.from_json(row["state"]) if row else None

    async def all_active(self) -> list[Round]:
        """Every running round (to resume after a restart)."""
        rows = await self.db.fetchall(
            "SELECT state FROM rounds WHERE status = 'active' AND state != '{}' ORDER BY id"
        )
        return [Round.from_json(r["state"]) for r in rows]

    async def finished_for(self, user_id: int, limit: int = 10) -> list[Round]:
        """A user's finished or stopped rounds, newest first."""
        rows = await self.db.fetchall(
            "SELECT state FROM rounds WHERE user_id = ? AND status IN ('done', 'stopped') "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [Round.from_json(r["state"]) for r in rows]

    async def count_active(self) -> int:
        """How many rounds are running."""
        row = await self.db.fetchone("SELECT COUNT(*) FROM rounds WHERE status = 'active'")
        return int(row[0]) if row else 0
