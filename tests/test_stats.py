"""/stats from the store's sums: the same numbers as computing over every answer, sums SQLite
keeps exact through grading, regrading, deleting and migrating, streaks right across DST
changes, and a chart drawn again exactly when what it shows changes."""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import bot.domain.progress.charts
from bot.core.clock import FixedClock
from bot.core.models import Bank, Rating
from bot.core.scoring import core_tally
from bot.core.zones import zone
from bot.domain.answers.service import Flow, Where
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.progress.service import Progress
from bot.domain.progress.stats import (
    MAX_POINTS,
    ChartCache,
    Stats,
    TopicStats,
    Trend,
    chart_mastery,
    streak_instants,
)
from bot.domain.progress.streaks import streak
from bot.store import Store
from bot.store.cards import DayScores
from bot.store.db import migrations, to_text
from bot.ui.progress.embeds import stats_embed

START = datetime(2026, 1, 10, 8, tzinfo=UTC)
HERE = Where(source="followup", guild_id=5, channel_id=6)
# Zones whose offsets change across the generated history, a 45-minute one, and UTC itself.
ZONES = (None, "Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu")
INSERT_GRADED = (
    "INSERT INTO attempts (user_id, question_id, source, answer, covered, total, rating, "
    "created_at, graded_at, score) VALUES (?, ?, 'followup', 'a', '[]', ?, 'good', ?, ?, ?)"
)


@pytest.fixture
def library(bank: Bank) -> Library:
    return Library(DEFAULT_CONTENT, bank)


# When the offsets of ZONES change in 2026 (from zoneinfo).
DST_CHANGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin, +01:00 to +02:00
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin, back
    datetime(2026, 4, 5, 3, tzinfo=UTC),  # Santiago, at local midnight: 00:00 becomes 23:00
    datetime(2026, 9, 6, 4, tzinfo=UTC),  # Santiago, back
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe, +11:00 to +10:30
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # Lord Howe, back
]


def history(bank: Bank, count: int, seed: int = 1) -> list[tuple[str, int, datetime, float]]:
    """(question, total, graded at, score): a year of answers with idle days, some on either
    side of each DST change of ZONES, a third within a day of one, some on a retired question."""
    rng = random.Random(seed)
    questions = sorted(bank.questions.values(), key=lambda q: q.id)
    close = [c + timedelta(minutes=m) for c in DST_CHANGES for m in (-5, 5)]
    rows = []
    for i in range(count):
        if i < len(close):
            when = close[i]
        elif i % 3 == 0:
            when = rng.choice(DST_CHANGES) + timedelta(minutes=rng.randrange(-1440, 1440))
        else:
            when = START + timedelta(days=rng.choice(range(0, 360, 2)), minutes=rng.randrange(1440))
        question = rng.choice(questions)
        total = len(question.key_points)
        qid = "retired-question" if i % 50 == 0 else question.id
        rows.append((qid, total, when, rng.randrange(total + 1) / total))
    return rows


async def insert(store: Store, user: int, rows: list[tuple[str, int, datetime, float]]) -> None:
    """Graded answers straight into the table, as a restore would: the triggers see inserts."""
    params = [(user, q, total, to_text(t), to_text(t), s) for q, total, t, s in rows]
    async with store.db.transaction() as tx:
        await tx.executemany(INSERT_GRADED, params)


async def reference_stats(progress: Progress, user: int) -> dict[str, object]:
    """The old /stats computation: every graded answer loaded and summed in Python."""
    now = progress.clock.now()
    scores = await progress.store.cards.scores(user)
    cards = await progress.store.cards.for_user(user)
    tz_name = (await progress.store.users.settings(user)).timezone
    per_topic: defaultdict[str, list[float]] = defaultdict(list)
    core: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for question_id, score, _ in scores:
        question = progress.library.bank.questions.get(question_id)
        per_topic[question.topic if question else "retired"].append(score)
    for attempt in await progress.store.attempts.for_user(user):
        question = progress.library.bank.questions.get(attempt.question_id)
        tally = core_tally(attempt.covered or (), attempt.total, attempt.core)
        if question and tally:
            core[question.topic][0] += tally[0]
            core[question.topic][1] += tally[1]
    mastery = progress._mastery(cards, now)
    topics = []
    for topic in progress.library.bank.topics:
        values = per_topic.get(topic, [])
        mean = sum(values) / len(values) if values else None
        topics.append(TopicStats(topic, len(values), mean, mastery.get(topic, 0.0), *core[topic]))
    graded = [when for _, _, when in scores]
    return {
        "attempts": len(scores),
        "coverage": sum(s for _, s, _ in scores) / len(scores) if scores else None,
        "topics": tuple(topics),
        "streak": streak(graded, tz_name, now, await progress.down_days(tz_name)),
        "due": sum(1 for c in cards if c.due <= now),
        "core_covered": sum(c[0] for c in core.values()),
        "core_total": sum(c[1] for c in core.values()),
    }


