"""A user's round events run one at a time, in the order they arrived."""

from __future__ import annotations

import asyncio

from bot.ui.mock.dm import UserTurns


async def test_a_later_event_waits_for_the_earlier_one_of_the_same_user() -> None:
    turns = UserTurns()
    seen: list[str] = []
    answer_stored = asyncio.Event()

    async def event(name: str, work: asyncio.Event | None) -> None:
        async with turns.of(7):
            seen.append(f"{name} starts")
            if work is not None:
                await work.wait()  # say, the answer message's database write
            seen.append(f"{name} ends")

    message = asyncio.create_task(event("message", answer_stored))
    await asyncio.sleep(0)  # the message holds its turn, mid-write
    done = asyncio.create_task(event("done", None))
    await asyncio.sleep(0)
    assert seen == ["message starts"]  # Done did not overtake the message
    answer_stored.set()
    await asyncio.gather(message, done)
    assert seen == ["message starts", "message ends", "done starts", "done ends"]


async def test_other_users_do_not_wait_and_idle_users_are_forgotten() -> None:
    turns = UserTurns()
    held = asyncio.Event()

    async def hold() -> None:
        async with turns.of(1):
            await held.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    async with turns.of(2):  # another user's event goes ahead at once
        pass
    held.set()
    await holder
    assert turns._locks == {}
