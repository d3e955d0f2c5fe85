"""The store: the only package that speaks SQL. Repositories share one Database: an SQLite
file (the default) or a PostgreSQL server (bot.database = "postgresql://...")."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from bot.core.config import PostgresSettings
from bot.store.attempts import Attempts
from bot.store.cards import Cards, Uptime
from bot.store.copy import copy_database
from bot.store.daily_posts import DailyPosts
from bot.store.db import Database, StoreError, from_text
from bot.store.pack_reviews import Reviews
from bot.store.packs import Packs
from bot.store.peer import PeerStore
from bot.store.postgres import PostgresDatabase, is_postgres_url
from bot.store.rounds import Rounds
from bot.store.schedules import Schedules
from bot.store.sqlite import (
    SqliteDatabase,
    check_file,
    check_source,
    check_writable,
    explain,
    make_folder,
    read_only,
)
from bot.store.users import Meta, Users


class Store:
    """Every repository over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.meta = Meta(db)
        self.users = Users(db)
        self.attempts = Attempts(db)
        self.schedules = Schedules(db)
        self.daily_posts = DailyPosts(db)
        self.rounds = Rounds(db)
        self.cards = Cards(db)
        self.uptime = Uptime(db)
        self.peer = PeerStore(db)
        self.packs = Packs(db)
        self.reviews = Reviews(db)

    @classmethod
    async def open(cls, location: str | Path, postgres: PostgresSettings | None = None) -> Store:
        """Open the database (an SQLite file, created as needed, or a postgresql:// URL) and
        migrate it. Raises StoreError, one line, when it cannot be used."""
        return cls(await open_database(location, postgres))

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


async def open_database(location: str | Path, postgres: PostgresSettings | None = None) -> Database:
    """The backend bot.database names, opened and migrated."""
    if is_postgres_url(str(location)):
        return await PostgresDatabase.open(str(location), postgres or PostgresSettings())
    return await SqliteDatabase.open(Path(location))


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_target(source: Path, target: Path) -> None:
    """Never overwrite the database itself, a folder, or a file that is not an SQLite copy."""
    check_file(target, "backup")
    same = target.exists() and os.path.samefile(source, target)
    if same or target.resolve() == source.resolve():
        raise StoreError(f"backup {target}: is the database itself; name another file")
    make_folder(target, "backup")
    check_writable(target, "backup")
    if target.exists():
        with target.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) not in (b"", SQLITE_HEADER):
                raise StoreError(f"backup {target}: not an SQLite file; not overwriting it")


def _backup_file(source: Path, target: Path) -> None:
    check_source(source)
    _check_target(source, target)
    # Copy next to the target, then rename: a failed copy never replaces an older backup.
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)  # left by a copy that was killed
        with closing(read_only(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)  # the online backup API: consistent even while the bot writes
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StoreError(explain(target, exc, "backup")) from None
    except OSError as exc:
        raise StoreError(f"backup {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


async def backup(source: Path, target: Path) -> None:
    """Copy the live database to target with SQLite's online backup.

    Raises StoreError, one line, when the database or the target cannot be used."""
    await asyncio.to_thread(_backup_file, source, target)


def _last_seen(source: Path) -> datetime | None:
    check_source(source)
    try:
        with closing(read_only(source)) as conn:
            (seen,) = conn.execute("SELECT MAX(last_seen) FROM uptime").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(explain(source, exc)) from None
    return from_text(seen)


async def last_heartbeat(
    location: str | Path, postgres: PostgresSettings | None = None
) -> datetime | None:
    """When a bot running on this database last recorded that it was up (read-only: a health
    check never creates or migrates a database)."""
    if is_postgres_url(str(location)):
        db = await PostgresDatabase.open(str(location), postgres or PostgresSettings(), False)
        try:
            if await db.version() == 0:  # followup has never run on this database
                return None
            row = await db.fetchone("SELECT MAX(last_seen) FROM uptime")
        finally:
            await db.close()
        return from_text(row[0]) if row else None
    return await asyncio.to_thread(_last_seen, Path(location))


async def copy_between(
    source: str | Path,
    target: str | Path,
    postgres: PostgresSettings | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, int]:
    """`db copy`: every row of the source database into the new, empty target."""
    if not is_postgres_url(str(source)):
        await asyncio.to_thread(check_source, Path(source))  # never create a source
    if _same(source, target):
        raise StoreError(f"database {target}: is the source itself; name another database")
    readable = await open_database(source, postgres)
    try:
        writable = await open_database(target, postgres)
        try:
            return await copy_database(readable, writable, progress)
        except sqlite3.Error as exc:  # a full disk midway: the transaction is rolled back
            raise StoreError(
                f"database {target}: the copy failed and kept nothing ({exc})"
            ) from None
        finally:
            await writable.close()
    finally:
        await readable.close()


def _same(source: str | Path, target: str | Path) -> bool:
    if is_postgres_url(str(source)) or is_postgres_url(str(target)):
        return str(source) == str(target)
    return Path(source).resolve() == Path(target).resolve()
