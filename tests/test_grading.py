"""Checklist scoring and the coverage → rating mapping."""

from __future__ import annotations

import pytest

from bot.core.models import KeyPoint, Rating
from bot.domain.answers.grading import GradingError, bar, clean_answer, grade, rating_for

POINTS = tuple(KeyPoint(f"point {i}", f"why {i}") for i in range(5))


@pytest.mark.parametrize(
    ("coverage", "rating"),
    [
        (0.0, Rating.AGAIN),
        (0.39, Rating.AGAIN),
        (0.4, Rating.HARD),
        (0.69, Rating.HARD),
        (0.7, Rating.GOOD),
        (0.99, Rating.GOOD),
        (1.0, Rating.EASY),
    ],
)
def test_rating_boundaries(coverage: float, rating: Rating) -> None:
    assert rating_for(coverage) is rating


def test_grade_lists_missed_points_in_order() -> None:
    result = grade(POINTS, [3, 0, 3])
    assert result.covered == (0, 3)
    assert result.total == 5
    assert [p.label for p in result.missed] == ["point 1", "point 2", "point 4"]
    assert result.percent == 40
    assert result.rating is Rating.HARD


def test_grade_all_and_none() -> None:
    assert grade(POINTS, range(5)).rating is Rating.EASY
    assert grade(POINTS, []).missed == POINTS


def test_out_of_range_ticks_are_refused() -> None:
    with pytest.raises(GradingError):
        grade(POINTS, [5])
    with pytest.raises(GradingError):
        grade(POINTS, [-1])


def test_bar() -> None:
    assert bar(0.0) == "▱" * 10
    assert bar(1.0) == "▰" * 10
    assert bar(0.5) == "▰" * 5 + "▱" * 5
    assert bar(3.0) == "▰" * 10


def test_clean_answer() -> None:
    assert clean_answer("  \n\t ") == ""
    assert clean_answer(None) == ""
    assert clean_answer("  use a lock \n") == "use a lock"
