"""Checklist → score → suggested rating. Pure functions shared by Discord and the terminal.

The one scoring rule for the whole bot: core points weigh CORE_WEIGHT (bot.core.scoring, where
stored attempts apply it too), and a missed core point caps the suggested rating at Hard.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from bot.core.models import KeyPoint, Rating
from bot.core.scoring import CORE_WEIGHT as CORE_WEIGHT  # re-exported: the UI names it
from bot.core.scoring import core_marks, core_tally, weighted_share

MAX_ANSWER = 4000  # one modal text input holds at most 4000 characters
BAR_WIDTH = 10


class GradingError(ValueError):
    """The ticked key points do not fit the question."""


@dataclass(frozen=True, slots=True)
class Grade:
    """The outcome of one self-graded checklist."""

    covered: tuple[int, ...]
    total: int
    rating: Rating
    missed: tuple[KeyPoint, ...]  # the missed core points first, then the others
    core: tuple[int, ...] | None = None  # which points were core; None: graded before 006
    missed_core: tuple[KeyPoint, ...] = ()  # the missed core points (they lead `missed`)
    unfound: tuple[int, ...] = ()  # ticked points the answer shows none of its words for

    @property
    def coverage(self) -> float:
        """Weighted share of key points covered, 0 to 1: core points count double."""
        return weighted_share(self.covered, self.total, self.core)

    @property
    def percent(self) -> int:
        """Coverage as a whole percentage."""
        return round(self.coverage * 100)

    @property
    def core_tally(self) -> tuple[int, int] | None:
        """(core points covered, core points asked), None when the core marks are unknown."""
        return core_tally(self.covered, self.total, self.core)

    @property
    def capped(self) -> bool:
        """Whether a missed core point held the suggested rating down."""
        return bool(self.missed_core) and rating_for(self.coverage) != self.rating


def rating_for(coverage: float, core_missed: bool = False) -> Rating:
    """Suggest a rating from coverage: <40% Again, 40–69% Hard, 70–99% Good, 100% Easy; at
    most Hard while a core point is missed (an interviewer would not pass the answer)."""
    if coverage >= 1.0:
        rating = Rating.EASY
    elif coverage >= 0.7:
        rating = Rating.GOOD
    elif coverage >= 0.4:
        rating = Rating.HARD
    else:
        rating = Rating.AGAIN
    if core_missed and rating in (Rating.GOOD, Rating.EASY):
        return Rating.HARD
    return rating


def suggested_rating(covered: Collection[int], total: int, core: Collection[int] | None) -> Rating:
    """The rating a checklist suggests, from its stored ticks and core marks."""
    missed_core = bool(set(core or ()) - set(covered))
    return rating_for(weighted_share(covered, total, core), missed_core)


def grade(
    points: tuple[KeyPoint, ...], ticked: Iterable[int], found: Sequence[bool] | None = None
) -> Grade:
    """Grade a fresh checklist: which key points the candidate says they covered, the core
    points as the bank marks them now, and (given the evidence) which ticks lack words."""
    return grade_against(points, ticked, core_marks(p.core for p in points), found)


def grade_against(
    points: tuple[KeyPoint, ...],
    ticked: Iterable[int],
    core: Collection[int] | None,
    found: Sequence[bool] | None = None,
) -> Grade:
    """Grade ticks against given core marks: a stored answer's own, so it scores as it did."""
    covered = tuple(sorted(set(ticked)))
    if any(i < 0 or i >= len(points) for i in covered):
        raise GradingError(f"key point index out of range 0..{len(points) - 1}: {covered}")
    marks = None if core is None else tuple(sorted({i for i in core if 0 <= i < len(points)}))
    missed = [i for i in range(len(points)) if i not in covered]
    missed_core = tuple(points[i] for i in missed if i in (marks or ()))
    others = tuple(points[i] for i in missed if i not in (marks or ()))
    unfound = () if found is None else tuple(i for i in covered if i < len(found) and not found[i])
    return Grade(
        covered=covered,
        total=len(points),
        rating=suggested_rating(covered, len(points), marks),
        missed=missed_core + others,
        core=marks,
        missed_core=missed_core,
        unfound=unfound,
    )


def core_summary(covered: int, asked: int) -> str:
    """The core points' own line, beside the overall score."""
    return f"Core points: {covered} of {asked} covered"


def unfound_note(count: int) -> str | None:
    """A gentle word when ticked points have no words in the answer (None when all have)."""
    if count <= 0:
        return None
    if count == 1:
        return (
            "1 of the points you ticked was not found in your answer: "
            "fine if you said it in other words."
        )
    return (
        f"{count} of the points you ticked were not found in your answer: "
        "fine if you said them in other words."
    )


def bar(coverage: float, width: int = BAR_WIDTH) -> str:
    """A text progress bar such as ▰▰▰▰▰▰▱▱▱▱."""
    filled = round(max(0.0, min(1.0, coverage)) * width)
    return "▰" * filled + "▱" * (width - filled)


def clean_answer(text: str | None) -> str:
    """Normalise an answer: strip outer whitespace; empty means no answer at all."""
    return (text or "").strip()
