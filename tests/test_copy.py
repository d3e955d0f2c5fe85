"""`python -m bot db copy`: a community's whole history moves between SQLite and PostgreSQL,
every table, all or nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.core.clock import FixedClock
from bot.core.models import Bank
from bot.core.peer_state import PeerFeedback, PeerInvite
from bot.domain.answers.service import Flow, Where
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.mock.rounds import begin
from bot.domain.progress.service import Progress
from bot.store import Store
from bot.store.copy import DERIVED, TABLES, counts
from bot.store.packs import NewQuestion
from tests.helpers import run_bot
from tests.pg import fresh_schema

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HERE = Where(source="followup", guild_id=1, channel_id=2)


async def fill(store: Store, bank: Bank) -> None:
    """Rows in every table, written the way the bot writes them."""
    clock = FixedClock(START)
    library = Library(DEFAULT_CONTENT, bank)
    progress = Progress(store, library, clock, fuzz=False)
    flow = Flow(store, library, clock, 4000, progress=progress)
    questions = bank.in_topics(["cache", "messaging"])[:6]
    for i, question in enumerate(questions * 3):
        user = 100 + i % 4
        attempt = await flow.answer(user, question.id, None, f"answer {i} with 'quotes' ?", HERE)
        if i % 5:
            await flow.grade(user, attempt.id, list(range(i % 3)))
        clock.advance(timedelta(hours=7))
    await flow.reveal(104, questions[0].id, HERE)
    await store.meta.set("commands", "hash-1")
    await store.users.set_setting(100, "timezone", "Europe/Berlin")
    await store.users.set_setting(101, "leaderboard", 1)
    await store.users.set_dms_closed_until(102, START + timedelta(days=1))
    schedule = await store.schedules.upsert(
        guild_id=1,
        channel_id=2,
        post_time="09:00",
        timezone="Asia/Tokyo",
        topics=("cache",),
        role_id=None,
        use_thread=True,
        created_by=100,
        now=START,
    )
    post = await store.daily_posts.claim(
        schedule, "2026-03-01", "daily", questions[1].id, START, None
    )
    assert post is not None
    await store.daily_posts.mark_posted(post.id, 555, 556, START)
    await store.rounds.create(
        103, lambda round_id: begin(round_id, 103, [questions[2].id], 8, START), START
    )
    interval = await store.uptime.start(START)
    await store.uptime.seen(interval, START + timedelta(hours=1))
    await fill_peer(store)
    await fill_packs(store)


async def fill_packs(store: Store) -> None:
    """A server's settings, a question of its pack, a suggestion and an upload."""
    await store.packs.set_review_channel(1, 3, START)
    body = "title: Ours\nscenario: s\nquestion: q?\nkey_points: [a, b]\n"
    new = NewQuestion("g1/ours", "cache", "Ours", body)
    await store.packs.add_question(1, new, "upload", 100, START)
    await store.reviews.add_suggestion(1, 101, body, "pending", START)
    await store.reviews.add_upload(1, 100, "pack.yaml", body, START)


async def fill_peer(store: Store) -> None:
    """An invite, a running session with its seats, and a half's feedback."""
    await store.peer.add_invite(
        PeerInvite(0, "invite", 1, 2, 100, 101, ("cache",), 1, 20.0, "open", None, START, START)
    )
    session = await store.peer.add_session(1, (102, 103), START)
    await store.peer.add_feedback(
        PeerFeedback(0, session, 1, 102, 103, "yes", "clear", "depth", (1, 2), START)
    )


