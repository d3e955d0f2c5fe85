"""Choosing questions: random picks, autocomplete search, close matches for typos."""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable

from bot.core.errors import UserError
from bot.core.models import TOPIC_IDS, Bank, Question

MAX_CHOICES = 25  # Discord's cap on autocomplete results
CHOICE_NAME = 100  # and on each choice's name


def pick(
    bank: Bank,
    topics: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    rng: random.Random | None = None,
) -> Question:
    """A random question of the topics, avoiding `exclude` while others remain."""
    pool = bank.in_topics(list(topics) if topics else None)
    if not pool:
        raise LookupError("no questions in those topics")
    skip = set(exclude)
    fresh = [q for q in pool if q.id not in skip] or pool
    return (rng or random).choice(fresh)


def pick_or_explain(
    bank: Bank, topics: Iterable[str] | None = None, rng: random.Random | None = None
) -> Question:
    """pick, with a message for the user when the server has no question there (it switched
    those bundled topics off and has none of its own in them)."""
    wanted = list(topics) if topics else None
    try:
        return pick(bank, wanted, rng=rng)
    except LookupError:
        named = ", ".join(wanted) if wanted else "any topic"
        raise UserError(
            f"This server has no questions in {named}: its moderators switched the bundled "
            "ones off (/content topics) and it has none of its own there."
        ) from None


def choice_name(question: Question) -> str:
    """How a question shows in the autocomplete list (≤ 100 characters)."""
    name = f"{question.title} — {question.question}"
    return name if len(name) <= CHOICE_NAME else name[: CHOICE_NAME - 1] + "…"


def search(bank: Bank, text: str, topic: str | None = None) -> list[Question]:
    """Questions whose id, title or text contain every word typed, best first, at most 25."""
    words = text.lower().split()
    pool = bank.in_topics([topic] if topic else None)
    scored = []
    for question in pool:
        hay = f"{question.id} {question.title} {question.question} {' '.join(question.tags)}"
        hay = hay.lower()
        if all(word in hay for word in words):
            in_title = sum(word in question.title.lower() for word in words)
            scored.append((-in_title, question.id, question))
    scored.sort(key=lambda item: item[:2])
    return [question for *_, question in scored[:MAX_CHOICES]]


def close_matches(bank: Bank, text: str, limit: int = 3) -> list[Question]:
    """Questions whose id or title look like a mistyped `text`."""
    by_key = {q.id: q for q in bank.questions.values()}
    by_key.update({q.title.lower(): q for q in bank.questions.values()})
    keys = difflib.get_close_matches(text.lower().strip(), list(by_key), n=limit * 2, cutoff=0.5)
    found: list[Question] = []
    for key in keys:
        if by_key[key] not in found:
            found.append(by_key[key])
    return found[:limit]


def resolve(bank: Bank, text: str) -> Question | None:
    """The question an option value names: its id exactly, or a unique title match."""
    value = text.strip()
    if (found := bank.get(value)) is not None:  # an id, or an old id of a merged question
        return found
    titled = [q for q in bank.questions.values() if q.title.lower() == value.lower()]
    return titled[0] if len(titled) == 1 else None


def parse_topics(text: str | None) -> tuple[str, ...]:
    """A comma-separated topic list; empty means every topic."""
    topics = tuple(dict.fromkeys(t.strip().lower() for t in (text or "").split(",") if t.strip()))
    for topic in topics:
        if topic not in TOPIC_IDS:
            close = difflib.get_close_matches(topic, TOPIC_IDS, n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise UserError(f"{topic!r} is not a topic.{hint} Topics: {', '.join(TOPIC_IDS)}.")
    return topics
