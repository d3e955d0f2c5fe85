"""The scorecard a candidate gets from their peer: the interviewer's ticks weighed by the one
scoring rule (core points count double), what was missed, and the interviewer's feedback."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import Attempt, Bank
from bot.core.peer_state import PeerFeedback
from bot.core.scoring import core_tally, weights


@dataclass(frozen=True, slots=True)
class PeerLine:
    """How one question of the half went, as the interviewer heard it."""

    question_id: str
    title: str
    covered: int
    total: int
    weight: tuple[int, int]  # (weight covered, weight possible) of the question itself
    core: tuple[int, int] | None
    probes: tuple[tuple[int, int], ...]  # (covered, total) of each probe asked

    @property
    def coverage(self) -> float:
        """Weighted coverage of the question itself, 0 to 1."""
        return self.weight[0] / self.weight[1] if self.weight[1] else 0.0


@dataclass(frozen=True, slots=True)
class PeerCard:
    """One half's scorecard."""

    feedback: PeerFeedback
    lines: tuple[PeerLine, ...]
    missed: tuple[str, ...]  # missed core points first, marked "(core)"

    @property
    def coverage(self) -> float:
        """Weighted coverage over the questions asked."""
        possible = sum(line.weight[1] for line in self.lines)
        return sum(line.weight[0] for line in self.lines) / possible if possible else 0.0


def _missed(attempt: Attempt, bank: Bank) -> tuple[list[str], list[str]]:
    question = bank.get(attempt.question_id)
    if question is None or attempt.covered is None:
        return [], []
    points = question.key_points
    marks = set(attempt.core or ())
    missed = [i for i in range(min(attempt.total, len(points))) if i not in attempt.covered]
    core = [f"(core) {points[i].label}" for i in missed if i in marks]
    return core, [points[i].label for i in missed if i not in marks]


def build_card(
    feedback: PeerFeedback, attempts: list[Attempt], bank: Bank, missed_limit: int = 5
) -> PeerCard:
    """The half's scorecard from its feedback and the attempts recorded with it."""
    mains = [a for a in attempts if a.probe is None and a.covered is not None]
    lines = []
    missed_core: list[str] = []
    missed_other: list[str] = []
    for main in mains:
        question = bank.get(main.question_id)
        covered = main.covered or ()
        probes = tuple(
            (len(a.covered or ()), a.total)
            for a in attempts
            if a.probe is not None and a.question_id == main.question_id
        )
        lines.append(
            PeerLine(
                question_id=main.question_id,
                title=question.title if question else main.question_id,
                covered=len(covered),
                total=main.total,
                weight=weights(covered, main.total, main.core),
                core=core_tally(covered, main.total, main.core),
                probes=probes,
            )
        )
        core, others = _missed(main, bank)
        missed_core += core
        missed_other += others
    return PeerCard(
        feedback=feedback,
        lines=tuple(lines),
        missed=tuple((missed_core + missed_other)[:missed_limit]),
    )
