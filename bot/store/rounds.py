"""Mock rounds, stored as the state machine's JSON after every transition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.round_state import Phase, Round
from bot.store.db import Conflict, Database, from_text, to_text

STATUS = {
    Phase.ANSWER: "active",
    Phase.GRADE: "active",
    Phase.DONE: "done",
    Phase.STOPPED: "stopped",
}


SAVE = "UPDATE rounds SET status = ?, state = ?, next_timer = ?, updated_at = ? WHERE id = ?"


class ActiveRoundExists(Exception):
    """The user already has a round running."""


@dataclass(frozen=True, slots=True)
class Advanced:
    """What a transition found: the round as stored afterwards (None: no such round), and
    whether this call moved it (False: the transition no longer applied, nothing written)."""

    state: Round | None
    moved: bool


def _saved(state: Round, now: datetime) -> tuple[Any, ...]:
    return (
        STATUS[state.phase],
        state.to_json(),
        to_text(state.next_timer()),
        to_text(now),
        state.id,
    )


class Rounds:
    """Rounds by id and by user; at most one active per user."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, user_id: int, begin: Callable[[int], Round], now: datetime) -> Round:
        """A new active round: its id reserved and its first state (`begin(id)`) saved in one
        transaction. ActiveRoundExists if the user has one running (in any process)."""
        try:
            async with self.db.transaction() as tx:
                round_id = await tx.insert(
                    "INSERT INTO rounds (user_id, status, state, created_at, updated_at) "
                    "VALUES (?, 'active', '{}', ?, ?)",
                    (user_id, to_text(now), to_text(now)),
                )
                state = begin(round_id)
                await tx.execute(SAVE, _saved(state, now))
        except Conflict:
            raise ActiveRoundExists(user_id) from None
        return state

    async def save(self, state: Round, now: datetime) -> None:
        """Persist a state as it is (set-up and tests; transitions go through advance)."""
        await self.db.execute(SAVE, _saved(state, now))

    async def advance(
        self, round_id: int, change: Callable[[Round], Round | None], now: datetime
    ) -> Advanced:
        """One transition as a read-modify-write in one transaction that locks the round's
        row: `change` (pure) gets the round as stored and returns its next state, or None when
        the transition no longer applies (the round moved on: a second timer, another
        process, a double click). So however many processes race, a round moves once."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT state FROM rounds WHERE id = ? AND state != '{{}}' {tx.for_update}",
                (round_id,),
            )
            if row is None:
                return Advanced(None, False)
            current = Round.from_json(row["state"])
            moved = change(current)
            if moved is None or moved == current:
                return Advanced(current, False)
            await tx.execute(SAVE, _saved(moved, now))
            return Advanced(moved, True)

    async def abandon(self, round_id: int, now: datetime) -> bool:
        """Give up a running round without a scorecard (e.g. it never reached the user);
        False if it was no longer running."""
        changed = await self.db.execute(
            "UPDATE rounds SET status = 'abandoned', next_timer = NULL, updated_at = ? "
            "WHERE id = ? AND status = 'active'",
            (to_text(now), round_id),
        )
        return changed > 0

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
