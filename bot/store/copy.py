"""`python -m bot db copy SOURCE TARGET`: move a community's whole history between databases
(an SQLite file to PostgreSQL when it outgrows one host, or back), in one transaction.

The source is read in one snapshot; the target must be empty and is written in one
transaction, checked row for row before it commits: a copy is all there or not there at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.store.db import Database, Runner, StoreError, rows_of

log = logging.getLogger(__name__)

# Every table, parents before children (daily_posts names schedules), each with the key that
# orders its rows. The /stats sums are not copied: the target's triggers rebuild them from
# the attempts as they arrive, and the check below proves they came out the same.
TABLES: dict[str, str] = {
    "meta": "key",
    "users": "user_id",
    "attempts": "id",
    "schedules": "id",
    "daily_posts": "id",
    "rounds": "id",
    "cards": "user_id, question_id",
    "uptime": "id",
    "peer_invites": "id",
    "peer_sessions": "id",
    "peer_seats": "user_id",
    "peer_feedback": "id",
    "pack_servers": "guild_id",
    "pack_questions": "id",
    "suggestions": "id",
    "pack_uploads": "id",
}
DERIVED = ("score_days", "score_questions")
SERIAL = tuple(table for table, key in TABLES.items() if key == "id")  # the engine numbers
BATCH = 500


async def counts(runner: Runner) -> dict[str, int]:
    """Rows per table, copied and derived alike."""
    found = {}
    for table in (*TABLES, *DERIVED):
        row = await runner.fetchone(f"SELECT COUNT(*) FROM {table}")
        found[table] = int(row[0]) if row else 0
    return found


async def _copy_table(source: Runner, target: Runner, table: str) -> None:
    batch: list[tuple[object, ...]] = []
    insert = ""
    async for row in rows_of(source, f"SELECT * FROM {table} ORDER BY {TABLES[table]}"):
        if not insert:
            columns = list(row.keys())
            marks = ", ".join("?" for _ in columns)
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        batch.append(tuple(row))
        if len(batch) >= BATCH:
            await target.executemany(insert, batch)
            batch.clear()
    if batch:
        await target.executemany(insert, batch)


async def _renumber(target: Runner, table: str) -> None:
    """PostgreSQL numbers new rows from a sequence the copy's explicit ids did not move: set
    it past the highest id, or the bot's next insert would collide with a copied row."""
    await target.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
    )


async def copy_database(
    source: Database, target: Database, progress: Callable[[str], None] = log.debug
) -> dict[str, int]:
    """Copy every table of source into the empty target; return the rows per table."""
    async with source.transaction() as reader, target.transaction() as writer:
        if source.dialect == "postgres":  # one snapshot for every table read
            await reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        filled = {t: n for t, n in (await counts(writer)).items() if n}
        if filled:
            table, rows = next(iter(filled.items()))
            raise StoreError(
                f"database {target.name}: not empty ({table} has {rows} rows); "
                "db copy only fills a new, empty database"
            )
        expected = await counts(reader)
        for table in TABLES:
            await _copy_table(reader, writer, table)
            if target.dialect == "postgres" and table in SERIAL:
                await _renumber(writer, table)
            progress(f"{table}: {expected[table]} rows")
        copied = await counts(writer)
        wrong = [t for t in expected if copied[t] != expected[t]]
        if wrong:  # raising rolls the whole copy back
            raise StoreError(
                f"database {target.name}: {wrong[0]} has {copied[wrong[0]]} rows after the "
                f"copy, the source {expected[wrong[0]]}; nothing was kept"
            )
    return expected
