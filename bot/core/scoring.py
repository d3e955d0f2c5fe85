"""How much each key point weighs in a score: the one rule every reader of a score applies.

Core points (what an interviewer must hear) count CORE_WEIGHT times a plain one. The rule lives
here, below everything, because a stored Attempt computes its own coverage from its stored ticks
and core marks (bot.core.models), and the store and the domain both build on that; the domain's
grading (bot.domain.answers.grading) scores a fresh checklist through the same functions.

`core` is the indexes of the points that were core when the answer was graded. None means the
answer was graded before core points were recorded: every point then weighs the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

CORE_WEIGHT = 2


def core_marks(flags: Iterable[bool]) -> tuple[int, ...]:
    """The indexes of the core points, from each point's core flag in checklist order."""
    return tuple(i for i, core in enumerate(flags) if core)


def weights(covered: Collection[int], total: int, core: Collection[int] | None) -> tuple[int, int]:
    """(weight of the points covered, weight of all the points) of one checklist.

    Indexes outside 0..total-1 weigh nothing, so a mark left by an older bank cannot count."""
    marks = frozenset(core or ())
    points = [CORE_WEIGHT if i in marks else 1 for i in range(total)]
    return sum(points[i] for i in set(covered) if 0 <= i < total), sum(points)


def weighted_share(covered: Collection[int], total: int, core: Collection[int] | None) -> float:
    """The share of the checklist's weight covered, 0 to 1 (0 for an empty checklist)."""
    got, possible = weights(covered, total, core)
    return got / possible if possible else 0.0


def core_tally(
    covered: Collection[int], total: int, core: Collection[int] | None
) -> tuple[int, int] | None:
    """(core points covered, core points asked), or None when the core marks are unknown."""
    if core is None:
        return None
    marks = {i for i in core if 0 <= i < total}
    return len(marks & set(covered)), len(marks)
