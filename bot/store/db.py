"""What every backend shares: the Database interface, times as text, errors, migrations.

Two backends implement `Database`: SQLite (store/sqlite.py, the default: one file, no server)
and PostgreSQL (store/postgres.py: one database for several shard processes). Repositories
write one SQL for both, in the subset the two engines share: `?` placeholders, ON CONFLICT,
`insert()` (RETURNING id) instead of lastrowid, and `for_update` on a SELECT whose rows the
transaction then changes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
DIALECTS = ("sqlite", "postgres")
MAX_ROW_ID = 2**63 - 1  # a 64-bit signed key; larger ids (forged custom_ids) cannot be rows


def to_text(when: datetime | None) -> str | None:
    """Store times as UTC ISO-8601 text, which also sorts correctly (in both backends: the
    same text keeps every query and `db copy` identical)."""
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


class StoreError(Exception):
    """The database cannot be used; the message is one line naming it and the reason."""


class Conflict(Exception):
    """A write broke a UNIQUE constraint (the same in every backend)."""


class Row(Protocol):
    """A result row, by column name or position (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...  # the values, in column order

    def keys(self) -> Iterable[str]: ...  # the column names


class Runner(Protocol):
    """Statements inside one transaction (or on their own, through Database)."""

    for_update: str

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; return how many rows it changed."""
        ...

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT into a table with an `id` key; return the new id, or 0 when it
        inserted nothing (ON CONFLICT DO NOTHING)."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows."""
        ...

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        ...

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row of a query."""
        ...


class Database(Runner, Protocol):
    """A backend: single statements, transactions, migrations, closing."""

    dialect: str
    name: str  # for messages: the file, or the URL without its password

    def transaction(self) -> AbstractAsyncContextManager[Runner]:
        """All statements of the block commit together, or none do."""
        ...

    async def migrate(self) -> int:
        """Apply pending migrations; return the schema version."""
        ...

    async def version(self) -> int:
        """The schema version this database is at."""
        ...

    async def close(self) -> None:
        """Close the connection(s)."""
        ...


def migrations(dialect: str = "sqlite") -> list[tuple[int, Path]]:
    """A dialect's numbered migration files, in order, checked to have no gaps."""
    found = sorted(
        (int(m.group(1)), path)
        for path in (MIGRATIONS / dialect).glob("*.sql")
        if (m := MIGRATION_NAME.match(path.name))
    )
    for expected, (number, path) in enumerate(found, start=1):
        if number != expected:
            raise RuntimeError(f"migration {path.name}: expected number {expected:03d}")
    return found


def check_version(name: str | Path, version: int, dialect: str = "sqlite") -> None:
    """Refuse a schema newer than this code's migrations: running on it could lose data."""
    latest = len(migrations(dialect))
    if version > latest:
        raise StoreError(
            f"database {name}: its schema is version {version}, newer than this code's "
            f"{latest}; run the newer followup, or restore a backup taken before the upgrade"
        )


async def rows_of(runner: Runner, sql: str, params: Iterable[Any] = ()) -> AsyncIterator[Row]:
    """Every row of a query, read in pages so a large table never sits in memory at once.
    The query must end with ORDER BY over a unique key (pages are LIMIT/OFFSET)."""
    page, offset = 2000, 0
    while True:
        rows = await runner.fetchall(f"{sql} LIMIT {page} OFFSET {offset}", params)
        for row in rows:
            yield row
        if len(rows) < page:
            return
        offset += page
