"""Checklist scoring and the coverage → rating mapping."""

from __future__ import annotations

import pytest

from bot.core.models import KeyPoint, Rating
from bot.core.scoring import core_tally, weighted_share, weights
from bot.domain.answers.grading import (
    CORE_WEIGHT,
    GradingError,
    bar,
    clean_answer,
    core_summary,
    grade,
    grade_against,
    rating_for,
    suggested_rating,
    unfound_note,
)

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


# Two core points first, then three plain ones, as the bank lists them: weights 2 2 1 1 1.
CORE_POINTS = (
    KeyPoint("core 0", "why", core=True),
    KeyPoint("core 1", "why", core=True),
    *(KeyPoint(f"plain {i}", "why") for i in range(2, 5)),
)


def test_core_points_count_double() -> None:
    plain_only = grade(CORE_POINTS, [2, 3, 4])
    assert plain_only.coverage == pytest.approx(3 / 7) and plain_only.percent == 43
    one_core = grade(CORE_POINTS, [0])
    assert one_core.coverage == pytest.approx(2 / 7)
    assert grade(CORE_POINTS, range(5)).coverage == 1.0
    assert grade(POINTS, [0, 1]).coverage == pytest.approx(2 / 5)  # no core: equal weights


def test_a_missed_core_point_caps_the_suggested_rating_at_hard() -> None:
    assert rating_for(0.8) is Rating.GOOD
    assert rating_for(0.8, core_missed=True) is Rating.HARD
    assert rating_for(1.0, core_missed=True) is Rating.HARD
    assert rating_for(0.3, core_missed=True) is Rating.AGAIN  # the cap never raises a rating
    # One core of 8 points (weights 2+7 = 9): all seven plain points are 78%, Good, capped.
    eight = (KeyPoint("core", "why", core=True), *(KeyPoint(f"p{i}", "why") for i in range(7)))
    capped = grade(eight, range(1, 8))
    assert capped.percent == 78 and capped.rating is Rating.HARD and capped.capped
    assert grade(eight, range(8)).rating is Rating.EASY
    near = grade(eight, range(7))  # the core point and six plain ones: 8/9, nothing capped
    assert near.rating is Rating.GOOD and not near.capped


def test_missed_core_points_are_named_first() -> None:
    result = grade(CORE_POINTS, [0, 3])
    assert [p.label for p in result.missed_core] == ["core 1"]
    assert [p.label for p in result.missed] == ["core 1", "plain 2", "plain 4"]
    assert result.core == (0, 1) and result.core_tally == (1, 2)


def test_stored_marks_score_an_old_answer_as_it_was_graded() -> None:
    old = grade_against(CORE_POINTS, [2, 3, 4], core=None)  # graded before core was stored
    assert old.coverage == pytest.approx(3 / 5) and old.core_tally is None and not old.missed_core
    assert old.rating is Rating.HARD
    marked = grade_against(CORE_POINTS, [2, 3, 4], core=(4,))  # the bank's marks moved since
    assert marked.coverage == pytest.approx(4 / 6) and marked.core_tally == (1, 1)


def test_ticks_without_evidence_are_counted_for_the_gentle_note() -> None:
    found = [True, False, False, True, True]
    result = grade(CORE_POINTS, [0, 1, 2], found)
    assert result.unfound == (1, 2)
    assert grade(CORE_POINTS, [0, 1, 2]).unfound == ()
    assert unfound_note(0) is None
    assert unfound_note(1) == (
        "1 of the points you ticked was not found in your answer: fine if you said it in other "
        "words."
    )
    assert unfound_note(2) == (
        "2 of the points you ticked were not found in your answer: fine if you said them in "
        "other words."
    )
    assert core_summary(7, 9) == "Core points: 7 of 9 covered"


def test_the_weighting_rule_is_the_one_stored_attempts_use() -> None:
    assert CORE_WEIGHT == 2
    assert weights([0, 4, 9], 5, (0, 1)) == (3, 7)  # index 9 is out of range: it weighs nothing
    assert weighted_share([], 0, None) == 0.0
    assert core_tally([0], 5, None) is None and core_tally([0], 5, (0, 7)) == (1, 1)
    assert suggested_rating([2, 3, 4], 5, (0, 1)) is Rating.HARD
    assert suggested_rating([2, 3, 4], 5, None) is Rating.HARD
