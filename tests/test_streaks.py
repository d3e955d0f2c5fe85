"""Streaks by local day: time zones, DST, down days, current versus best; zone-name help."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.zones import suggest_timezone, valid_timezone
from bot.domain.progress.streaks import Streak, local_day, streak

SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")


def at(tz: ZoneInfo, y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    """A wall-clock time in a zone, as the UTC instant the store would hold."""
    return datetime(y, m, d, hh, mm, tzinfo=tz).astimezone(UTC)


def days(first: date, count: int) -> list[datetime]:
    """Noon UTC on ``count`` consecutive days from ``first``."""
    noon = datetime(first.year, first.month, first.day, 12, tzinfo=UTC)
    return [noon + timedelta(days=d) for d in range(count)]


def test_no_answers() -> None:
    assert streak([], None, datetime(2026, 3, 1, tzinfo=UTC)) == Streak(0, 0, False)


def test_sydney_late_night_and_next_morning_are_two_days_on_one_utc_date() -> None:
    late = at(SYDNEY, 2026, 3, 10, 23, 30)
    morning = at(SYDNEY, 2026, 3, 11, 8, 0)
    assert late.date() == morning.date() == date(2026, 3, 10)  # the same UTC date
    now = at(SYDNEY, 2026, 3, 11, 10, 0)
    assert streak([late, morning], "Australia/Sydney", now) == Streak(2, 2, True)
    assert streak([late, morning], None, now) == Streak(1, 1, True)  # UTC sees one day


def test_kolkata_half_hour_offset_splits_the_utc_evening() -> None:
    before = datetime(2026, 3, 1, 18, 15, tzinfo=UTC)  # 23:45 IST on the 1st
    after = datetime(2026, 3, 1, 18, 45, tzinfo=UTC)  # 00:15 IST on the 2nd
    assert [local_day(t, KOLKATA) for t in (before, after)] == [date(2026, 3, 1), date(2026, 3, 2)]
    now = datetime(2026, 3, 2, 6, tzinfo=UTC)
    assert streak([before, after], "Asia/Kolkata", now) == Streak(2, 2, True)


def test_new_york_across_the_spring_dst_change() -> None:
    # 2026-03-08 02:00 EST jumps to 03:00 EDT; 00:30 local is 05:30 UTC before, 04:30 UTC after.
    answers = [at(NEW_YORK, 2026, 3, d, 0, 30) for d in range(5, 13)]
    assert {t.hour for t in answers} == {4, 5}  # a fixed -5 h offset would merge two days
    now = at(NEW_YORK, 2026, 3, 12, 9, 0)
    assert streak(answers, "America/New_York", now) == Streak(8, 8, True)
    # The 23-hour day: just after midnight and just before the next are still one local day.
    short_day = [at(NEW_YORK, 2026, 3, 8, 0, 5), at(NEW_YORK, 2026, 3, 8, 23, 55)]
    assert streak(short_day, "America/New_York", at(NEW_YORK, 2026, 3, 8, 23, 59)) == Streak(
        1, 1, True
    )


def test_new_york_across_the_autumn_dst_change() -> None:
    answers = [at(NEW_YORK, 2026, m, d, 23, 30) for m, d in ((10, 30), (10, 31), (11, 1), (11, 2))]
    now = at(NEW_YORK, 2026, 11, 3, 7, 0)
    assert streak(answers, "America/New_York", now) == Streak(4, 4, False)


def test_yesterday_keeps_the_streak_alive_and_two_days_ago_does_not() -> None:
    answers = days(date(2026, 3, 1), 3)  # the 1st, 2nd and 3rd
    assert streak(answers, None, datetime(2026, 3, 4, 20, tzinfo=UTC)) == Streak(3, 3, False)
    assert streak(answers, None, datetime(2026, 3, 5, 0, 1, tzinfo=UTC)) == Streak(0, 3, False)


def test_best_and_current_differ() -> None:
    answers = days(date(2026, 2, 1), 5) + days(date(2026, 2, 10), 2)
    assert streak(answers, None, datetime(2026, 2, 11, 23, tzinfo=UTC)) == Streak(2, 5, True)


def test_many_answers_a_day_count_once() -> None:
    base = datetime(2026, 3, 1, 8, tzinfo=UTC)
    answers = [base + timedelta(minutes=m) for m in range(0, 600, 7)]
    assert streak(answers, None, base + timedelta(hours=12)) == Streak(1, 1, True)


def test_down_days_bridge_a_gap_without_counting() -> None:
    answers = days(date(2026, 3, 1), 2) + days(date(2026, 3, 5), 2)  # 1, 2, _, _, 5, 6
    now = datetime(2026, 3, 6, 18, tzinfo=UTC)
    assert streak(answers, None, now) == Streak(2, 2, True)
    down = {date(2026, 3, 3), date(2026, 3, 4)}
    assert streak(answers, None, now, down) == Streak(4, 4, True)
    # One down day is not enough to bridge a two-day gap.
    assert streak(answers, None, now, {date(2026, 3, 3)}) == Streak(2, 2, True)


def test_down_days_keep_an_idle_streak_alive_until_a_real_missed_day() -> None:
    answers = days(date(2026, 3, 1), 3)  # last active on the 3rd
    down = {date(2026, 3, 4)}
    assert streak(answers, None, datetime(2026, 3, 5, 9, tzinfo=UTC), down).current == 3
    assert streak(answers, None, datetime(2026, 3, 6, 9, tzinfo=UTC), down).current == 0


def test_an_answer_on_a_down_day_still_counts() -> None:
    answers = days(date(2026, 3, 1), 3)
    down = {date(2026, 3, 2)}  # a partial outage: the user still got an answer in
    assert streak(answers, None, datetime(2026, 3, 3, 20, tzinfo=UTC), down) == Streak(3, 3, True)


def test_answers_after_now_are_ignored() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert streak([now + timedelta(days=1)], None, now) == Streak(0, 0, False)


def test_bad_input_is_refused() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="unknown time zone"):
        streak([now], "Mars/Olympus_Mons", now)
    with pytest.raises(ValueError, match="aware"):
        streak([now.replace(tzinfo=None)], None, now)


def reference(
    stamps: list[datetime], tz: ZoneInfo, now: datetime, down: set[date]
) -> tuple[int, int, bool]:
    """A day-by-day walk: the slow, obvious version of the streak rules."""
    today = now.astimezone(tz).date()
    active = {d for d in (t.astimezone(tz).date() for t in stamps) if d <= today}
    if not active:
        return 0, 0, False
    run = best = 0
    day = min(active)
    while day <= today:
        if day in active:
            run += 1
        elif day not in down and day != today:
            run = 0
        best = max(best, run)
        day += timedelta(days=1)
    return run, best, today in active


ZONES = ["UTC", "Australia/Sydney", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]
START = datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    hours=st.lists(st.integers(min_value=0, max_value=24 * 60), max_size=60),
    down=st.sets(st.integers(min_value=0, max_value=62), max_size=20),
    zone_name=st.sampled_from(ZONES),
    now_hours=st.integers(min_value=0, max_value=24 * 62),
)
def test_matches_a_day_by_day_walk(
    hours: list[int], down: set[int], zone_name: str, now_hours: int
) -> None:
    tz = ZoneInfo(zone_name)
    stamps = [START + timedelta(hours=h) for h in hours]
    down_days = {date(2026, 1, 1) + timedelta(days=d) for d in down}
    now = START + timedelta(hours=now_hours)
    result = streak(stamps, zone_name, now, down_days)
    assert (result.current, result.best, result.active_today) == reference(
        stamps, tz, now, down_days
    )
    assert result.current <= result.best
    assert result.current > 0 or not result.active_today
    # Down days only ever forgive: adding them can never shorten a streak.
    plain = streak(stamps, zone_name, now)
    assert plain.current <= result.current and plain.best <= result.best


def test_valid_timezone() -> None:
    assert valid_timezone("Europe/Berlin")
    assert valid_timezone("UTC")
    assert not valid_timezone("Europe/Berln")
    assert not valid_timezone("europe/berlin")  # stored names are exact; suggest fixes case
    assert not valid_timezone("")
    assert not valid_timezone("../../etc/passwd")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("Sydny", "Australia/Sydney"),
        ("Kolkatta", "Asia/Kolkata"),
        ("utc", "UTC"),
    ],
)
def test_suggest_timezone_puts_the_fix_first(typed: str, expected: str) -> None:
    suggestions = suggest_timezone(typed)
    assert suggestions[0] == expected
    assert all(valid_timezone(s) for s in suggestions)
    assert len(suggestions) <= 3


def test_suggest_timezone_finds_nothing_for_nonsense() -> None:
    assert suggest_timezone("qqqqqqqq") == []
    assert suggest_timezone("   ") == []
