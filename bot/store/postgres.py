"""The PostgreSQL backend (bot.database = "postgresql://..."): one database shared by every
shard process, through asyncpg's connection pool.

Repositories keep SQLite's `?` placeholders; they become `$1, $2, ...` here. A lost connection
(a server restart, a network blip) is StoreUnavailable, which the user sees as "try again in a
moment": the pool opens fresh connections by itself once the server is back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.core.config import PostgresSettings
from bot.core.errors import StoreUnavailable
from bot.store.db import Conflict, Row, StoreError, check_version, migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
URL_SCHEMES = ("postgresql://", "postgres://")
# Errors that mean "the server is not there right now", not "this statement is wrong".
LOST = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, crash, starting up
    asyncpg.exceptions.TooManyConnectionsError,
)
MIGRATION_LOCK = 0x666F6C6C6F77  # "follow": one process migrates at a time


class _OneLine(logging.Filter):
    """asyncpg's pool logs a traceback each time it cannot reopen its floor of connections
    while the server is away, an outage it recovers from by itself: say it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = ()
            record.exc_info = None
        return True


logging.getLogger("asyncpg.pool").addFilter(_OneLine())


def is_postgres_url(location: str) -> bool:
    """Whether bot.database names a PostgreSQL server rather than an SQLite file."""
    return location.startswith(URL_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs (whatever else is wrong in it)."""
    parts = urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in user:
        return url
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}"))


@functools.lru_cache(maxsize=1024)
def placeholders(sql: str) -> str:
    """`?` to `$1, $2, ...`, leaving quoted text alone."""
    out, number, quote = [], 0, ""
    for char in sql:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?":
            number += 1
            char = f"${number}"
        out.append(char)
    return "".join(out)


def _changed(status: str) -> int:
    """Rows a command changed, from its status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _guarded(call: Callable[[], Awaitable[T]]) -> T:
    """One driver call, with the backend's errors turned into the store's: a broken UNIQUE
    is Conflict, a lost server StoreUnavailable, and any other refusal (a constraint, a full
    disk) a one-line StoreError."""
    try:
        return await call()
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(str(exc)) from None
    except LOST as exc:
        log.warning("database unreachable: %s: %s", type(exc).__name__, exc)
        raise StoreUnavailable() from None
    except asyncpg.PostgresError as exc:
        # The primary message only: the detail can quote a row, and rows hold users' answers.
        reason = getattr(exc, "message", None) or type(exc).__name__
        raise StoreError(f"PostgreSQL refused a statement: {reason}") from None


class PostgresRunner:
    """Statements on one pooled connection (inside a transaction, or on their own)."""

    for_update = " FOR UPDATE"  # lock the rows read, until the transaction ends

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; return how many rows it changed."""
        args = tuple(params)
        return _changed(await _guarded(lambda: self.conn.execute(placeholders(sql), *args)))

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT; return the new id, or 0 when it inserted nothing."""
        row = await self.fetchone(f"{sql} RETURNING id", params)
        return int(row[0]) if row else 0

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows."""
        batch = [tuple(r) for r in rows]
        await _guarded(lambda: self.conn.executemany(placeholders(sql), batch))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        args = tuple(params)
        row: Row | None = await _guarded(lambda: self.conn.fetchrow(placeholders(sql), *args))
        return row

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row of a query."""
        args = tuple(params)
        return list(await _guarded(lambda: self.conn.fetch(placeholders(sql), *args)))


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database."""

    dialect = "postgres"
    for_update = PostgresRunner.for_update

    def __init__(self, pool: asyncpg.Pool, name: str) -> None:
        self.pool = pool
        self.name = name

    @classmethod
    async def open(
        cls, url: str, settings: PostgresSettings, migrate: bool = True
    ) -> PostgresDatabase:
        """Connect (failing in one line, without the password, if the server cannot be
        reached) and apply pending migrations (or only check the schema is not newer)."""
        name = redact(url)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=settings.pool_min,
                max_size=settings.pool_max,
                timeout=settings.connect_timeout,
                command_timeout=settings.command_timeout,
            )
        except (*LOST, asyncpg.PostgresError, ValueError, OverflowError) as exc:  # bad URL too
            reason = str(exc).replace(url, name) or type(exc).__name__
            raise StoreError(f"database {name}: cannot connect ({reason})") from None
        db = cls(pool, name)
        try:
            if migrate:
                await db.migrate()
            else:
                check_version(name, await db.version(), cls.dialect)
        except BaseException:
            pool.terminate()
            raise
        return db

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[PostgresRunner]:
        try:
            async with self.pool.acquire() as conn:
                yield PostgresRunner(conn)
        except LOST as exc:  # acquiring (connecting) or releasing failed
            log.warning("database unreachable: %s: %s", type(exc).__name__, exc)
            raise StoreUnavailable() from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresRunner]:
        """BEGIN ... COMMIT on one connection (ROLLBACK on error). READ COMMITTED: a
        statement that reads rows it will change uses `for_update`."""
        async with self._connection() as runner:
            transaction = runner.conn.transaction()
            await _guarded(transaction.start)
            try:
                yield runner
            except BaseException:
                if not runner.conn.is_closed():
                    await _guarded(transaction.rollback)
                raise
            await _guarded(transaction.commit)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement on its own; return how many rows it changed."""
        async with self._connection() as runner:
            return await runner.execute(sql, params)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one INSERT on its own; return the new id, or 0 when nothing was inserted."""
        async with self._connection() as runner:
            return await runner.insert(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows, in one transaction."""
        async with self.transaction() as runner:
            await runner.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        async with self._connection() as runner:
            return await runner.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row of a query."""
        async with self._connection() as runner:
            return await runner.fetchall(sql, params)

    async def version(self) -> int:
        """The last migration applied (0 for a database followup has never used)."""
        found = await self.fetchone("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not found or not found[0]:
            return 0
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply pending migrations, each in one transaction with its row in
        schema_migrations. An advisory lock makes processes that start together take turns:
        the second finds the work done."""
        current = await self.version()
        check_version(self.name, current, self.dialect)
        for number, path in migrations(self.dialect):
            if number <= current:
                continue
            async with self.transaction() as tx:
                await tx.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                await tx.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    'name TEXT COLLATE "C" NOT NULL, applied_at TEXT COLLATE "C" NOT NULL)'
                )
                done = await tx.fetchone(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (number,)
                )
                if done is None:
                    await self._apply(tx, number, path.name, path.read_text(encoding="utf-8"))
            current = number
        return current

    async def _apply(self, tx: PostgresRunner, number: int, name: str, script: str) -> None:
        try:
            await tx.conn.execute(script)  # no parameters: one call runs every statement
        except asyncpg.PostgresError as exc:
            raise StoreError(f"database {self.name}: migration {name} failed: {exc}") from None
        await tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (number, name, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        log.info("applied migration %s", name)

    async def close(self) -> None:
        """Close every pooled connection (waiting for the ones in use)."""
        await self.pool.close()
