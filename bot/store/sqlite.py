"""The SQLite backend (the default): start-up checks, pragmas, forward-only migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.db import Conflict, Row, StoreError, check_version, migrations

log = logging.getLogger(__name__)


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


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that never creates or writes the file (a URI with mode=ro)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_source(source: Path) -> None:
    check_file(source)
    if not source.exists():
        raise StoreError(f"database {source}: no database there (see bot.database in the config)")
    try:
        with closing(read_only(source)) as conn:
            check_version(source, conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(explain(source, exc)) from None


class SqliteRunner:
    """Statements on the connection, without locking: used inside a transaction.

    `for_update` is empty: BEGIN IMMEDIATE already holds the whole database for writing."""

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


class SqliteDatabase:
    """One aiosqlite connection shared by the bot.

    aiosqlite serialises single calls, not transactions: a lock keeps one coroutine's statements
    out of another's open transaction.
    """

    dialect = "sqlite"
    for_update = ""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.name = str(path)
        self._lock = asyncio.Lock()
        self._runner = SqliteRunner(conn)

    @classmethod
    async def open(cls, path: Path) -> SqliteDatabase:
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

    async def version(self) -> int:
        """The schema version (PRAGMA user_version: the last migration applied)."""
        return await self._user_version()

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

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows, on its own."""
        async with self._lock:
            await self._runner.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        async with self._lock:
            return await self._runner.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row of a query."""
        async with self._lock:
            return await self._runner.fetchall(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteRunner]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error), holding the lock throughout."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._runner
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")
