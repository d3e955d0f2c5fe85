"""Spaced-repetition cards, graded scores for stats, and the bot's uptime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.store.db import Database, Row, from_text, from_text_not_null, to_text


@dataclass(frozen=True, slots=True)
class CardRow:
    """One user's card for one question."""

    question_id: str
    card: str
    previous: str | None
    last_attempt_id: int | None
    due: datetime


def _card(row: Row) -> CardRow:
    due = from_text(row["due"])
    assert due is not None
    return CardRow(
        question_id=row["question_id"],
        card=row["card"],
        previous=row["previous"],
        last_attempt_id=row["last_attempt_id"],
        due=due,
    )


@dataclass(frozen=True, slots=True)
class QuestionScores:
    """A user's graded answers to one question: how many, their coverage summed (0–1 each),
    plain and weighted (core points double), and the core points covered and asked.

    Sums rather than means, so groups add up (migrations 005 and 006 keep them).
    """

    question_id: str
    answers: int
    total: float
    weighted: float
    core_covered: int
    core_total: int


@dataclass(frozen=True, slots=True)
class DayScores:
    """A user's graded answers on one UTC day: count, coverage summed (plain, then weighted),
    first and last time."""

    day: date
    answers: int
    total: float
    first_at: datetime
    last_at: datetime
    weighted: float


class Cards:
    """FSRS cards, keyed by (user, question)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int, question_id: str) -> CardRow | None:
        """A user's card for a question."""
        row = await self.db.fetchone(
            "SELECT question_id, card, previous, last_attempt_id, due FROM cards "
            "WHERE user_id = ? AND question_id = ?",
            (user_id, question_id),
        )
        return _card(row) if row else None

    async def put(
        self,
        user_id: int,
        question_id: str,
        card: str,
        previous: str | None,
        attempt_id: int | None,
        due: datetime,
    ) -> None:
        """Store a card after a review."""
        await self.db.execute(
            "INSERT INTO cards (user_id, question_id, card, previous, last_attempt_id, due) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, question_id) DO UPDATE SET "
            "card = excluded.card, previous = excluded.previous, "
            "last_attempt_id = excluded.last_attempt_id, due = excluded.due",
            (user_id, question_id, card, previous, attempt_id, to_text(due)),
        )

    async def for_user(self, user_id: int) -> list[CardRow]:
        """Every card of a user."""
        rows = await self.db.fetchall(
            "SELECT question_id, card, previous, last_attempt_id, due FROM cards "
            "WHERE user_id = ? ORDER BY due",
            (user_id,),
        )
        return [_card(r) for r in rows]

    async def due(self, user_id: int, now: datetime) -> list[CardRow]:
        """Cards due at `now`, most overdue first."""
        rows = await self.db.fetchall(
            "SELECT question_id, card, previous, last_attempt_id, due FROM cards "
            "WHERE user_id = ? AND due <= ? ORDER BY due",
            (user_id, to_text(now)),
        )
        return [_card(r) for r in rows]

    async def scores(self, user_id: int) -> list[tuple[str, float, datetime]]:
        """(question, weighted coverage, graded at) of every graded answer, oldest first."""
        rows = await self.db.fetchall(
            "SELECT question_id, COALESCE(weighted, score), graded_at FROM attempts "
            "WHERE user_id = ? AND score IS NOT NULL ORDER BY graded_at",
            (user_id,),
        )
        return [(r[0], float(r[1]), from_text_not_null(r[2])) for r in rows]

    async def question_scores(self, user_id: int) -> list[QuestionScores]:
        """Graded answers per question, in no particular order (kept by migrations 005, 006)."""
        rows = await self.db.fetchall(
            "SELECT question_id, answers, total, weighted, core_covered, core_total "
            "FROM score_questions WHERE user_id = ?",
            (user_id,),
        )
        return [
            QuestionScores(r[0], int(r[1]), float(r[2]), float(r[3]), int(r[4]), int(r[5]))
            for r in rows
        ]

    async def day_scores(self, user_id: int) -> list[DayScores]:
        """Graded answers per UTC day, oldest first (kept by migrations 005 and 006)."""
        rows = await self.db.fetchall(
            "SELECT day, answers, total, first_at, last_at, weighted FROM score_days "
            "WHERE user_id = ? ORDER BY day",
            (user_id,),
        )
        return [
            DayScores(
                date.fromisoformat(r[0]),
                int(r[1]),
                float(r[2]),
                from_text_not_null(r[3]),
                from_text_not_null(r[4]),
                float(r[5]),
            )
            for r in rows
        ]

    async def graded_times(self, user_id: int, day: date) -> list[datetime]:
        """When each answer graded on a UTC day was graded, oldest first."""
        rows = await self.db.fetchall(
            "SELECT graded_at FROM attempts WHERE user_id = ? AND score IS NOT NULL "
            "AND graded_at >= ? AND graded_at < ? ORDER BY graded_at",
            (user_id, day.isoformat(), f"{day.isoformat()}U"),  # "U" sorts after the time's "T"
        )
        return [from_text_not_null(r[0]) for r in rows]

    async def guild_scores(
        self, guild_id: int, since: datetime | None
    ) -> list[tuple[int, float, datetime]]:
        """(user, weighted coverage, graded at) in a server since a time, opted-in users only."""
        rows = await self.db.fetchall(
            "SELECT a.user_id, COALESCE(a.weighted, a.score), a.graded_at FROM attempts AS a "
            "JOIN users AS u ON u.user_id = a.user_id AND u.leaderboard = 1 "
            "WHERE a.guild_id = ? AND a.graded_at >= ? AND a.score IS NOT NULL",
            (guild_id, to_text(since) if since else ""),
        )
        return [(int(r[0]), float(r[1]), from_text_not_null(r[2])) for r in rows]


class Uptime:
    """When the bot was running, so its own downtime never breaks a streak."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(self, now: datetime) -> int:
        """Record a start of the bot; returns the interval's id."""
        return await self.db.insert(
            "INSERT INTO uptime (started_at, last_seen) VALUES (?, ?)", (to_text(now), to_text(now))
        )

    async def seen(self, interval_id: int, now: datetime) -> None:
        """The bot is still up."""
        await self.db.execute(
            "UPDATE uptime SET last_seen = ? WHERE id = ?", (to_text(now), interval_id)
        )

    async def intervals(self) -> list[tuple[datetime, datetime]]:
        """Every (start, last seen) interval, oldest first."""
        rows = await self.db.fetchall("SELECT started_at, last_seen FROM uptime ORDER BY id")
        return [(from_text_not_null(r[0]), from_text_not_null(r[1])) for r in rows]
