"""Leaderboard points: coverage-based, capped per UTC day, reveals and ungraded earn nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import Attempt, Rating
from bot.domain.progress.leaderboard import (
    DAILY_CAP,
    answer_points,
    points,
    ranking,
    window_start,
)

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
_ids = count(1)


def attempt(
    user: int,
    when: datetime,
    covered: int | None = 5,
    total: int = 5,
    *,
    revealed: bool = False,
    probe: int | None = None,
) -> Attempt:
    """A stored attempt graded at ``when`` with ``covered`` of ``total`` key points."""
    graded = covered is not None
    return Attempt(
        id=next(_ids),
        user_id=user,
        question_id="cache-stampede",
        probe=probe,
        answer="" if revealed else "an answer",
        covered=tuple(range(covered)) if graded else None,
        total=total,
        rating=Rating.GOOD if graded else None,
        created_at=when - timedelta(minutes=3),
        graded_at=when if graded else None,
        revealed=revealed,
    )


def test_points_follow_coverage() -> None:
    assert answer_points(attempt(1, NOW, 5, 5)) == 10
    assert answer_points(attempt(1, NOW, 3, 5)) == 6
    assert answer_points(attempt(1, NOW, 0, 5)) == 0
    assert answer_points(attempt(1, NOW, 2, 3)) == 7  # 6.67 rounds to 7
    assert answer_points(attempt(1, NOW, 2, 2, probe=0)) == 10  # a probe answer counts too


def test_reveals_and_ungraded_earn_nothing() -> None:
    reveal = attempt(1, NOW, 0, 5, revealed=True)
    ungraded = attempt(1, NOW, None)
    assert answer_points(reveal) is None and answer_points(ungraded) is None
    assert points([reveal, ungraded]) == {}
    assert points([reveal, attempt(1, NOW, 4, 5)]) == {1: 8}


def test_a_user_who_scored_zero_is_still_listed() -> None:
    assert points([attempt(7, NOW, 0, 5)]) == {7: 0}


def test_daily_cap() -> None:
    same_day = [attempt(1, NOW.replace(hour=1) + timedelta(minutes=i)) for i in range(9)]
    assert points(same_day) == {1: DAILY_CAP}
    next_day = [attempt(1, NOW.replace(hour=1) + timedelta(days=1))]
    assert points(same_day + next_day) == {1: DAILY_CAP + 10}


def test_cap_is_per_utc_day_and_per_user() -> None:
    before_midnight = NOW.replace(hour=23, minute=50)
    after_midnight = before_midnight + timedelta(minutes=20)  # the next UTC day
    answers = [attempt(1, before_midnight) for _ in range(6)]
    answers += [attempt(1, after_midnight) for _ in range(6)]
    answers += [attempt(2, before_midnight) for _ in range(3)]
    assert points(answers) == {1: 2 * DAILY_CAP, 2: 30}


def test_window_filtering() -> None:
    answers = [
        attempt(1, NOW - timedelta(days=2)),
        attempt(1, NOW - timedelta(days=10)),
        attempt(2, NOW - timedelta(days=40)),
    ]
    assert points(answers, window_start("week", NOW)) == {1: 10}
    assert points(answers, window_start("month", NOW)) == {1: 20}
    assert points(answers, window_start("all", NOW)) == {1: 20, 2: 10}
    assert points(answers) == points(answers, None)


def test_window_starts() -> None:
    assert window_start("week", NOW) == NOW - timedelta(days=7)
    assert window_start("month", NOW) == NOW - timedelta(days=30)
    assert window_start("all", NOW) is None
    with pytest.raises(ValueError, match="unknown period"):
        window_start("year", NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        window_start("week", NOW.replace(tzinfo=None))


def test_window_uses_grading_time_inclusive() -> None:
    edge = window_start("week", NOW)
    assert edge is not None
    assert points([attempt(1, edge)], edge) == {1: 10}
    assert points([attempt(1, edge - timedelta(seconds=1))], edge) == {}


def test_ranking_is_best_first_with_stable_ties() -> None:
    assert ranking({3: 20, 1: 50, 2: 20, 4: 0}) == [(1, 50), (2, 20), (3, 20), (4, 0)]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=4),  # user
            st.integers(min_value=0, max_value=24 * 14 - 1),  # hour within two weeks
            st.integers(min_value=0, max_value=6),  # covered
            st.integers(min_value=1, max_value=6),  # total
            st.booleans(),  # revealed
        ),
        max_size=80,
    )
)
def test_never_more_than_the_cap_per_day(rows: list[tuple[int, int, int, int, bool]]) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    answers = [
        attempt(user, start + timedelta(hours=h), min(c, t), t, revealed=r)
        for user, h, c, t, r in rows
    ]
    totals = points(answers)
    active: defaultdict[int, set[date]] = defaultdict(set)
    uncapped: defaultdict[int, int] = defaultdict(int)
    for a in answers:
        if not a.revealed:
            active[a.user_id].add(a.graded_at.date())  # type: ignore[union-attr]
            uncapped[a.user_id] += answer_points(a) or 0
    assert set(totals) == set(active)
    for user, total in totals.items():
        assert 0 <= total <= DAILY_CAP * len(active[user])
        assert total <= uncapped[user]
    # A window can only take points away.
    since = start + timedelta(days=7)
    assert all(v <= totals[u] for u, v in points(answers, since).items())
