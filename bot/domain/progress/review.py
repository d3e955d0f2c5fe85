"""Spaced repetition with FSRS: when each follow-up comes back, and how well it is known.

Cards are persisted as fsrs's own JSON text, so the store never needs to know the fields.
A reveal without an answer is a lapse: callers review it as ``Rating.AGAIN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import fsrs

from bot.core.models import Rating

# Interview prep runs for months, not decades: FSRS's default cap (100 years) would retire a
# question after a few Good answers, so cap the gap at a year and it keeps coming back.
MAX_INTERVAL_DAYS = 365
DESIRED_RETENTION = 0.9

TO_FSRS: dict[Rating, fsrs.Rating] = {
    Rating.AGAIN: fsrs.Rating.Again,
    Rating.HARD: fsrs.Rating.Hard,
    Rating.GOOD: fsrs.Rating.Good,
    Rating.EASY: fsrs.Rating.Easy,
}
FROM_FSRS: dict[fsrs.Rating, Rating] = {v: k for k, v in TO_FSRS.items()}


class ReviewError(ValueError):
    """A stored card or a review time that cannot be used."""


@dataclass(frozen=True, slots=True)
class ReviewedCard:
    """A card after one review: the JSON to store and the fields worth showing."""

    card_json: str
    due: datetime
    stability: float
    difficulty: float
    state: str


def _scheduler(fuzz: bool) -> fsrs.Scheduler:
    """A day-scale scheduler: no minute-long (re)learning steps, a chat bot asks once a day."""
    return fsrs.Scheduler(
        desired_retention=DESIRED_RETENTION,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=MAX_INTERVAL_DAYS,
        enable_fuzzing=fuzz,
    )


# Schedulers hold only parameters, so two shared instances are safe across threads.
_SCHEDULERS = {False: _scheduler(False), True: _scheduler(True)}


def to_fsrs(rating: Rating) -> fsrs.Rating:
    """Our four-button rating as fsrs's."""
    return TO_FSRS[rating]


def from_fsrs(rating: fsrs.Rating) -> Rating:
    """An fsrs rating as ours."""
    return FROM_FSRS[rating]


def _utc(when: datetime) -> datetime:
    """The same instant with ``datetime.UTC`` as tzinfo, which fsrs insists on."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ReviewError(f"time must be timezone-aware: {when!r}")
    # fsrs compares tzinfo to timezone.utc, so even ZoneInfo("UTC") is refused unless converted.
    return when.astimezone(UTC)


def _new(now: datetime) -> fsrs.Card:
    """A never-reviewed card due at ``now``."""
    now = _utc(now)
    # Pass id and due explicitly: fsrs's defaults read the system clock and sleep 1 ms.
    return fsrs.Card(card_id=int(now.timestamp() * 1000), due=now)


def new_card(now: datetime) -> str:
    """The JSON of a never-reviewed card, due immediately."""
    return _new(now).to_json()


def load(card_json: str) -> fsrs.Card:
    """Parse a stored card, with a readable error when the text is not one."""
    try:
        card = fsrs.Card.from_json(card_json)
    except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise ReviewError(f"not a stored FSRS card: {exc}") from exc
    if card.due.tzinfo is None:
        raise ReviewError("stored card has a naive due time")
    return card


def review(card_json: str | None, rating: Rating, when: datetime, fuzz: bool) -> ReviewedCard:
    """Review a card (``None``: first time) with a rating at ``when``; fuzz spreads due dates."""
    when = _utc(when)
    card = _new(when) if card_json is None else load(card_json)
    updated, _log = _SCHEDULERS[fuzz].review_card(card, to_fsrs(rating), when)
    # After any review with no learning steps the card has both; assert for the type checker.
    assert updated.stability is not None and updated.difficulty is not None
    return ReviewedCard(
        card_json=updated.to_json(),
        due=updated.due.astimezone(UTC),
        stability=updated.stability,
        difficulty=updated.difficulty,
        state=updated.state.name.lower(),
    )


def retrievability(card_json: str | None, now: datetime) -> float:
    """Predicted chance of recall at ``now``, 0 to 1 ("mastery"); 0 for a card never reviewed."""
    if card_json is None:
        return 0.0
    value = _SCHEDULERS[False].get_card_retrievability(load(card_json), _utc(now))
    return float(min(1.0, max(0.0, value)))


def is_due(card_json: str | None, now: datetime) -> bool:
    """Whether the card should be asked again at ``now``; a card never reviewed always is."""
    if card_json is None:
        return True
    return load(card_json).due <= _utc(now)


def due_at(card_json: str) -> datetime:
    """When a stored card is next due, in UTC."""
    return load(card_json).due.astimezone(UTC)
