"""A mock round's stored state: what the store saves and the state machine moves.

The transitions live in bot.domain.mock.rounds; this is only the data, so the store can read
and write rounds without importing the domain.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

WARN_BEFORE = timedelta(minutes=1)
TIMES = ("started_at", "part_started", "deadline", "paused_at")  # datetimes in the JSON


class Phase(StrEnum):
    """Where a round is."""

    ANSWER = "answer"  # writing the answer to the question or probe
    GRADE = "grade"  # ticking key points
    DONE = "done"  # scorecard shown
    STOPPED = "stopped"  # ended early by the candidate


class RoundError(Exception):
    """A transition that does not fit the round's phase (a stale click, a repeated submit)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One answered and graded part: a question or a probe of it."""

    question_id: str
    probe: int | None
    attempt_id: int | None
    covered: int
    total: int
    seconds: float
    limit: float
    timed_out: bool
    missed: tuple[int, ...] = ()
    core: tuple[int, ...] | None = None  # core points when graded; None: saved before 006
    unfound: int = 0  # ticked points the answer showed none of its words for


@dataclass(frozen=True, slots=True)
class Round:
    """A round's whole state; JSON round-trips it for the store."""

    id: int
    user_id: int
    question_ids: tuple[str, ...]
    minutes: float
    started_at: datetime
    index: int = 0
    probe: int | None = None
    phase: Phase = Phase.ANSWER
    part_started: datetime | None = None
    deadline: datetime | None = None
    warned: bool = False
    answer: str = ""
    truncated: bool = False
    attempt_id: int | None = None
    timed_out: bool = False
    steps: tuple[Step, ...] = field(default_factory=tuple)
    seq: int = 0  # bumps on every transition: buttons carry it, so stale clicks are refused
    paused_at: datetime | None = None  # set while nobody is there (the terminal was left)

    @property
    def active(self) -> bool:
        """Still running."""
        return self.phase in (Phase.ANSWER, Phase.GRADE)

    @property
    def question_id(self) -> str:
        """The current question."""
        return self.question_ids[self.index]

    @property
    def limit(self) -> timedelta:
        """Time allowed for the current part (a probe gets half, at least two minutes)."""
        full = timedelta(minutes=self.minutes)
        return full if self.probe is None else max(full / 2, timedelta(minutes=2))

    def next_timer(self) -> datetime | None:
        """When the round next needs attention by itself: the warning, then time's up."""
        if self.phase is not Phase.ANSWER or self.deadline is None or self.paused_at:
            return None
        warn_at = self.deadline - WARN_BEFORE
        return (
            warn_at
            if not self.warned and warn_at > (self.part_started or warn_at)
            else (self.deadline)
        )

    def to_json(self) -> str:
        """Serialise for the store."""
        data = asdict(self)
        for key in TIMES:
            data[key] = data[key].isoformat() if data[key] else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Round:
        """Read back what to_json wrote."""
        data = json.loads(text)
        for key in TIMES:
            data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        data["phase"] = Phase(data["phase"])
        data["question_ids"] = tuple(data["question_ids"])
        data["steps"] = tuple(_step(s) for s in data["steps"])
        return cls(**data)


def _step(data: dict[str, Any]) -> Step:
    """A step read back from JSON (lists become tuples; a step saved before 006 has no core)."""
    core = data.get("core")
    return Step(
        **{**data, "missed": tuple(data["missed"]), "core": None if core is None else tuple(core)}
    )
