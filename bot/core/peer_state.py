"""A peer mock interview's stored state: two members, two halves, roles swapped between them.

The transitions live in bot.domain.peer.session; this is only the data, so the store can read
and write sessions without importing the domain.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

SIGNALS = ("strong no", "no", "yes", "strong yes")  # the hire signal, worst first
MAIN = "m"  # the part key of a question itself; a probe's is its index


class PeerPhase(StrEnum):
    """Where a session is."""

    INTERVIEW = "interview"  # the half's interviewer asks and ticks the key points
    FEEDBACK = "feedback"  # the half's time is up: waiting for the interviewer's feedback
    DONE = "done"  # both halves over
    ENDED = "ended"  # ended early: by a member, or because nobody gave feedback in time


class PeerError(Exception):
    """A transition that does not fit the session (a stale click, someone else's panel)."""


def part_key(index: int, probe: int | None) -> str:
    """Where ticks are kept: question `index` itself, or one of its probes."""
    return f"{index}:{MAIN if probe is None else probe}"


@dataclass(frozen=True, slots=True)
class Half:
    """One half: who asks, who answers, which questions, what the interviewer ticked."""

    interviewer: int
    candidate: int
    question_ids: tuple[str, ...]
    index: int = 0  # the question being asked
    showing: int | None = None  # the probe shown on the panel (None: the question itself)
    ticks: dict[str, tuple[int, ...]] = field(default_factory=dict)  # part_key -> points
    asked: tuple[str, ...] = ()  # part keys of the probes the interviewer opened
    feedback_id: int | None = None  # the stored feedback, once submitted

    @property
    def question_id(self) -> str:
        """The question being asked."""
        return self.question_ids[self.index]

    def ticked(self, index: int, probe: int | None) -> tuple[int, ...]:
        """The points ticked for a question or a probe of it."""
        return self.ticks.get(part_key(index, probe), ())


@dataclass(frozen=True, slots=True)
class PeerSession:
    """A session's whole state; JSON round-trips it for the store."""

    id: int
    guild_id: int
    channel_id: int
    thread_id: int | None  # the private thread; None when the session runs in DMs
    halves: tuple[Half, Half]
    minutes: float  # per half
    started_at: datetime
    half: int = 0
    phase: PeerPhase = PeerPhase.INTERVIEW
    deadline: datetime | None = None  # the half's end, or the end of the time for feedback
    seq: int = 0  # bumps on every transition
    ended_by: int | None = None  # the member who ended it early (None: silence or done)

    @property
    def active(self) -> bool:
        """Still running."""
        return self.phase in (PeerPhase.INTERVIEW, PeerPhase.FEEDBACK)

    @property
    def current(self) -> Half:
        """The half under way (the last one once over)."""
        return self.halves[self.half]

    @property
    def members(self) -> tuple[int, int]:
        """Both members: the first interviewer, then the first candidate."""
        first = self.halves[0]
        return first.interviewer, first.candidate

    def partner_of(self, user_id: int) -> int:
        """The other member."""
        a, b = self.members
        return b if user_id == a else a

    def next_timer(self) -> datetime | None:
        """When the session next needs attention by itself."""
        return self.deadline if self.active else None

    def to_json(self) -> str:
        """Serialise for the store."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["deadline"] = self.deadline.isoformat() if self.deadline else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> PeerSession:
        """Read back what to_json wrote."""
        data = json.loads(text)
        data["started_at"] = datetime.fromisoformat(data["started_at"])
        data["deadline"] = datetime.fromisoformat(data["deadline"]) if data["deadline"] else None
        data["phase"] = PeerPhase(data["phase"])
        first, second = (_half(h) for h in data["halves"])
        data["halves"] = (first, second)
        return cls(**data)


def _half(data: dict[str, Any]) -> Half:
    return Half(
        **{
            **data,
            "question_ids": tuple(data["question_ids"]),
            "ticks": {k: tuple(v) for k, v in data["ticks"].items()},
            "asked": tuple(data["asked"]),
        }
    )


@dataclass(frozen=True, slots=True)
class PeerInvite:
    """An invite to one member (`kind` "invite") or a place in a server's queue ("queue")."""

    id: int
    kind: str
    guild_id: int
    channel_id: int
    user_id: int  # who invites, or who waits
    partner_id: int | None  # who is invited (None for a queue entry)
    topics: tuple[str, ...]
    questions: int
    minutes: float
    status: str  # open | accepted | declined | expired | cancelled | matched | left
    message_id: int | None
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PeerFeedback:
    """What one interviewer said about one half: ticks live in the attempts, the rest here."""

    id: int
    session_id: int
    half: int
    interviewer_id: int
    candidate_id: int
    signal: str
    well: str
    improve: str
    attempt_ids: tuple[int, ...]
    created_at: datetime
