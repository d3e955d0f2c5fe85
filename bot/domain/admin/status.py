"""The figures /admin status shows that live in the store and the bank."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.services import Services


@dataclass(frozen=True, slots=True)
class WorkInHand:
    """Schedules, rounds and daily posts, counted across every server."""

    schedules: int
    paused: int
    active_rounds: int
    posts_by_status: dict[str, int]
    questions: int
    pack_servers: int = 0  # servers with questions of their own
    pack_questions: int = 0


async def work_in_hand(services: Services) -> WorkInHand:
    """Count what the bot is looking after."""
    store = services.store
    schedules, paused = await store.schedules.count()
    pack_servers, pack_questions = await store.packs.count()
    return WorkInHand(
        schedules=schedules,
        paused=paused,
        active_rounds=await store.rounds.count_active(),
        posts_by_status=await store.daily_posts.count_by_status(),
        questions=len(services.library.bank.questions),
        pack_servers=pack_servers,
        pack_questions=pack_questions,
    )
