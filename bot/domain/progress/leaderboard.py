"""Leaderboard points from graded answers, capped per day so spamming does not pay."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.core.models import Attempt

POINTS_PER_ANSWER = 10  # at full coverage; partial coverage earns its share
DAILY_CAP = 50  # five perfect answers a (UTC) day; more practice is welcome but not ranked
WINDOWS: dict[str, timedelta | None] = {
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "all": None,
}

Period = Literal["week", "month", "all"]


def answer_points(attempt: Attempt) -> int | None:
    """Points one attempt earns before the daily cap; ``None`` when it earns nothing at all."""
    coverage = attempt.coverage
    # A reveal shows the model answer without one from the user, so it is never rewarded.
    if attempt.revealed or coverage is None:
        return None
    return round(POINTS_PER_ANSWER * coverage)


def earned_at(attempt: Attempt) -> datetime:
    """When an attempt's points were earned: when it was graded, else when it was answered."""
    return attempt.graded_at or attempt.created_at


def points(attempts: Iterable[Attempt], since: datetime | None = None) -> dict[int, int]:
    """Capped points per user id from attempts graded at or after ``since`` (all when None)."""
    return scored_points(
        (
            (a.user_id, a.coverage or 0.0, earned_at(a))
            for a in attempts
            if answer_points(a) is not None
        ),
        since,
    )


def scored_points(
    scores: Iterable[tuple[int, float, datetime]], since: datetime | None = None
) -> dict[int, int]:
    """Capped points per user from (user id, coverage, graded at) of graded answers."""
    if since is not None and since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    daily: defaultdict[tuple[int, date], int] = defaultdict(int)
    for user_id, coverage, when in scores:
        if since is not None and when < since:
            continue
        daily[user_id, when.astimezone(UTC).date()] += round(POINTS_PER_ANSWER * coverage)
    totals: defaultdict[int, int] = defaultdict(int)
    for (user_id, _day), total in daily.items():
        totals[user_id] += min(total, DAILY_CAP)
    return dict(totals)


def window_start(period: Period, now: datetime) -> datetime | None:
    """Start of a rolling window ending at ``now``: 7 days, 30 days, or ``None`` for all time."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if period not in WINDOWS:
        raise ValueError(f"unknown period {period!r}; expected one of {', '.join(WINDOWS)}")
    span = WINDOWS[period]
    return None if span is None else now - span


def ranking(totals: dict[int, int]) -> list[tuple[int, int]]:
    """(user id, points) best first; ties go to the lower user id so the order is stable."""
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))
