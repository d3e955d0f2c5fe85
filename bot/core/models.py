"""Plain data the whole bot shares: questions, attempts, schedules, rounds.

Nothing here imports discord; these are the types the store returns and the UI renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.scoring import weighted_share

TOPIC_IDS = (
    "database",
    "cache",
    "messaging",
    "consistency",
    "scale",
    "reliability",
    "security",
    "operations",
    "product",
)


class Difficulty(StrEnum):
    """How hard a follow-up is."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Rating(StrEnum):
    """A self-grade on the four-button scale spaced repetition uses."""

    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


class PostOutcome(StrEnum):
    """What became of one attempt to make a daily post."""

    POSTED = "posted"
    ALREADY_POSTED = "already-posted"  # claimed before (a restart, an overlapping process)
    FAILED = "failed"  # Discord refused; retried later or the schedule paused
    INACTIVE = "inactive"  # the schedule is paused or gone
    NOT_DUE = "not-due"


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One thing a strong answer says, and why it matters."""

    label: str
    why: str
    core: bool = False


@dataclass(frozen=True, slots=True)
class Probe:
    """The interviewer's deeper next question, graded like the main one."""

    question: str
    key_points: tuple[KeyPoint, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """One of the areas a follow-up belongs to."""

    id: str
    title: str
    emoji: str
    colour: int
    description: str


@dataclass(frozen=True, slots=True)
class Question:
    """A follow-up question with its model answer as key points."""

    id: str
    topic: str
    title: str
    difficulty: Difficulty
    scenario: str
    question: str
    key_points: tuple[KeyPoint, ...]
    probes: tuple[Probe, ...]
    red_flags: tuple[str, ...]
    tags: tuple[str, ...]
    reference: int | None = None
    aliases: tuple[str, ...] = ()
    checked: str | None = None

    def prompt(self, probe: int | None) -> str:
        """The text asked: the question itself, or one of its probes."""
        return self.question if probe is None else self.probes[probe].question

    def points(self, probe: int | None) -> tuple[KeyPoint, ...]:
        """The key points that grade the question or one of its probes."""
        return self.key_points if probe is None else self.probes[probe].key_points


@dataclass(frozen=True, slots=True)
class Attempt:
    """One graded answer (or a reveal) by one user, as stored."""

    id: int
    user_id: int
    question_id: str
    probe: int | None
    answer: str
    covered: tuple[int, ...] | None
    total: int
    rating: Rating | None
    created_at: datetime
    graded_at: datetime | None
    guild_id: int | None = None
    source: str = "followup"
    revealed: bool = False
    core: tuple[int, ...] | None = None  # core points when graded; None: graded before 006

    @property
    def coverage(self) -> float | None:
        """Weighted share of key points covered (core points double), or None while ungraded."""
        if self.covered is None or self.total == 0:
            return None
        return weighted_share(self.covered, self.total, self.core)


@dataclass(frozen=True, slots=True)
class Bank:
    """The loaded question bank."""

    topics: dict[str, Topic]
    questions: dict[str, Question] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def get(self, question_id: str) -> Question | None:
        """The question with this id, or the one an old (merged or renamed) id now names."""
        found = self.questions.get(question_id)
        if found is None and question_id in self.aliases:
            found = self.questions.get(self.aliases[question_id])
        return found

    def in_topics(self, topics: tuple[str, ...] | list[str] | None = None) -> list[Question]:
        """Questions of the given topics (all when none), in a stable order."""
        wanted = set(topics) if topics else None
        return [
            q
            for q in sorted(self.questions.values(), key=lambda q: q.id)
            if wanted is None or q.topic in wanted
        ]


@dataclass(frozen=True, slots=True)
class UserSettings:
    """A user's own choices (/settings); the defaults until they set any."""

    timezone: str | None = None  # IANA zone their streak days follow
    leaderboard: bool = False  # shown on the server's leaderboard
    share_stats: bool = False  # others may see their /stats
    peer_invites: bool = True  # other members may invite them to peer mock interviews


@dataclass(frozen=True, slots=True)
class Schedule:
    """A channel's daily question: when, in which time zone, from which topics."""

    id: int
    guild_id: int
    channel_id: int
    post_time: str
    timezone: str
    topics: tuple[str, ...]
    role_id: int | None
    use_thread: bool
    paused: bool
    pause_reason: str | None
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """What an admin asks for with /daily set: a channel's new or replaced schedule."""

    guild_id: int
    channel_id: int
    post_time: str
    timezone: str
    topics: tuple[str, ...]
    role_id: int | None
    use_thread: bool
    created_by: int


@dataclass(frozen=True, slots=True)
class DailyPost:
    """One day's post in one channel: claimed before sending, then posted (or failed)."""

    id: int
    schedule_id: int | None
    guild_id: int
    channel_id: int
    local_date: str
    kind: str
    question_id: str
    status: str
    tries: int
    retry_at: datetime | None
    message_id: int | None
    thread_id: int | None
    claimed_at: datetime
    posted_at: datetime | None
    reveal_at: datetime | None
    revealed_at: datetime | None