def assert_same_numbers(stats: Stats, expected: dict[str, object], bank: Bank) -> None:
    """Equal numbers (floats to rounding), and the very same /stats embed."""
    assert stats.attempts == expected["attempts"]
    assert stats.coverage == pytest.approx(expected["coverage"], rel=1e-12)
    assert stats.streak == expected["streak"] and stats.due == expected["due"]
    assert (stats.core_covered, stats.core_total) == (
        expected["core_covered"],
        expected["core_total"],
    )
    topics: tuple[TopicStats, ...] = expected["topics"]  # type: ignore[assignment]
    for mine, theirs in zip(stats.topics, topics, strict=True):
        assert (mine.topic, mine.attempts, mine.mastery, mine.core_covered, mine.core_total) == (
            theirs.topic,
            theirs.attempts,
            theirs.mastery,
            theirs.core_covered,
            theirs.core_total,
        )
        assert mine.coverage == pytest.approx(theirs.coverage, rel=1e-12)
    old = Stats(trend=stats.trend, **expected)  # type: ignore[arg-type]
    shown = stats_embed("u", stats, bank.topics).to_dict()
    assert shown == stats_embed("u", old, bank.topics).to_dict()


async def sums_from_attempts(store: Store) -> tuple[dict, dict]:
    """What score_days and score_questions must hold, computed from the attempts table (a row
    without a weighted share counts its plain one, as migration 006 says)."""
    days = await store.db.fetchall(
        "SELECT user_id, substr(graded_at, 1, 10), COUNT(*), SUM(score), MIN(graded_at), "
        "MAX(graded_at), SUM(COALESCE(weighted, score)) FROM attempts WHERE score IS NOT NULL "
        "GROUP BY 1, 2"
    )
    questions = await store.db.fetchall(
        "SELECT user_id, question_id, COUNT(*), SUM(score), SUM(COALESCE(weighted, score)), "
        "SUM(COALESCE(core_covered, 0)), SUM(COALESCE(core_total, 0)) FROM attempts "
        "WHERE score IS NOT NULL GROUP BY 1, 2"
    )
    return _rounded(days), _rounded(questions)


async def sums_kept(store: Store) -> tuple[dict, dict]:
    days = await store.db.fetchall("SELECT * FROM score_days")
    return _rounded(days), _rounded(await store.db.fetchall("SELECT * FROM score_questions"))


def _rounded(rows: list[sqlite3.Row]) -> dict:
    """Key columns → the rest, with float sums rounded: adding and subtracting drifts by ulps."""
    return {
        (r[0], r[1]): tuple(round(v, 9) if isinstance(v, float) else v for v in tuple(r)[2:])
        for r in rows
    }


CARDS = 6  # answers given through the flow on top of the history, so there are cards


