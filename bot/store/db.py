"""The SQLite connection: start-up checks, pragmas, forward-only migrations, query helpers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
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


def from_text_not_null(text: str) -> datetime:
    """A NOT NULL column's time read back: a datetime, never None (None raises TypeError)."""
    return datetime.fromisoformat(text)


MAX_ROW_ID = 2**63 - 1  # SQLite INTEGER; larger ids (forged custom_ids) cannot be rows


class StoreError(Exception):
    """The database cannot be used; the message is one line naming the file and the reason."""


class Conflict(Exception):
    """A write broke a UNIQUE constraint (the same in every backend)."""


class Row(Protocol):
    """A result row, by column name or position (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


def _unique(exc: sqlite3.IntegrityError) -> bool:
    return str(exc).startswith("UNIQUE constraint failed")


def explain(path: Path, exc: sqlite3.Error, role: str = "database") -> str:
    """One line for an SQLite error on opening or checking a file."""
    reasons = {
        "SQLITE_NOTADB": "not an SQLite database",
        "SQLITE_CORRUPT": "the file is damaged; restore a backup",
        "SQLITE_READONLY": "cannot be written (read-only file, folder or disk)",
        "SQLITE_CANTOPEN": "cannot be opened (check the file and its folder)",
        "SQLITE_BUSY": "locked by another process",
        "SQLITE_FULL": "the disk is full",
    }
    reason = reasons.get(getattr(exc, "sqlite_errorname", ""), "cannot be used")
    return f"{role} {path}: {reason} ({exc})"


def check_version(path: Path, version: int) -> None:
    """Refuse a schema newer than this code's migrations: running on it could lose data."""
    latest = len(migrations())
    if version > latest:
        raise StoreError(
            f"database {path}: its schema is version {version}, newer than this code's "
            f"{latest}; run the newer followup, or restore a backup taken before the upgrade"
        )


def make_folder(path: Path, role: str = "database") -> None:
    """Create the file's folder, or say in one line why it cannot be."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise StoreError(f"{role} {path}: {blocker} is a file, not a folder") from None
        reason = exc.strerror or str(exc)
        raise StoreError(f"{role} {path}: cannot create the folder {folder}: {reason}") from None


def check_file(path: Path, role: str = "database") -> None:
    """Refuse a folder or a special file (a FIFO would block the open) where a file belongs."""
    if path.is_dir():
        raise StoreError(f"{role} {path}: is a folder, not a file")
    if path.exists() and not path.is_file():
        raise StoreError(f"{role} {path}: is not a regular file")


def check_writable(path: Path, role: str = "database") -> None:
    """The file and its folder must be writable: SQLite writes the file and creates its -wal
    and -shm files next to it (a backup is written next to its target, then renamed).
    access() also sees immutable files and read-only mounts, which bind root too; what it
    cannot see, the write inside BEGIN IMMEDIATE at open catches."""
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{role} {path}: the file is read-only")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(f"{role} {path}: the folder {path.parent} is read-only")


def check_location(path: Path) -> None:
    """Everything about the database's place that can be checked before SQLite opens it."""
    check_file(path)
    make_folder(path)
    check_writable(path)


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
    """Statements on the connection, without locking: used inside a transaction.

    The SQL is the subset SQLite and PostgreSQL share: `?` placeholders, ON CONFLICT, and
    RETURNING instead of lastrowid. `for_update` is appended to a SELECT whose rows the
    transaction will change: PostgreSQL locks them; SQLite's BEGIN IMMEDIATE already holds
    the whole database, so it is empty here."""

    for_update = ""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; return how many rows it changed."""
        try:
            cursor = await self.conn.execute(sql, tuple(params))
        except sqlite3.IntegrityError as exc:
            if _unique(exc):
                raise Conflict(str(exc)) from None
            raise
        changed = cursor.rowcount
        await cursor.close()
        return max(int(changed), 0)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT into a table with an `id` key; return the new row's id, or 0 when
        it inserted nothing (ON CONFLICT DO NOTHING)."""
        row = await self.fetchone(f"{sql} RETURNING id", params)
        return int(row[0]) if row else 0

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows."""
        await self.conn.executemany(sql, [tuple(r) for r in rows])

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        try:
            async with self.conn.execute(sql, tuple(params)) as cursor:
                row: Row | None = await cursor.fetchone()
                # An INSERT ... RETURNING is only done once its cursor is read to the end.
                await cursor.fetchall()
                return row
        except sqlite3.IntegrityError as exc:
            if _unique(exc):
                raise Conflict(str(exc)) from None
            raise

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
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
        """Open (creating folders and file), set pragmas, prove it is writable and apply pending
        migrations. Any problem is a StoreError naming the file, with the connection closed:
        aiosqlite's worker thread would otherwise keep the process alive for ever."""
        if str(path) != ":memory:":
            await asyncio.to_thread(check_location, path)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(explain(path, exc)) from None
        try:
            conn.row_factory = sqlite3.Row
            db = cls(conn, path)
            await db._prepare()
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise StoreError(explain(path, exc)) from None
            raise
        return db

    async def _prepare(self) -> None:
        # Read first: a file that is not SQLite, or a newer schema, is refused untouched.
        version = await self._user_version()
        check_version(self.path, version)
        # WAL + NORMAL never corrupts and loses nothing on an application crash (FACTS.md).
        for pragma in (
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
            "busy_timeout = 5000",
        ):
            await self.conn.execute(f"PRAGMA {pragma}")
        # A read-only file or mount only fails at the first write, which for an up-to-date
        # database comes long after start-up: write now, inside a transaction rolled back.
        await self.conn.execute("BEGIN IMMEDIATE")
        try:
            await self.conn.execute(f"PRAGMA user_version = {version}")
        finally:
            await self.conn.execute("ROLLBACK")
        await self.migrate()

    async def _user_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply migrations newer than PRAGMA user_version, each in one transaction."""
        current = await self._user_version()
        check_version(self.path, current)
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
        """Run one statement on its own; return how many rows it changed."""
        async with self._lock:
            return await self._runner.execute(sql, params)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one INSERT on its own; return the new id, or 0 when nothing was inserted."""
        async with self._lock:
            return await self._runner.insert(sql, params)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        async with self._lock:
            return await self._runner.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
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
