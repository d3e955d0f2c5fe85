"""What /stats shows, built from the store's aggregates rather than from every answer, and the
chart of it, drawn once and reused until what it shows changes. Pure domain; no discord.

The store sums graded answers per question and per UTC day, so the work here grows with the
number of questions and days, not of answers: 10,000 answers over a year are 366 day rows.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from bot.core.models import Bank
from bot.domain.progress.streaks import Streak
from bot.store.cards import DayScores, QuestionScores

ROLLING_ANSWERS = 10  # with few answers, the line is the mean of the last ten
ROLLING_DAYS = 7  # with many, one dot per UTC day and the line is the mean of the last week
MAX_POINTS = 400  # above this, one dot per UTC day: the eye cannot tell more dots apart anyway
CHART_USERS = 64  # charts kept in memory, one per user: at most ~4 MB of PNG
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class TopicStats:
    """One topic's attempts, average weighted coverage, mastery (FSRS retrievability), and its
    core points covered and asked (in answers graded since core points were recorded)."""

    topic: str
    attempts: int
    coverage: float | None
    mastery: float
    core_covered: int = 0
    core_total: int = 0


@dataclass(frozen=True, slots=True)
class Trend:
    """Coverage over time as the chart draws it: x in days since 1970-01-01 UTC, y in 0–1."""

    days: tuple[float, ...]
    coverage: tuple[float, ...]  # each answer's, or each day's mean when per_day
    mean: tuple[float, ...]  # the rolling mean at each point
    per_day: bool


@dataclass(frozen=True, slots=True)
class Stats:
    """What /stats shows."""

    attempts: int
    coverage: float | None  # weighted: core points count double
    topics: tuple[TopicStats, ...]
    streak: Streak
    due: int
    trend: Trend
    core_covered: int = 0  # core points covered and asked, apart from the overall coverage
    core_total: int = 0
    removed: int = 0  # answers to server questions their server removed since
    peer_attempts: int = 0  # of `attempts`, those a peer interviewer graded (/mock pair)
    peer_coverage: float | None = None  # their weighted coverage

    @property
    def self_graded(self) -> tuple[int, float | None]:
        """(answers, weighted coverage) of the self-graded ones: all but the peer-graded."""
        count = self.attempts - self.peer_attempts
        if count <= 0 or self.coverage is None:
            return max(count, 0), None
        peer_sum = (self.peer_coverage or 0.0) * self.peer_attempts
        return count, max(0.0, (self.coverage * self.attempts - peer_sum) / count)


def topic_stats(
    scores: Iterable[QuestionScores], bank: Bank, mastery: dict[str, float]
) -> tuple[TopicStats, ...]:
    """Answers, mean weighted coverage, mastery and core points for every topic of the bank,
    in its order."""
    answers: dict[str, int] = {}
    totals: dict[str, float] = {}
    core: dict[str, tuple[int, int]] = {}
    for group in scores:
        question = bank.get(group.question_id)
        topic = question.topic if question else "retired"
        answers[topic] = answers.get(topic, 0) + group.answers
        totals[topic] = totals.get(topic, 0.0) + group.weighted
        covered, asked = core.get(topic, (0, 0))
        core[topic] = (covered + group.core_covered, asked + group.core_total)
    return tuple(
        TopicStats(
            topic=t,
            attempts=answers.get(t, 0),
            coverage=totals[t] / answers[t] if answers.get(t) else None,
            mastery=mastery.get(t, 0.0),
            core_covered=core.get(t, (0, 0))[0],
            core_total=core.get(t, (0, 0))[1],
        )
        for t in bank.topics
    )


def answer_trend(points: Sequence[tuple[datetime, float]]) -> Trend:
    """One point per answer, oldest first, with the mean of the last ROLLING_ANSWERS."""
    ordered = sorted(points, key=lambda point: point[0])
    scores = [score for _, score in ordered]
    means = []
    for end in range(1, len(scores) + 1):
        recent = scores[max(0, end - ROLLING_ANSWERS) : end]
        means.append(sum(recent) / len(recent))
    return Trend(
        days=tuple(_epoch_seconds(when) / 86400 for when, _ in ordered),
        coverage=tuple(scores),
        mean=tuple(means),
        per_day=False,
    )


def daily_trend(days: Sequence[DayScores]) -> Trend:
    """One point per UTC day at noon, with the mean of every answer of the last ROLLING_DAYS."""
    means = []
    start = answers = 0
    total = 0.0
    for today in days:
        answers, total = answers + today.answers, total + today.weighted
        while (today.day - days[start].day).days >= ROLLING_DAYS:
            answers, total = answers - days[start].answers, total - days[start].weighted
            start += 1
        means.append(total / answers)
    return Trend(
        days=tuple((d.day - EPOCH).days + 0.5 for d in days),
        coverage=tuple(d.weighted / d.answers for d in days),
        mean=tuple(means),
        per_day=True,
    )


def streak_instants(days: Iterable[DayScores], tz: tzinfo) -> tuple[list[datetime], list[date]]:
    """Instants whose local days are the user's answering days, and the UTC days still unknown.

    Within one UTC day under a single UTC offset, local time only moves forward and by less
    than a day, so every answer's local date is that of the day's first or of its last answer:
    those two stand for the whole day (one, when they share a date). Where the offset differs
    between them (a DST change that day) the day is returned as unknown, for the caller to
    fetch its every answer.
    """
    instants: list[datetime] = []
    unknown: list[date] = []
    for day in days:
        first, last = day.first_at.astimezone(tz), day.last_at.astimezone(tz)
        if first.utcoffset() != last.utcoffset():
            unknown.append(day.day)
        elif first.date() == last.date():
            instants.append(day.first_at)
        else:
            instants += (day.first_at, day.last_at)
    return instants, unknown


def chart_mastery(stats: Stats) -> dict[str, float]:
    """Each topic's mastery as the chart shows it: to the whole percent, rounded as the embed
    rounds it, so the two always agree and slow decay does not redraw the chart each time."""
    return {t.topic: round(t.mastery * 100) / 100 for t in stats.topics}


def _epoch_seconds(when: datetime) -> float:
    """Epoch seconds of an aware time; a naive one would silently be read as server-local."""
    if when.tzinfo is None:
        raise ValueError(f"time must be timezone-aware: {when!r}")
    return (when - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()


class ChartCache:
    """The last chart drawn for each of the most recent users, reused while it would not change.

    The key is everything the chart shows (title, trend, each topic's mastery to the whole
    percent), so a new graded answer, a day's decay of mastery or a new display name all draw a
    fresh one, and a chart is never stale. It lives on the event loop's thread only.
    """

    def __init__(self, users: int = CHART_USERS) -> None:
        self.users = users
        self._charts: OrderedDict[int, tuple[Hashable, bytes]] = OrderedDict()

    async def png(self, user_id: int, stats: Stats, title: str) -> bytes:
        """The user's progress chart as PNG bytes, drawn in a worker thread when not cached."""
        mastery = chart_mastery(stats)
        key = (title, stats.trend, tuple(mastery.items()))
        cached = self._charts.get(user_id)
        if cached is not None and cached[0] == key:
            self._charts.move_to_end(user_id)
            return cached[1]
        # Imported here: matplotlib and numpy cost ~50 MiB, paid only once /stats is used.
        from bot.domain.progress.charts import render_progress

        # matplotlib is CPU work: off the event loop, so other users are not kept waiting.
        png = await asyncio.to_thread(render_progress, stats.trend, mastery, title)
        self._charts[user_id] = (key, png)
        self._charts.move_to_end(user_id)
        while len(self._charts) > self.users:
            self._charts.popitem(last=False)
        return png