# Just over the limit the chart has a dot a day; at the limit exactly, a dot an answer.
@pytest.mark.parametrize("count", [MAX_POINTS + 1, MAX_POINTS - CARDS], ids=["daily", "each"])
async def test_numbers_match_the_computation_over_every_answer(
    store: Store, bank: Bank, library: Library, count: int
) -> None:
    clock = FixedClock(datetime(2027, 1, 6, 12, tzinfo=UTC))
    progress = Progress(store, library, clock, fuzz=False)
    await insert(store, 1, history(bank, count))
    flow = Flow(store, library, clock, 4000, progress=progress)
    for question in bank.in_topics(["cache", "security"])[:CARDS]:  # for mastery and due
        attempt = await flow.answer(1, question.id, None, "answer", HERE)
        await flow.grade(1, attempt.id, [0])
    await store.uptime.start(START)
    for tz_name in ZONES:
        if tz_name:
            await store.users.set_setting(1, "timezone", tz_name)
        stats = await progress.stats(1)
        assert_same_numbers(stats, await reference_stats(progress, 1), bank)
    assert stats.trend.per_day == (count + CARDS > MAX_POINTS)
    assert_same_series(stats.trend, await store.cards.scores(1))


def assert_same_series(trend: Trend, scores: list[tuple[str, float, datetime]]) -> None:
    """The dots the old chart drew: each answer (with the mean of the last ten), or each UTC
    day's mean. (The line of a daily chart is now the mean of the last week, tested apart.)"""
    if not trend.per_day:
        values = [score for _, score, _ in sorted(scores, key=lambda row: row[2])]
        assert list(trend.coverage) == values
        means = [
            sum(values[max(0, i - 9) : i + 1]) / len(values[max(0, i - 9) : i + 1])
            for i in range(len(values))
        ]
        assert list(trend.mean) == pytest.approx(means, rel=1e-12)
        return
    per_day: defaultdict[date, list[float]] = defaultdict(list)
    for _, score, when in scores:
        per_day[when.date()].append(score)
    days = sorted(per_day)
    assert list(trend.days) == [(d - date(1970, 1, 1)).days + 0.5 for d in days]
    daily = [sum(per_day[d]) / len(per_day[d]) for d in days]
    assert list(trend.coverage) == pytest.approx(daily, rel=1e-12)


async def test_a_dst_change_inside_a_utc_day_is_looked_up_answer_by_answer() -> None:
    berlin = zone("Europe/Berlin")  # 2026-03-29 01:00 UTC: +01:00 becomes +02:00
    before, after = datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 23, tzinfo=UTC)
    calm_day = after + timedelta(hours=2)
    calm = DayScores(date(2026, 3, 30), 2, 1.0, calm_day, calm_day + timedelta(hours=18), 1.0)
    changed = DayScores(date(2026, 3, 29), 2, 1.0, before, after, 1.0)
    instants, unknown = streak_instants([changed, calm], berlin)
    assert unknown == [date(2026, 3, 29)]
    assert instants == [calm.first_at]  # one instant: both answers fall on the same local date


async def test_the_sums_stay_exact_through_grades_regrades_and_deletes(
    store: Store, bank: Bank, library: Library, clock: FixedClock
) -> None:
    flow = Flow(store, library, clock, 4000)
    rng = random.Random(7)
    questions = bank.in_topics(["database"])[:5]
    for i in range(60):
        attempt = await flow.answer(i % 3, rng.choice(questions).id, None, "answer", HERE)
        if i % 4:
            await flow.grade(i % 3, attempt.id, rng.sample(range(3), rng.randint(0, 3)))
        clock.advance(timedelta(hours=rng.randrange(1, 30)))
    assert await sums_kept(store) == await sums_from_attempts(store)
    graded = await store.db.fetchall("SELECT id, total FROM attempts WHERE score IS NOT NULL")
    for i, row in enumerate(graded[::5]):  # the store regrades: new ticks at a new time
        marks = [0, 1] if i % 2 else None  # with core marks, or as an answer from before 006
        await store.attempts.grade(row["id"], [0], Rating.HARD, clock.now(), core=marks)
    weighted = await store.db.fetchone(
        "SELECT COUNT(*) FROM attempts WHERE weighted != score AND core_total > 0"
    )
    assert weighted is not None and weighted[0] > 0  # core marks made some shares differ
    await store.db.execute("UPDATE attempts SET user_id = 9 WHERE id = ?", (graded[1]["id"],))
    gone = (graded[2]["id"], graded[3]["id"])
    await store.db.execute("DELETE FROM attempts WHERE id IN (?, ?)", gone)
    assert await sums_kept(store) == await sums_from_attempts(store)
    await Progress(store, library, clock).forget(1)
    kept = await sums_kept(store)
    assert kept == await sums_from_attempts(store)
    assert not [key for table in kept for key in table if key[0] == 1]


