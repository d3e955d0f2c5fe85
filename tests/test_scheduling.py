"""Daily-post times across DST in several zones, validation, and question rotation."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.core.models import Bank, Schedule
from bot.core.zones import parse_zone
from bot.domain.daily.rules import (
    day_over,
    due_day,
    next_daily_question,
    next_post,
    occurrence,
    parse_time,
)


def schedule(
    post_time: str, zone: str, created: datetime | None = None, topics: tuple[str, ...] = ()
) -> Schedule:
    return Schedule(
        id=1,
        guild_id=1,
        channel_id=2,
        post_time=post_time,
        timezone=zone,
        topics=topics,
        role_id=None,
        use_thread=True,
        paused=False,
        pause_reason=None,
        created_by=3,
        created_at=created or datetime(2020, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize("text", ["25:00", "9am", "09:60", "", "9", "12:5", "-1:00"])
def test_bad_times_explain_the_format(text: str) -> None:
    with pytest.raises(UserError, match="24-hour HH:MM"):
        parse_time(text)


def test_good_times() -> None:
    assert parse_time("09:00") == time(9, 0)
    assert parse_time("9:05") == time(9, 5)
    assert parse_time(" 23:59 ") == time(23, 59)


def test_zone_typo_suggests_the_right_one() -> None:
    with pytest.raises(UserError, match="Did you mean Europe/Berlin"):
        parse_zone("Europe/Berln")
    assert parse_zone("europe/berlin").key == "Europe/Berlin"
    with pytest.raises(UserError, match="not a time zone"):
        parse_zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        # Ordinary days.
        ("Europe/Berlin", date(2026, 1, 15), datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 7, 15), datetime(2026, 7, 15, 7, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 1, 15), datetime(2026, 1, 15, 14, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 7, 15), datetime(2026, 7, 15, 13, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 1, 15), datetime(2026, 1, 14, 22, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 7, 15), datetime(2026, 7, 14, 23, 0, tzinfo=UTC)),
        ("Asia/Kolkata", date(2026, 3, 29), datetime(2026, 3, 29, 3, 30, tzinfo=UTC)),
    ],
)
def test_nine_o_clock_in_several_zones(zone: str, day: date, expected_utc: datetime) -> None:
    assert occurrence(day, time(9, 0), ZoneInfo(zone)) == expected_utc


def test_spring_forward_gap_still_posts_once_after_the_gap() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    when = occurrence(date(2026, 3, 29), time(2, 30), berlin)  # 02:30 does not exist that day
    assert when.astimezone(berlin).strftime("%H:%M") == "03:30"
    new_york = ZoneInfo("America/New_York")
    when = occurrence(date(2026, 3, 8), time(2, 30), new_york)
    assert when.astimezone(new_york).strftime("%H:%M %Z") == "03:30 EDT"


def test_fall_back_ambiguous_time_is_the_first_instance() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    when = occurrence(date(2026, 10, 25), time(2, 30), berlin)
    assert when == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET
    sydney = ZoneInfo("Australia/Sydney")  # falls back on the first Sunday of April
    assert occurrence(date(2026, 4, 5), time(2, 30), sydney) == datetime(
        2026, 4, 4, 15, 30, tzinfo=UTC
    )


def test_fall_back_day_is_due_once_even_when_the_cron_fires_twice() -> None:
    s = schedule("02:30", "Europe/Berlin")
    first_fire = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second_fire = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, same local date
    catch_up = timedelta(hours=12)
    assert due_day(s, first_fire, catch_up) == date(2026, 10, 25)
    assert due_day(s, second_fire, catch_up) == date(2026, 10, 25)  # the ledger keeps it once


def test_next_post_across_dst_changes() -> None:
    s = schedule("09:00", "America/New_York")
    before = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # Saturday 10:00 EST
    assert next_post(s, before) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # Sunday 09:00 EDT
    s = schedule("09:00", "Australia/Sydney")
    assert next_post(s, datetime(2026, 4, 4, 23, 30, tzinfo=UTC)) == datetime(
        2026, 4, 5, 23, 0, tzinfo=UTC
    )


def test_due_day_rules() -> None:
    s = schedule("09:00", "Europe/Berlin", created=datetime(2026, 1, 1, tzinfo=UTC))
    catch_up = timedelta(hours=2)
    assert due_day(s, datetime(2026, 1, 15, 7, 59, tzinfo=UTC), catch_up) is None  # too early
    assert due_day(s, datetime(2026, 1, 15, 8, 0, tzinfo=UTC), catch_up) == date(2026, 1, 15)
    assert due_day(s, datetime(2026, 1, 15, 9, 59, tzinfo=UTC), catch_up) == date(2026, 1, 15)
    assert due_day(s, datetime(2026, 1, 15, 10, 1, tzinfo=UTC), catch_up) is None  # too late
    created_after = schedule(
        "09:00", "Europe/Berlin", created=datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    )
    assert due_day(created_after, datetime(2026, 1, 15, 9, 5, tzinfo=UTC), catch_up) is None


def test_a_day_is_over_in_its_own_zone() -> None:
    now = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    assert day_over("2026-01-15", "Australia/Sydney", now)  # already the 16th there
    assert not day_over("2026-01-15", "America/New_York", now)


def test_rotation_covers_every_question_before_repeating(bank: Bank) -> None:
    topics = ("cache", "messaging")
    pool = {q.id for q in bank.in_topics(list(topics))}
    history: list[str] = []
    rng = random.Random(7)
    for _ in range(len(pool)):
        history.append(next_daily_question(bank, topics, history, rng).id)
    assert set(history) == pool and len(history) == len(pool)
    topics_in_order = [bank.questions[q].topic for q in history[:6]]
    assert topics_in_order == ["cache", "messaging"] * 3  # alternates between the topics
    nxt = next_daily_question(bank, topics, history, rng)
    assert nxt.id in pool  # a new cycle begins


def test_rotation_with_all_topics_and_unknown_history(bank: Bank) -> None:
    question = next_daily_question(bank, (), ["gone-question"], random.Random(1))
    assert question.id in bank.questions
