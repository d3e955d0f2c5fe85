"""The end-of-round scorecard, computed from a round and the bank (pure)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.core.models import Bank
from bot.core.round_state import Phase, Round


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

    @property
    def coverage(self) -> float:
        """Main-question coverage, 0 to 1."""
        return self.covered / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Coverage per question and per topic, time, what was missed, what to review."""

    lines: tuple[QuestionLine, ...]
    topics: dict[str, tuple[int, int]]
    missed: tuple[str, ...]
    review_next: tuple[str, ...]
    seconds: float
    limit: float
    stopped: bool
    asked: int

    @property
    def coverage(self) -> float:
        """Coverage over every main question answered."""
        total = sum(line.total for line in self.lines)
        return sum(line.covered for line in self.lines) / total if total else 0.0


def build(state: Round, bank: Bank, missed_limit: int = 5) -> Scorecard:
    """Summarise a finished (or stopped) round."""
    mains = [s for s in state.steps if s.probe is None]
    probes = {s.question_id: s for s in state.steps if s.probe is not None}
    lines: list[QuestionLine] = []
    topics: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[str] = []
    for step in mains:
        question = bank.get(step.question_id)
        title = question.title if question else step.question_id
        topic = question.topic if question else "?"
        probe = probes.get(step.question_id)
        lines.append(
            QuestionLine(
                question_id=step.question_id,
                title=title,
                topic=topic,
                covered=step.covered,
                total=step.total,
                probe_covered=probe.covered if probe else None,
                probe_total=probe.total if probe else None,
                seconds=step.seconds + (probe.seconds if probe else 0),
                limit=step.limit + (probe.limit if probe else 0),
                timed_out=step.timed_out,
            )
        )
        topics[topic][0] += step.covered
        topics[topic][1] += step.total
        if question:
            missed += [
                question.key_points[i].label for i in step.missed if i < len(question.key_points)
            ]
    review = sorted(lines, key=lambda line: (line.coverage, line.question_id))
    return Scorecard(
        lines=tuple(lines),
        topics={k: (v[0], v[1]) for k, v in topics.items()},
        missed=tuple(missed[:missed_limit]),
        review_next=tuple(line.question_id for line in review if line.coverage < 1.0)[:3],
        seconds=sum(line.seconds for line in lines),
        limit=sum(line.limit for line in lines),
        stopped=state.phase is Phase.STOPPED,
        asked=len(state.question_ids),
    )


def minutes(seconds: float) -> str:
    """Seconds as m:ss."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
