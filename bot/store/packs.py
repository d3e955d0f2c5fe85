"""Servers' own questions, members' suggestions and pending pack uploads (migration 007)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, Row, Runner, from_text, to_text

QUESTION_COLUMNS = "question_id, guild_id, topic, title, body, origin, added_by, removed_at"


@dataclass(frozen=True, slots=True)
class PackServer:
    """A server's review channel and switched-off bundled topics."""

    guild_id: int
    review_channel_id: int | None = None
    topics_off: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PackQuestionRow:
    """One stored server question (removed ones too)."""

    question_id: str
    guild_id: int
    topic: str
    title: str
    body: str
    origin: str
    added_by: int
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewQuestion:
    """A checked question to store under its namespaced id."""

    question_id: str
    topic: str
    title: str
    body: str


def _question(row: Row) -> PackQuestionRow:
    return PackQuestionRow(
        row["question_id"],
        row["guild_id"],
        row["topic"],
        row["title"],
        row["body"],
        row["origin"],
        row["added_by"],
        from_text(row["removed_at"]),
    )


BUMP = (
    "INSERT INTO pack_servers (guild_id, updated_at, version) VALUES (?, ?, 1) "
    "ON CONFLICT (guild_id) DO UPDATE SET version = pack_servers.version + 1, "
    "updated_at = excluded.updated_at"
)


async def bump_version(tx: Runner, guild_id: int, now: datetime) -> None:
    """Mark the server's pack changed, in the transaction that changes it."""
    await tx.execute(BUMP, (guild_id, to_text(now)))


class Packs:
    """The SQL of server packs; the domain (bot/domain/packs) decides what is allowed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def server(self, guild_id: int) -> PackServer:
        """A server's settings (the defaults when it never changed any)."""
        row = await self.db.fetchone(
            "SELECT review_channel_id, topics_off FROM pack_servers WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return PackServer(guild_id)
        off = tuple(t for t in row["topics_off"].split(",") if t)
        return PackServer(guild_id, row["review_channel_id"], off)

    async def servers(self) -> list[PackServer]:
        """Every server that changed a setting."""
        rows = await self.db.fetchall(
            "SELECT guild_id, review_channel_id, topics_off FROM pack_servers ORDER BY guild_id"
        )
        return [
            PackServer(
                r["guild_id"],
                r["review_channel_id"],
                tuple(t for t in r["topics_off"].split(",") if t),
            )
            for r in rows
        ]

    async def set_review_channel(self, guild_id: int, channel_id: int, now: datetime) -> None:
        """Where this server's suggestions are reviewed."""
        await self.db.execute(
            "INSERT INTO pack_servers (guild_id, review_channel_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET review_channel_id = excluded.review_channel_id, "
            "updated_at = excluded.updated_at",
            (guild_id, channel_id, to_text(now)),
        )

    async def set_topics_off(self, guild_id: int, topics: Sequence[str], now: datetime) -> None:
        """The bundled topics this server switched off."""
        await self.db.execute(
            "INSERT INTO pack_servers (guild_id, topics_off, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET topics_off = excluded.topics_off, "
            "updated_at = excluded.updated_at, version = pack_servers.version + 1",
            (guild_id, ",".join(topics), to_text(now)),
        )

    async def questions(self, guild_id: int | None = None) -> list[PackQuestionRow]:
        """A server's questions (every server's when None), removed ones included."""
        where, params = ("WHERE guild_id = ? ", (guild_id,)) if guild_id is not None else ("", ())
        rows = await self.db.fetchall(
            f"SELECT {QUESTION_COLUMNS} FROM pack_questions {where}ORDER BY id", params
        )
        return [_question(r) for r in rows]

    async def add_question(
        self, guild_id: int, new: NewQuestion, origin: str, by: int, now: datetime
    ) -> None:
        """Store one question (an approved suggestion); its id must be new to the server."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO pack_questions (guild_id, question_id, topic, title, body, origin, "
                "added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    new.question_id,
                    new.topic,
                    new.title,
                    new.body,
                    origin,
                    by,
                    to_text(now),
                ),
            )
            await bump_version(tx, guild_id, now)

    async def replace_pack(
        self, guild_id: int, pack: Sequence[NewQuestion], by: int, now: datetime
    ) -> int:
        """Make the server's questions exactly these (an upload): new ones are added, known ones
        replaced (and restored if removed), the rest marked removed. Returns how many were."""
        async with self.db.transaction() as tx:
            for new in pack:
                await tx.execute(
                    "INSERT INTO pack_questions (guild_id, question_id, topic, title, body, "
                    "origin, added_by, added_at) VALUES (?, ?, ?, ?, ?, 'upload', ?, ?) "
                    "ON CONFLICT (question_id) DO UPDATE SET topic = excluded.topic, "
                    "title = excluded.title, body = excluded.body, removed_at = NULL",
                    (guild_id, new.question_id, new.topic, new.title, new.body, by, to_text(now)),
                )
            kept = {new.question_id for new in pack}
            rows = await tx.fetchall(
                "SELECT question_id FROM pack_questions WHERE guild_id = ? AND removed_at IS NULL"
                + tx.for_update,
                (guild_id,),
            )
            gone = [r["question_id"] for r in rows if r["question_id"] not in kept]
            for question_id in gone:
                await tx.execute(
                    "UPDATE pack_questions SET removed_at = ? WHERE question_id = ?",
                    (to_text(now), question_id),
                )
            await bump_version(tx, guild_id, now)
        return len(gone)

    async def version(self, guild_id: int) -> int:
        """One server's pack version (0: it never changed one)."""
        row = await self.db.fetchone(
            "SELECT version FROM pack_servers WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else 0

    async def versions(self) -> dict[int, int]:
        """Each server's pack version (see migration 008), to spot another process's change."""
        rows = await self.db.fetchall("SELECT guild_id, version FROM pack_servers")
        return {int(r["guild_id"]): int(r["version"]) for r in rows}

    async def count(self) -> tuple[int, int]:
        """(servers with a pack, current questions in all packs)."""
        row = await self.db.fetchone(
            "SELECT COUNT(DISTINCT guild_id), COUNT(*) FROM pack_questions WHERE removed_at IS NULL"
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def forget_user(self, user_id: int) -> int:
        """A member asked to be forgotten: their suggestions and uploads go; questions they
        gave the server stay with it, without their name."""
        async with self.db.transaction() as tx:
            removed = await tx.execute("DELETE FROM suggestions WHERE author_id = ?", (user_id,))
            removed += await tx.execute("DELETE FROM pack_uploads WHERE user_id = ?", (user_id,))
            await tx.execute(
                "UPDATE pack_questions SET added_by = 0 WHERE added_by = ?", (user_id,)
            )
        return removed
