"""Learning over days with an injected clock: reviews come due, streaks grow, leaderboards
respect privacy, and a user's data can be exported and forgotten."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.models import Bank, Rating
from bot.domain.answers.service import Flow, Where
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.progress.service import Progress
from bot.store import Store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HERE = Where(source="followup", guild_id=5, channel_id=6)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def progress(store: Store, bank: Bank, clock: FixedClock) -> Progress:
    return Progress(store, Library(DEFAULT_CONTENT, bank), clock, fuzz=False)


@pytest.fixture
def learning_flow(store: Store, bank: Bank, clock: FixedClock, progress: Progress) -> Flow:
    return Flow(store, Library(DEFAULT_CONTENT, bank), clock, 4000, progress=progress)


async def answer(flow: Flow, user: int, qid: str, ticks: list[int]) -> None:
    attempt = await flow.answer(user, qid, None, "my answer", HERE)
    await flow.grade(user, attempt.id, ticks)


async def test_a_few_simulated_days(
    store: Store, bank: Bank, clock: FixedClock, learning_flow: Flow, progress: Progress
) -> None:
    await store.uptime.start(clock.now())
    rng = random.Random(1)
    answered: list[str] = []
    for _ in range(4):  # one question a day, with the bot up all along
        nxt = await progress.next_for(1, rng=rng)
        answered.append(nxt.question.id)
        await answer(learning_flow, 1, nxt.question.id, [0])  # poor coverage: Again
        clock.advance(timedelta(days=1))
        await store.uptime.seen(1, clock.now())
    stats = await progress.stats(1)
    assert stats.attempts == 4 and stats.streak.current == 4 and stats.streak.best == 4
    assert stats.due >= 1  # Again brings questions back after a day
    due = await progress.next_for(1)
    assert due.reason == "due" and due.question.id in answered
    assert 0 < max(t.mastery for t in stats.topics) < 1


async def test_new_questions_come_from_the_weakest_topic(
    store: Store, bank: Bank, learning_flow: Flow, progress: Progress
) -> None:
    first = await progress.next_for(2, topics=["cache", "scale"], rng=random.Random(3))
    assert first.reason == "new" and first.question.topic in {"cache", "scale"}
    await answer(learning_flow, 2, first.question.id, list(range(len(first.question.key_points))))
    following = await progress.next_for(2, topics=["cache", "scale"])
    assert following.question.topic != first.question.topic  # the untouched topic is weakest


async def test_ratings_schedule_and_a_changed_rating_redoes_the_review(
    store: Store, bank: Bank, clock: FixedClock, learning_flow: Flow
) -> None:
    qid = bank.in_topics(["database"])[0].id
    attempt = await learning_flow.answer(3, qid, None, "answer", HERE)
    await learning_flow.grade(3, attempt.id, [])  # Again: due in a day
    again_due = (await store.cards.get(3, qid)).due  # type: ignore[union-attr]
    await learning_flow.rerate(3, attempt.id, Rating.EASY)
    easy_due = (await store.cards.get(3, qid)).due  # type: ignore[union-attr]
    assert easy_due - clock.now() > again_due - clock.now() >= timedelta(days=1)


async def test_a_reveal_counts_as_again(
    store: Store, bank: Bank, clock: FixedClock, learning_flow: Flow
) -> None:
    qid = bank.in_topics(["security"])[0].id
    await learning_flow.reveal(4, qid, HERE)
    card = await store.cards.get(4, qid)
    assert card is not None and card.due == clock.now() + timedelta(days=1)


async def test_bot_downtime_never_breaks_a_streak(
    store: Store, clock: FixedClock, bank: Bank, learning_flow: Flow, progress: Progress
) -> None:
    qids = [q.id for q in bank.in_topics(["cache"])]
    uptime = await store.uptime.start(clock.now())
    await answer(learning_flow, 5, qids[0], [0, 1])
    await store.uptime.seen(uptime, clock.now() + timedelta(hours=1))
    clock.advance(timedelta(days=3))  # the bot was down for two whole days
    await store.uptime.start(clock.now())
    await answer(learning_flow, 5, qids[1], [0, 1])
    assert (await progress.stats(5)).streak.current == 2
    await store.users.set_setting(5, "timezone", "Australia/Sydney")
    assert (await progress.stats(5)).streak.current == 2


async def test_leaderboard_shows_only_opted_in_members(
    store: Store, bank: Bank, learning_flow: Flow, progress: Progress
) -> None:
    qid = bank.in_topics(["cache"])[0].id
    full = list(range(len(bank.questions[qid].key_points)))
    for user in (10, 11, 12):
        await answer(learning_flow, user, qid, full)
    await store.users.set_setting(10, "leaderboard", 1)
    await store.users.set_setting(12, "leaderboard", 1)
    board = await progress.leaderboard(5, "week")
    assert [user for user, _ in board] == [10, 12]
    assert all(points == 10 for _, points in board)
    for _ in range(10):  # spamming does not pay: 50 points a day at most
        await answer(learning_flow, 10, qid, full)
    assert dict(await progress.leaderboard(5, "all"))[10] == 50
    assert await progress.leaderboard(999, "all") == []


async def test_export_parses_back_to_the_same_data(
    store: Store, bank: Bank, learning_flow: Flow, progress: Progress
) -> None:
    qid = bank.in_topics(["messaging"])[0].id
    await answer(learning_flow, 20, qid, [1, 2])
    await learning_flow.reveal(20, qid, HERE)
    csv_data, json_data = await progress.export(20)
    rows = list(csv.DictReader(io.StringIO(csv_data.decode())))
    stored = await store.attempts.for_user(20)
    assert [r["id"] for r in rows] == [str(a.id) for a in stored]
    assert rows[0]["covered"] == "1 2" and rows[0]["answer"] == "my answer"
    everything = json.loads(json_data)
    assert [str(a["id"]) for a in everything["attempts"]] == [r["id"] for r in rows]
    assert [a["answer"] for a in everything["attempts"]] == [a.answer for a in stored]
    assert everything["cards"][0]["question_id"] == qid


async def test_forget_me_leaves_no_rows(
    store: Store, bank: Bank, learning_flow: Flow, progress: Progress
) -> None:
    qid = bank.in_topics(["operations"])[0].id
    await answer(learning_flow, 30, qid, [0])
    await answer(learning_flow, 31, qid, [0])
    await store.users.set_setting(30, "leaderboard", 1)
    await store.schedules.upsert(
        guild_id=1,
        channel_id=2,
        post_time="09:00",
        timezone="UTC",
        topics=(),
        role_id=None,
        use_thread=True,
        created_by=30,
        now=START,
    )
    await progress.forget(30)
    schedule = await store.schedules.for_channel(2)
    assert schedule is not None and schedule.created_by == 0  # the server keeps its schedule
    for table in ("attempts", "cards", "rounds", "users"):
        row = await store.db.fetchone(f"SELECT COUNT(*) FROM {table} WHERE user_id = 30")
        assert row is not None and row[0] == 0, table
    assert len(await store.attempts.for_user(31)) == 1


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT question_id, score, graded_at FROM attempts WHERE user_id = 1 "
            "AND score IS NOT NULL ORDER BY graded_at",
            "attempts_scores",
        ),
        (
            "SELECT question_id FROM cards WHERE user_id = 1 AND due <= '2026' ORDER BY due",
            "cards_due",
        ),
        (
            "SELECT a.user_id FROM attempts AS a JOIN users AS u ON u.user_id = a.user_id "
            "AND u.leaderboard = 1 WHERE a.guild_id = 1 AND a.graded_at >= '' "
            "AND a.score IS NOT NULL",
            "attempts_by_guild",
        ),
        (
            "SELECT id FROM daily_posts WHERE status = 'failed' AND retry_at <= '2026'",
            "daily_posts_by_status",
        ),
        ("SELECT state FROM rounds WHERE user_id = 1 AND status = 'active'", "rounds_one_active"),
        # /stats: the sums by their keys, and one UTC day's answers (streaks, DST days) by range.
        ("SELECT day, answers FROM score_days WHERE user_id = 1 ORDER BY day", "PRIMARY KEY"),
        ("SELECT answers FROM score_questions WHERE user_id = 1", "PRIMARY KEY"),
        (
            "SELECT graded_at FROM attempts WHERE user_id = 1 AND score IS NOT NULL "
            "AND graded_at >= '2026-03-29' AND graded_at < '2026-03-29U' ORDER BY graded_at",
            "attempts_scores (user_id=? AND graded_at>? AND graded_at<?)",
        ),
    ],
)
@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # SQLite's query planner
async def test_queries_use_indexes(store: Store, sql: str, index: str) -> None:
    plan = " ".join(str(tuple(r)) for r in await store.db.fetchall(f"EXPLAIN QUERY PLAN {sql}"))
    assert index in plan, plan
