"""Daily streaks in the user's own time zone, forgiving days the bot itself was down.

A streak is a run of consecutive local days with at least one graded answer. A day the bot was
down and the user did not answer is skipped: it neither counts nor breaks a run. A down day on
which the user did answer (a partial outage) still counts, because the answer is the evidence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bot.core.zones import zone


@dataclass(frozen=True, slots=True)
class Streak:
    """A user's current and best run of active local days."""

    current: int
    best: int
    active_today: bool


def local_day(when: datetime, tz: tzinfo) -> date:
    """The calendar date of an aware instant in a zone (DST-correct via astimezone)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"time must be timezone-aware: {when!r}")
    return when.astimezone(tz).date()


def _bridged(earlier: date, later: date, down: list[date]) -> bool:
    """Whether every day strictly between two dates was a down day."""
    gap = (later - earlier).days - 1
    if gap <= 0:
        return True
    inside = bisect_left(down, later) - bisect_right(down, earlier)
    return inside == gap


def _runs(days: list[date], down: list[date]) -> list[int]:
    """Lengths of the streak runs over sorted distinct active days."""
    runs: list[int] = []
    previous: date | None = None
    for day in days:
        if previous is not None and _bridged(previous, day, down):
            runs[-1] += 1
        else:
            runs.append(1)
        previous = day
    return runs


def streak(
    graded_at: Iterable[datetime],
    tz_name: str | None,
    now: datetime,
    down_days: Collection[date] = (),
) -> Streak:
    """A user's streak from the times of their graded answers, in their zone, as of ``now``."""
    tz = zone(tz_name)
    today = local_day(now, tz)
    # Answers stamped after "now" (clock skew) cannot extend a streak that is being judged now.
    days = sorted({d for d in (local_day(t, tz) for t in graded_at) if d <= today})
    if not days:
        return Streak(current=0, best=0, active_today=False)
    down = sorted(set(down_days))
    runs = _runs(days, down)
    last = days[-1]
    # Today is not over, so idling today breaks nothing: the run lives while every day between
    # the last active day and today was a down day (none at all when that was yesterday).
    alive = _bridged(last, today, down)
    return Streak(current=runs[-1] if alive else 0, best=max(runs), active_today=last == today)
