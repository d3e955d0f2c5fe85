"""The SQLite connection: pragmas, forward-only migrations, and small query helpers."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def to_text(when: datetime | None) -> str | None:
    """Store times as UTC ISO-8601 text, which also sorts correctly."""
    if when is None:
        return None
    if when.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str | None) -> datetime | None:
    """Read a stored time back as an aware UTC datetime."""
    return None if text is None else datetime.fromisoformat(text)


MAX_ROW_ID = 2**63 - 1  # SQLite INTEGER; larger ids (forged custom_ids) cannot be rows


def migrations() -> list[tuple[int, Path]]:
    """The numbered migration files, in order, checked to have no gaps."""
    found = sorted(
        (int(m.group(1)), path)
        for path in MIGRATIONS.glob("*.sql")
        if (m := MIGRATION_NAME.match(path.name))
    )
    for expected, (number, path) in enumerate(found, start=1):
        if number != expected:
            raise RuntimeError(f"migration {path.name}: expected number {expected:03d}")
    return found


class Runner:
    """Statements on the connection, without locking: used inside a transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; return lastrowid (inserts) or rowcount."""
        cursor = await self.conn.execute(sql, tuple(params))
        # lastrowid is connection-wide: after an INSERT that inserted nothing (ON CONFLICT DO
        # NOTHING) it still holds an older row's id, so only trust it when a row was written.
        inserted = sql.lstrip().upper().startswith("INSERT")
        result = (cursor.lastrowid if cursor.rowcount > 0 else 0) if inserted else cursor.rowcount
        await cursor.close()
        return int(result or 0)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows."""
        await self.conn.executemany(sql, [tuple(r) for r in rows])

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())


class Database:
    """One aiosqlite connection shared by the bot.

    aiosqlite serialises single calls, not transactions: a lock keeps one coroutine's statements
    out of another's open transaction.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._runner = Runner(conn)

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating folders and file), set pragmas and apply pending migrations."""
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        # WAL + NORMAL never corrupts and loses nothing on an application crash (FACTS.md).
        for pragma in (
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
            "busy_timeout = 5000",
        ):
            await conn.execute(f"PRAGMA {pragma}")
        db = cls(conn, path)
        await db.migrate()
        return db

    async def migrate(self) -> int:
        """Apply migrations newer than PRAGMA user_version, each in one transaction."""
        row = await self.fetchone("PRAGMA user_version")
        current = int(row[0]) if row else 0
        for number, path in migrations():
            if number <= current:
                continue
            script = path.read_text(encoding="utf-8")
            async with self._lock:
                await self.conn.executescript(
                    f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
            log.info("applied migration %s", path.name)
            current = number
        return current

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        async with self._lock:
            await self.conn.close()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement on its own; return lastrowid (inserts) or rowcount."""
        async with self._lock:
            return await self._runner.execute(sql, params)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        async with self._lock:
            return await self._runner.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        async with self._lock:
            return await self._runner.fetchall(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Runner]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error), holding the lock throughout."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._runner
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")
