"""Who is paired with whom, on which topics, with which questions. Pure; no discord."""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.core.models import Bank
from bot.core.peer_state import PeerInvite


def overlap(mine: Sequence[str], theirs: Sequence[str]) -> float:
    """How well two members' topics fit: shared topics count one each; a member open to any
    topic fits anyone a little (0.5); two members with no topic in common fit least (0)."""
    if not mine or not theirs:
        return 0.5
    return float(len(set(mine) & set(theirs)))


def best_match(
    user_id: int, topics: Sequence[str], waiting: Sequence[PeerInvite]
) -> list[PeerInvite]:
    """The waiting members to try, best first: most shared topics, then longest waiting."""
    others = [w for w in waiting if w.user_id != user_id]
    return sorted(others, key=lambda w: (-overlap(topics, w.topics), w.created_at, w.id))


def session_topics(mine: Sequence[str], theirs: Sequence[str]) -> tuple[str, ...]:
    """The topics a matched pair practises: the shared ones, else everything either chose
    (empty means every topic)."""
    if not mine or not theirs:
        return ()
    shared = [t for t in mine if t in theirs]
    return tuple(shared) if shared else tuple(dict.fromkeys([*mine, *theirs]))


def pick_halves(
    bank: Bank, topics: Sequence[str], count: int, rng: random.Random | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Questions for each half, none asked twice in a session while the topics have enough
    (each member interviews the other on questions they did not just answer themselves)."""
    pool = bank.in_topics(list(topics) or None) or bank.in_topics(None)
    chosen = (rng or random).sample(pool, min(len(pool), 2 * count))
    if len(chosen) < 2:  # a one-question bank: both halves get it
        chosen = chosen * 2
    half = max(1, min(count, len(chosen) // 2))
    first = tuple(q.id for q in chosen[:half])
    second = tuple(q.id for q in chosen[half : 2 * half])
    return first, second