async def every_row(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Each table's rows by column name, in key order: comparable across backends."""
    found = {}
    for table, key in {
        **TABLES,
        "score_days": "user_id, day",
        "score_questions": "user_id, question_id",
    }.items():
        rows = await store.db.fetchall(f"SELECT * FROM {table} ORDER BY {key}")
        found[table] = [tuple(sorted(zip(r.keys(), tuple(r), strict=True))) for r in rows]
    return found


@pytest.fixture
async def source(tmp_path: Path, bank: Bank) -> Path:
    path = tmp_path / "community.sqlite3"
    store = await Store.open(path)
    await fill(store, bank)
    await store.close()
    return path


async def test_every_table_moves_to_postgres_and_back(source: Path, tmp_path: Path) -> None:
    original = await Store.open(source)
    expected = await every_row(original)
    await original.close()
    assert all(expected[table] for table in (*TABLES, *DERIVED)), "fill() misses a table"
    async with fresh_schema() as url:
        moved = run_bot("db", "copy", str(source), url)
        assert moved.returncode == 0, moved.stderr
        total = sum(len(rows) for rows in expected.values())
        assert f"copied {total:,} rows in {len(TABLES) + len(DERIVED)} tables" in moved.stdout
        shared = await Store.open(url)
        try:
            assert await every_row(shared) == expected
            # New rows are numbered after the copied ones (the sequences were moved on).
            newest = max(row[0] for row in await shared.db.fetchall("SELECT id FROM attempts"))
            later = await shared.attempts.add_reveal(user_id=1, question_id="q", total=1, now=START)
            assert later.id > newest
            await shared.db.execute("DELETE FROM attempts WHERE id = ?", (later.id,))
        finally:
            await shared.close()
        back = tmp_path / "back" / "again.sqlite3"
        returned = run_bot("db", "copy", url, str(back))
        assert returned.returncode == 0, returned.stderr
    again = await Store.open(back)
    try:
        assert await every_row(again) == expected
    finally:
        await again.close()


async def test_a_target_that_is_not_empty_is_refused_and_left_alone(
    source: Path, tmp_path: Path
) -> None:
    target = tmp_path / "used.sqlite3"
    used = await Store.open(target)
    await used.meta.set("mine", "keep")
    await used.close()
    refused = run_bot("db", "copy", str(source), str(target))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"error: database {target}: not empty (meta has 1 rows); "
        "db copy only fills a new, empty database"
    )
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT key, value FROM meta").fetchall() == [("mine", "keep")]
        assert db.execute("SELECT COUNT(*) FROM attempts").fetchone() == (0,)


async def test_a_copy_that_fails_midway_keeps_nothing(source: Path, bank: Bank) -> None:
    async with fresh_schema() as url:
        schema = url.rsplit("=", 1)[1]
        conn = await asyncpg.connect(url.split("?")[0])
        try:  # the target refuses one row, as a full disk or a lost server would midway
            store = await Store.open(url)
            await store.close()
            await conn.execute(f"ALTER TABLE {schema}.rounds ADD CONSTRAINT no CHECK (user_id < 0)")
            failed = run_bot("db", "copy", str(source), url)
            assert failed.returncode == 2 and "Traceback" not in failed.stderr
            assert failed.stderr.startswith("error: ") and len(failed.stderr.splitlines()) == 1
            for table in TABLES:
                assert await conn.fetchval(f"SELECT COUNT(*) FROM {schema}.{table}") == 0, table
        finally:
            await conn.close()


def test_the_source_must_exist_and_differ_from_the_target(tmp_path: Path) -> None:
    missing = run_bot("db", "copy", str(tmp_path / "none.sqlite3"), str(tmp_path / "t.sqlite3"))
    assert missing.returncode == 2 and "no database there" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists() and not (tmp_path / "t.sqlite3").exists()
    path = tmp_path / "same.sqlite3"
    sqlite3.connect(path).close()
    itself = run_bot("db", "copy", str(path), str(path))
    assert itself.returncode == 2 and "is the source itself" in itself.stderr


async def test_the_copy_names_every_table_of_both_schemas(store: Store) -> None:
    if store.db.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    tables = {row[0] for row in await store.db.fetchall(sql)} - {"schema_migrations"}
    assert tables == {*TABLES, *DERIVED}
    assert set(await counts(store.db)) == tables
