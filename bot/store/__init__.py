"""The store: the only package that speaks SQL. Repositories share one Database."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from bot.store.attempts import Attempts
from bot.store.cards import Cards, Uptime
from bot.store.daily_posts import DailyPosts
from bot.store.db import Database
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

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open the database file (created and migrated as needed)."""
        return cls(await Database.open(Path(path)))

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


def _backup_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # the online backup API: consistent even while the bot writes


async def backup(source: Path, target: Path) -> int:
    """Copy the live database to target with SQLite's online backup; return an exit status."""
    if not await asyncio.to_thread(source.exists):
        print(f"backup: {source}: no database there", file=sys.stderr)
        return 1
    await asyncio.to_thread(_backup_file, source, target)
    print(f"backed up {source} to {target}")
    return 0
