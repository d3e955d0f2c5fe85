"""The store on a real SQLite file: pragmas, migrations, attempts."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.models import Rating
from bot.store import Store, StoreError, backup
from bot.store.db import DIALECTS, migrations

SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_pragmas_and_migrations(store: Store) -> None:
    mode = await store.db.fetchone("PRAGMA journal_mode")
    assert mode is not None and mode[0] == "wal"
    keys = await store.db.fetchone("PRAGMA foreign_keys")
    assert keys is not None and keys[0] == 1
    version = await store.db.fetchone("PRAGMA user_version")
    assert version is not None and version[0] == len(migrations())


async def test_migrate_again_is_a_no_op(store: Store) -> None:
    assert await store.db.migrate() == len(migrations(store.db.dialect))
    assert await store.db.version() == len(migrations(store.db.dialect))


def test_every_migration_is_written_in_both_dialects() -> None:
    names = {dialect: [path.name for _, path in migrations(dialect)] for dialect in DIALECTS}
    assert names["sqlite"] == names["postgres"]


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
async def test_postgres_tracks_each_migration_once(store: Store) -> None:
    rows = await store.db.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [(r[0], r[1]) for r in rows] == [(n, p.name) for n, p in migrations("postgres")]


async def test_reopening_keeps_data(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "again.sqlite3"
    first = await Store.open(path)
    await first.meta.set("k", "v")
    await first.close()
    second = await Store.open(path)
    assert await second.meta.get("k") == "v"
    await second.close()


async def test_answer_grade_rerate_round_trip(store: Store, clock: FixedClock) -> None:
    attempt = await store.attempts.add_answer(
        user_id=7,
        question_id="cache-stampede",
        probe=None,
        answer="use a lock",
        total=5,
        source="followup",
        now=clock.now(),
        guild_id=1,
        channel_id=2,
    )
    assert attempt.covered is None and attempt.rating is None and attempt.coverage is None
    clock.advance(timedelta(minutes=2))
    graded = await store.attempts.grade(attempt.id, [3, 1, 1], Rating.HARD, clock.now())
    assert graded.covered == (1, 3)
    assert graded.coverage == pytest.approx(0.4)
    assert graded.graded_at == clock.now()
    assert graded.created_at == clock.now() - timedelta(minutes=2)
    await store.attempts.rerate(attempt.id, Rating.GOOD)
    again = await store.attempts.get(attempt.id)
    assert again is not None and again.rating is Rating.GOOD and again.guild_id == 1


async def test_reveal_is_recorded_as_again(store: Store, clock: FixedClock) -> None:
    reveal = await store.attempts.add_reveal(user_id=7, question_id="q", total=4, now=clock.now())
    assert reveal.revealed and reveal.rating is Rating.AGAIN and reveal.answer == ""


async def test_for_user_orders_and_limits(store: Store, clock: FixedClock) -> None:
    for i in range(5):
        clock.advance(timedelta(hours=1))
        await store.attempts.add_answer(
            user_id=1,
            question_id=f"q{i}",
            probe=None,
            answer="a",
            total=4,
            source="followup",
            now=clock.now(),
        )
    await store.attempts.add_answer(
        user_id=2,
        question_id="other",
        probe=None,
        answer="a",
        total=4,
        source="followup",
        now=clock.now(),
    )
    assert [a.question_id for a in await store.attempts.for_user(1)] == [f"q{i}" for i in range(5)]
    assert [a.question_id for a in await store.attempts.for_user(1, limit=2)] == ["q3", "q4"]


async def test_user_text_is_stored_verbatim_via_parameters(store: Store, clock: FixedClock) -> None:
    evil = "'); DROP TABLE attempts; -- @everyone"
    attempt = await store.attempts.add_answer(
        user_id=1,
        question_id="q",
        probe=None,
        answer=evil,
        total=4,
        source="followup",
        now=clock.now(),
    )
    again = await store.attempts.get(attempt.id)
    assert again is not None and again.answer == evil


async def test_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
            raise RuntimeError("boom")
    assert await store.meta.get("a") is None


async def test_naive_datetimes_are_refused(store: Store) -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="naive"):
        await store.attempts.add_answer(
            user_id=1,
            question_id="q",
            probe=None,
            answer="a",
            total=4,
            source="followup",
            now=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )


@SQLITE_ONLY
async def test_backup_copies_a_live_database(store: Store, tmp_path: Path) -> None:
    await store.meta.set("kept", "yes")
    target = tmp_path / "backup" / "copy.sqlite3"
    await backup(store.db.path, target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT value FROM meta WHERE key = 'kept'").fetchone() == ("yes",)
    with pytest.raises(StoreError, match="no database there"):
        await backup(tmp_path / "missing.sqlite3", target)


async def test_grading_stores_the_core_marks_and_the_weighted_share(
    store: Store, clock: FixedClock
) -> None:
    attempt = await store.attempts.add_answer(
        user_id=7,
        question_id="cache-stampede",
        probe=None,
        answer="an answer",
        total=5,
        source="followup",
        now=clock.now(),
    )
    graded = await store.attempts.grade(attempt.id, [2, 3], Rating.HARD, clock.now(), core=[1, 0])
    assert graded.core == (0, 1) and graded.covered == (2, 3)
    assert graded.coverage == pytest.approx(2 / 7)  # weights 2 2 1 1 1: two plain points of 7
    row = await store.db.fetchone(
        "SELECT score, weighted, core_covered, core_total, core FROM attempts WHERE id = ?",
        (attempt.id,),
    )
    assert row is not None
    assert tuple(row) == (pytest.approx(0.4), pytest.approx(2 / 7), 0, 2, "[0, 1]")
    probe = await store.attempts.add_answer(
        user_id=7,
        question_id="cache-stampede",
        probe=0,
        answer="a probe answer",
        total=3,
        source="followup",
        now=clock.now(),
    )
    plain = await store.attempts.grade(probe.id, [0], Rating.AGAIN, clock.now(), core=[])
    assert plain.core == () and plain.coverage == pytest.approx(1 / 3)  # no core: equal weights


async def test_migration_006_keeps_equal_weights_for_answers_graded_before(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "before-006.sqlite3"
    with sqlite3.connect(path) as db:  # a database as the release before 006 left it
        for number, script in migrations()[:5]:
            db.executescript(script.read_text(encoding="utf-8"))
            db.execute(f"PRAGMA user_version = {number}")
        db.execute(
            "INSERT INTO attempts (user_id, question_id, source, answer, covered, total, rating, "
            "created_at, graded_at, score) VALUES (3, 'cache-stampede', 'followup', 'old', "
            "'[3, 4]', 7, 'hard', '2026-01-01T10:00:00+00:00', '2026-01-01T10:01:00+00:00', ?)",
            (2 / 7,),
        )
    store = await Store.open(path)
    try:
        (old,) = await store.attempts.for_user(3)
        assert old.core is None and old.covered == (3, 4)
        assert old.coverage == pytest.approx(2 / 7)  # equal weights, as it was graded
        row = await store.db.fetchone(
            "SELECT weighted, core_covered, core_total FROM attempts WHERE id = ?", (old.id,)
        )
        assert row is not None and tuple(row) == (pytest.approx(2 / 7), None, None)
        (sums,) = await store.cards.question_scores(3)
        assert (sums.answers, sums.weighted, sums.core_covered, sums.core_total) == (
            1,
            pytest.approx(2 / 7),
            0,
            0,
        )
        (day,) = await store.cards.day_scores(3)
        assert day.weighted == pytest.approx(day.total)
        new = await store.attempts.add_answer(
            user_id=3,
            question_id="cache-stampede",
            probe=None,
            answer="new",
            total=7,
            source="followup",
            now=clock.now(),
        )
        await store.attempts.grade(new.id, [3, 4], Rating.HARD, clock.now(), core=[0, 1, 2])
        (sums,) = await store.cards.question_scores(3)
        assert sums.weighted == pytest.approx(2 / 7 + 2 / 10)  # the same ticks, now weighted
        assert (sums.core_covered, sums.core_total) == (0, 3)  # only the new answer has marks
    finally:
        await store.close()
