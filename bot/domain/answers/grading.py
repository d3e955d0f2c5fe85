"""Checklist → score → suggested rating. Pure functions shared by Discord and the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.models import KeyPoint, Rating

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
    missed: tuple[KeyPoint, ...]

    @property
    def coverage(self) -> float:
        """Share of key points covered, 0 to 1."""
        return len(self.covered) / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        """Coverage as a whole percentage."""
        return round(self.coverage * 100)


def rating_for(coverage: float) -> Rating:
    """Suggest a rating from coverage: <40% Again, 40–69% Hard, 70–99% Good, 100% Easy."""
    if coverage >= 1.0:
        return Rating.EASY
    if coverage >= 0.7:
        return Rating.GOOD
    if coverage >= 0.4:
        return Rating.HARD
    return Rating.AGAIN


def grade(points: tuple[KeyPoint, ...], ticked: Iterable[int]) -> Grade:
    """Grade a checklist: which of the key points the candidate says they covered."""
    covered = tuple(sorted(set(ticked)))
    if any(i < 0 or i >= len(points) for i in covered):
        raise GradingError(f"key point index out of range 0..{len(points) - 1}: {covered}")
    missed = tuple(p for i, p in enumerate(points) if i not in covered)
    coverage = len(covered) / len(points) if points else 0.0
    return Grade(covered=covered, total=len(points), rating=rating_for(coverage), missed=missed)


def bar(coverage: float, width: int = BAR_WIDTH) -> str:
    """A text progress bar such as ▰▰▰▰▰▰▱▱▱▱."""
    filled = round(max(0.0, min(1.0, coverage)) * width)
    return "▰" * filled + "▱" * (width - filled)


def clean_answer(text: str | None) -> str:
    """Normalise an answer: strip outer whitespace; empty means no answer at all."""
    return (text or "").strip()
