"""The end-of-round scorecard, computed from a round and the bank (pure), and the score of
each part as the candidate sees it right after grading it (in DMs and in the terminal).

Every share here is weighted by the one rule (core points count double), from the core marks
each step stored when it was graded; a step saved before they were stored weighs all equally.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.core.models import Bank
from bot.core.round_state import Phase, Round, Step
from bot.core.scoring import core_tally, weights
from bot.domain.answers.grading import (
    bar,
    core_summary,
    rating_for,
    suggested_rating,
    unfound_note,
)


def _ticked(step: Step) -> tuple[int, ...]:
    """The key points the step covered (its stored missed points are the rest)."""
    return tuple(i for i in range(step.total) if i not in step.missed)


def step_weights(step: Step) -> tuple[int, int]:
    """(weight covered, weight possible) of one graded step."""
    return weights(_ticked(step), step.total, step.core)


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """How one question of the round went."""

    question_id: str
    title: str
    topic: str
    covered: int
    total: int
    probe_covered: int | None
    probe_total: int | None
    seconds: float
    limit: float
    timed_out: bool
    weight: tuple[int, int] = (0, 0)  # (weight covered, weight possible) of the main question
    core: tuple[int, int] | None = None  # (core points covered, asked); None: no marks stored

    @property
    def coverage(self) -> float:
        """Main-question coverage, weighted, 0 to 1."""
        return self.weight[0] / self.weight[1] if self.weight[1] else 0.0


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Coverage per question and per topic, time, what was missed, what to review."""

    lines: tuple[QuestionLine, ...]
    topics: dict[str, tuple[int, int]]  # topic → (weight covered, weight possible)
    missed: tuple[str, ...]  # missed core points first, marked "(core)"
    review_next: tuple[str, ...]
    seconds: float
    limit: float
    stopped: bool
    asked: int

    @property
    def coverage(self) -> float:
        """Weighted coverage over every main question answered."""
        possible = sum(line.weight[1] for line in self.lines)
        return sum(line.weight[0] for line in self.lines) / possible if possible else 0.0

    @property
    def core(self) -> tuple[int, int]:
        """(core points covered, core points asked) over the main questions."""
        tallies = [line.core for line in self.lines if line.core]
        return sum(c for c, _ in tallies), sum(n for _, n in tallies)

    def topic_shares(self) -> dict[str, float]:
        """Each topic's weighted coverage, 0 to 1."""
        return {
            t: (got / possible if possible else 0.0) for t, (got, possible) in self.topics.items()
        }


def _missed_labels(step: Step, bank: Bank) -> tuple[list[str], list[str]]:
    """The step's missed key points: (core ones marked "(core)", the others)."""
    question = bank.get(step.question_id)
    if question is None:
        return [], []
    points = question.key_points
    marks = set(step.core or ())
    core = [f"(core) {points[i].label}" for i in step.missed if i < len(points) and i in marks]
    others = [points[i].label for i in step.missed if i < len(points) and i not in marks]
    return core, others


def _line(step: Step, probe: Step | None, bank: Bank) -> QuestionLine:
    """One main question's line, with its probe's count and time."""
    question = bank.get(step.question_id)
    return QuestionLine(
        question_id=step.question_id,
        title=question.title if question else step.question_id,
        topic=question.topic if question else "?",
        covered=step.covered,
        total=step.total,
        probe_covered=probe.covered if probe else None,
        probe_total=probe.total if probe else None,
        seconds=step.seconds + (probe.seconds if probe else 0),
        limit=step.limit + (probe.limit if probe else 0),
        timed_out=step.timed_out,
        weight=step_weights(step),
        core=core_tally(_ticked(step), step.total, step.core),
    )


def build(state: Round, bank: Bank, missed_limit: int = 5) -> Scorecard:
    """Summarise a finished (or stopped) round."""
    mains = [s for s in state.steps if s.probe is None]
    probes = {s.question_id: s for s in state.steps if s.probe is not None}
    lines = [_line(step, probes.get(step.question_id), bank) for step in mains]
    topics: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed_core: list[str] = []
    missed_other: list[str] = []
    for step, line in zip(mains, lines, strict=True):
        topics[line.topic][0] += line.weight[0]
        topics[line.topic][1] += line.weight[1]
        core, others = _missed_labels(step, bank)
        missed_core += core
        missed_other += others
    review = sorted(lines, key=lambda line: (line.coverage, line.question_id))
    return Scorecard(
        lines=tuple(lines),
        topics={k: (v[0], v[1]) for k, v in topics.items()},
        missed=tuple((missed_core + missed_other)[:missed_limit]),
        review_next=tuple(line.question_id for line in review if line.coverage < 1.0)[:3],
        seconds=sum(line.seconds for line in lines),
        limit=sum(line.limit for line in lines),
        stopped=state.phase is Phase.STOPPED,
        asked=len(state.question_ids),
    )


def part_lines(state: Round, card: Scorecard) -> list[str]:
    """The part just graded, as plain text: its weighted score, the round so far, its core
    points and suggested rating, and the gentle note on ticks the answer showed no words for."""
    step = state.steps[-1]
    got, possible = step_weights(step)
    share = got / possible if possible else 0.0
    part = "Probe" if step.probe is not None else "Question"
    lines = [
        f"{part} score: {step.covered}/{step.total} key points {bar(share)} "
        f"{round(share * 100)}% · round so far {round(card.coverage * 100)}%"
    ]
    ticked = _ticked(step)
    rating = suggested_rating(ticked, step.total, step.core)
    tally = core_tally(ticked, step.total, step.core)
    capped = rating != rating_for(share)
    rated = f"Suggested rating: {rating.value.capitalize()}" + (
        " (at most Hard while a core point is missed)" if capped else ""
    )
    lines.append(f"{core_summary(*tally)} · {rated}" if tally and tally[1] else rated)
    note = unfound_note(step.unfound)
    return [*lines, note] if note else lines


def minutes(seconds: float) -> str:
    """Seconds as m:ss."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
