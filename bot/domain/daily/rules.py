"""Daily-post rules: times and time zones, which local day is due, and which question is next.

Pure functions of an injected `now`; DST is handled by working in local dates.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.models import Bank, Question, Schedule

TIME_PATTERN = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def parse_time(text: str) -> time:
    """A 24-hour HH:MM time, or a UserError explaining the format."""
    match = TIME_PATTERN.match(text.strip())
    if not match:
        raise UserError(
            f"{text!r} is not a time I understand. Use 24-hour HH:MM, for example 09:00 or 18:30."
        )
    return time(int(match[1]), int(match[2]))


def occurrence(local_day: date, post_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of the post on a local day.

    With fold=0, zoneinfo reads a time that does not exist that day (spring forward) with the
    offset before the change, which lands it later by the gap (02:30 → 03:30), and an
    ambiguous time (fall back) as its first instance: so every local day has exactly one.
    """
    return datetime.combine(local_day, post_time, tzinfo=zone).astimezone(UTC)


def local_date(now: datetime, zone: ZoneInfo) -> date:
    """The calendar date at `now` in the zone."""
    return now.astimezone(zone).date()


def next_post(schedule: Schedule, now: datetime) -> datetime:
    """The next instant the schedule posts, after `now`."""
    zone = ZoneInfo(schedule.timezone)
    post_time = parse_time(schedule.post_time)
    day = local_date(now, zone)
    for offset in range(3):
        when = occurrence(day + timedelta(days=offset), post_time, zone)
        if when > now:
            return when
    raise AssertionError("unreachable: a post happens at least every day")  # pragma: no cover


def due_day(schedule: Schedule, now: datetime, catch_up: timedelta) -> date | None:
    """The local date whose post is due at `now`, if any: today's time has passed, at most
    `catch_up` ago, after the schedule was set, and the local day is not over yet."""
    zone = ZoneInfo(schedule.timezone)
    today = local_date(now, zone)
    when = occurrence(today, parse_time(schedule.post_time), zone)
    if when <= now and now - when <= catch_up and when >= schedule.created_at:
        return today
    return None


def day_over(local_day: str, zone_name: str, now: datetime) -> bool:
    """Whether a local date (ISO text) has ended in its zone at `now`."""
    return local_date(now, ZoneInfo(zone_name)) > date.fromisoformat(local_day)


def next_daily_question(
    bank: Bank, topics: tuple[str, ...], history: list[str], rng: random.Random | None = None
) -> Question:
    """Rotate through the chosen topics without repeating a question in the channel until
    every question of those topics has been posted; then start a new cycle."""
    pool = bank.in_topics(list(topics) or None)
    if not pool:
        raise LookupError("no questions in the schedule's topics")
    pool_ids = {q.id for q in pool}
    history = [bank.aliases.get(qid, qid) for qid in history]  # a merged question counts once
    seen: set[str] = set()
    for qid in history:  # find where the current cycle began
        if qid in pool_ids:
            seen.add(qid)
            if seen >= pool_ids:
                seen = set()
    remaining = [q for q in pool if q.id not in seen]
    order = list(topics) or sorted({q.topic for q in pool})
    last = next((found.topic for q in reversed(history) if (found := bank.get(q))), None)
    start = (order.index(last) + 1) % len(order) if last in order else 0
    for step in range(len(order)):
        topic = order[(start + step) % len(order)]
        candidates = [q for q in remaining if q.topic == topic]
        if candidates:
            return (rng or random).choice(candidates)
    return (rng or random).choice(remaining)
