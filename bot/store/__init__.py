"""The store: the only package that speaks SQL. Repositories share one Database."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from bot.store.attempts import Attempts
from bot.store.cards import Cards, Uptime
from bot.store.daily_posts import DailyPosts
from bot.store.db import (
    Database,
    StoreError,
    check_file,
    check_version,
    check_writable,
    explain,
    from_text,
    make_folder,
)
from bot.store.pack_reviews import Reviews
from bot.store.packs import Packs
from bot.store.rounds import Rounds
from bot.store.schedules import Schedules
from bot.store.users import Meta, Users


class Store:
    """Every repository over one SQLite file."""

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
        self.packs = Packs(db)
        self.reviews = Reviews(db)

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open the database file (created and migrated as needed)."""
        return cls(await Database.open(Path(path)))

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


SQLITE_HEADER = b"SQLite format 3\x00"


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that never creates or writes the file (a URI with mode=ro)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _check_source(source: Path) -> None:
    check_file(source)
    if not source.exists():
        raise StoreError(f"database {source}: no database there (see bot.database in the config)")
    try:
        with closing(_read_only(source)) as conn:
            check_version(source, conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(explain(source, exc)) from None


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
    _check_source(source)
    _check_target(source, target)
    # Copy next to the target, then rename: a failed copy never replaces an older backup.
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)  # left by a copy that was killed
        with closing(_read_only(source)) as src, closing(sqlite3.connect(partial)) as dst:
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
    _check_source(source)
    try:
        with closing(_read_only(source)) as conn:
            (seen,) = conn.execute("SELECT MAX(last_seen) FROM uptime").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(explain(source, exc)) from None
    return from_text(seen)


async def last_heartbeat(source: Path) -> datetime | None:
    """When a bot running on this database last recorded that it was up (read-only)."""
    return await asyncio.to_thread(_last_seen, source)