async def test_migration_005_sums_the_answers_already_there(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # a database as the previous release left it
        for number, script in migrations()[:4]:
            db.executescript(script.read_text(encoding="utf-8"))
            db.execute(f"PRAGMA user_version = {number}")
        rows = history(bank, 300)
        db.executemany(INSERT_GRADED, [(2, q, n, to_text(t), to_text(t), s) for q, n, t, s in rows])
    store = await Store.open(path)
    try:
        kept = await sums_kept(store)
        assert kept == await sums_from_attempts(store)
        assert sum(answers for answers, *_ in kept[1].values()) == 300
    finally:
        await store.close()


def counting_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Titles of the charts actually drawn, in order."""
    drawn: list[str] = []
    real = bot.domain.progress.charts.render_progress

    def render(trend: object, mastery: dict[str, float], title: str) -> bytes:
        drawn.append(title)
        return real(trend, mastery, title)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.domain.progress.charts, "render_progress", render)
    return drawn


async def test_the_chart_is_drawn_again_only_when_what_it_shows_changes(
    store: Store, bank: Bank, library: Library, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = counting_renders(monkeypatch)
    progress = Progress(store, library, clock, fuzz=False)
    flow = Flow(store, library, clock, 4000, progress=progress)
    charts = ChartCache()
    question = bank.in_topics(["cache"])[0]
    first = await charts.png(1, await progress.stats(1), "alice")
    assert await charts.png(1, await progress.stats(1), "alice") is first
    assert drawn == ["alice"]
    attempt = await flow.answer(1, question.id, None, "answer", HERE)
    await flow.grade(1, attempt.id, [0, 1])  # a new graded answer
    graded = await charts.png(1, await progress.stats(1), "alice")
    assert graded != first and drawn == ["alice", "alice"]
    assert await charts.png(1, await progress.stats(1), "alice") is graded
    renamed = await charts.png(1, await progress.stats(1), "alice2")
    assert renamed != graded and drawn[-1] == "alice2"
    clock.advance(timedelta(days=30))  # a month later, mastery has decayed
    await charts.png(1, await progress.stats(1), "alice2")
    assert len(drawn) == 4


def test_the_chart_shows_mastery_rounded_as_the_embed_shows_it() -> None:
    rng = random.Random(3)
    values = [0.845, 0.285, 0.005, 0.995, 0.5, 0.0, 1.0] + [rng.random() for _ in range(200)]
    topics = tuple(TopicStats(f"t{i}", 1, None, v) for i, v in enumerate(values))
    empty = Trend((), (), (), per_day=False)
    stats = Stats(0, None, topics, streak([], None, START), 0, empty)
    for value, shown in zip(values, chart_mastery(stats).values(), strict=True):
        assert f"{shown * 100:.0f}" == str(round(value * 100))


async def test_the_chart_cache_keeps_only_the_latest_users(
    store: Store, library: Library, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = counting_renders(monkeypatch)
    progress = Progress(store, library, clock, fuzz=False)
    charts = ChartCache(users=2)
    for user in (1, 2, 3, 3, 2):
        await charts.png(user, await progress.stats(user), f"user {user}")
    assert drawn == ["user 1", "user 2", "user 3"]
    await charts.png(1, await progress.stats(1), "user 1")  # the oldest was let go
    assert drawn[-1] == "user 1" and len(drawn) == 4


@pytest.mark.parametrize("count", [0, 1, 10_000])
async def test_stats_and_chart_for_any_history_size(
    store: Store, bank: Bank, library: Library, count: int
) -> None:
    clock = FixedClock(datetime(2027, 1, 6, 12, tzinfo=UTC))
    progress = Progress(store, library, clock, fuzz=False)
    await insert(store, 1, history(bank, count))
    stats = await progress.stats(1)
    assert stats.attempts == count
    days = len(await store.cards.day_scores(1))
    assert len(stats.trend.days) == (count if count <= MAX_POINTS else days)
    png = await ChartCache().png(1, stats, "tester")
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
