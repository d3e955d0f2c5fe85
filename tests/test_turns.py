"""A user's round events run one at a time, in the order they arrived."""

from __future__ import annotations

import asyncio

from bot.core.clock import FixedClock
from bot.core.config import MockSettings
from bot.core.models import Bank
from bot.domain.answers.service import Flow
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.mock.service import MockService
from bot.store import Store
from bot.ui.mock.dm import MockDriver, UserTurns


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


class _Channel:
    """A DM channel that keeps what the driver sends."""

    def __init__(self) -> None:
        self.sent: list[object] = []

    async def send(self, *args: object, **kwargs: object) -> None:
        self.sent.append(kwargs.get("embed") or args)


class _Client:
    def __init__(self) -> None:
        self.channel = _Channel()

    async def create_dm(self, user: object) -> _Channel:
        return self.channel


async def test_resuming_at_the_first_ready_skips_rounds_this_process_already_showed(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    """discord.py sends on_ready only once every guild is in: a candidate may already have
    started a round by then, and resuming must not send its step twice."""
    flow = Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)
    service = MockService(store, flow, clock, MockSettings())
    client = _Client()
    driver = MockDriver(client, service)  # type: ignore[arg-type]  # a client with create_dm only
    state = await service.start(7, ["cache"], 1, 8)
    await driver.present(state)
    await driver.resume_all()
    assert len(client.channel.sent) == 1
    driver.close()
