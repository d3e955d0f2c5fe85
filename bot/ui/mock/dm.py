"""Mock rounds in DMs: sending each step, reading answers from DM messages, and the timers."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol, runtime_checkable

import discord

from bot.core.errors import StoreUnavailable, UserError
from bot.core.round_state import Phase, Round
from bot.domain.mock.scorecard import build, part_lines
from bot.domain.mock.service import MockService
from bot.domain.services import Services
from bot.ui.answers.modals import MOCK_MODAL, checklist_modal_for, ticked_points
from bot.ui.kit.items import StatefulButton, open_modal
from bot.ui.kit.replies import NO_PINGS
from bot.ui.mock.embeds import grade_prompt_embed, part_embed, scorecard_embed

log = logging.getLogger(__name__)
RID = r"(?P<rid>[0-9]{1,18})"
SEQ = r"(?P<seq>[0-9]{1,6})"
DMS_CLOSED = 50007
HINT = (
    "No mock round is running. Start one with `/mock start` (here or in a server), "
    "or practise with `/followup`."
)


class DoneButton(StatefulButton, template=rf"fu:mock:done:{RID}:{SEQ}"):
    """Ends the answer in progress."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        driver = mock_driver(interaction)
        async with driver.turns.of(interaction.user.id):
            state = await driver.service.done(interaction.user.id, seq=int(self.state["seq"]))
            await interaction.response.defer()
            await driver.present(state)


class GradeStepButton(StatefulButton, template=rf"fu:mock:grade:{RID}:{SEQ}"):
    """Opens the checklist for the current part of the round."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        driver = mock_driver(interaction)
        async with driver.turns.of(interaction.user.id):
            state = await driver.service.active(interaction.user.id)
        if (
            state is None
            or state.id != int(self.state["rid"])
            or state.phase is not Phase.GRADE
            or state.seq != int(self.state["seq"])
        ):
            raise UserError("That checklist is from an earlier step of your round.")
        question = driver.service.question(state)
        await open_modal(
            interaction,
            checklist_modal_for(
                question.points(state.probe),
                question.prompt(state.probe),
                f"fu:m:mock:{state.id}:{state.seq}",
                driver.service.flow.evidence(question, state.probe, state.answer),
            ),
        )


class StopButton(StatefulButton, template=rf"fu:mock:stop:{RID}"):
    """Ends the round early with a scorecard of what was done."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        driver = mock_driver(interaction)
        async with driver.turns.of(interaction.user.id):
            state = await driver.service.stop(interaction.user.id)
            await interaction.response.defer()
            await driver.present(state)


ROUND_BUTTONS = (DoneButton, GradeStepButton, StopButton)


@runtime_checkable
class HasMockDriver(Protocol):
    """A client that runs DM rounds (the bot does; checked, not assumed)."""

    mock_driver: MockDriver


def mock_driver(interaction: discord.Interaction) -> MockDriver:
    """The DM round driver of the bot that received the interaction."""
    client = interaction.client
    if not isinstance(client, HasMockDriver):
        raise TypeError(f"{type(client).__name__} does not run mock rounds")
    return client.mock_driver


def _view(*buttons: StatefulButton) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    return view


class UserTurns:
    """A user's round events (DM messages, clicks, checklist submits, timers) one at a time,
    in the order they arrived. discord.py runs each event in its own task, so without this a
    Done click could overtake the answer message sent just before it. Each handler enters
    its turn before its first await: asyncio.Lock queues waiters first come, first served."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def of(self, user_id: int) -> AsyncIterator[None]:
        """Hold this user's turn."""
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users == 1:
                del self._locks[user_id]  # nobody else waits: forget the user
            else:
                self._locks[user_id] = (lock, users - 1)


class MockDriver:
    """Owns the round timers and talks to candidates in their DMs."""

    def __init__(self, client: discord.Client, service: MockService) -> None:
        self.client = client
        self.service = service
        self.timers: dict[int, asyncio.Task[None]] = {}
        # Rounds this process has already shown a step of: the first on_ready can come after
        # a candidate started one (discord.py waits for every guild first), and resuming must
        # not send that step a second time.
        self.presented: set[int] = set()
        self.turns = UserTurns()

    async def dm(self, user_id: int) -> discord.DMChannel:
        """The DM channel with a user (created once, then cached by discord.py)."""
        return await self.client.create_dm(discord.Object(user_id))

    async def present(self, state: Round, resumed: bool = False) -> None:
        """Send what the round's current phase needs, and (re)arm its timer."""
        self.presented.add(state.id)
        channel = await self.dm(state.user_id)
        bank = self.service.flow.library.history_bank(state.question_ids)
        if state.phase is Phase.ANSWER:
            question = self.service.question(state)
            await channel.send(
                embed=part_embed(state, question, resumed),
                view=_view(
                    DoneButton(
                        f"fu:mock:done:{state.id}:{state.seq}", "Done", discord.ButtonStyle.success
                    ),
                    StopButton(
                        f"fu:mock:stop:{state.id}", "Stop round", discord.ButtonStyle.secondary
                    ),
                ),
                allowed_mentions=NO_PINGS,
            )
        elif state.phase is Phase.GRADE:
            question = self.service.question(state)
            await channel.send(
                embed=grade_prompt_embed(state, question),
                view=_view(
                    GradeStepButton(
                        f"fu:mock:grade:{state.id}:{state.seq}",
                        "Grade myself",
                        discord.ButtonStyle.success,
                    ),
                    StopButton(
                        f"fu:mock:stop:{state.id}", "Stop round", discord.ButtonStyle.secondary
                    ),
                ),
                allowed_mentions=NO_PINGS,
            )
        else:
            await channel.send(embed=scorecard_embed(build(state, bank)), allowed_mentions=NO_PINGS)
        self.arm(state)

    async def scored(self, state: Round) -> None:
        """The part just graded: its weighted score, core points, rating and any gentle note."""
        card = build(state, self.service.flow.library.history_bank(state.question_ids))
        channel = await self.dm(state.user_id)
        await channel.send("\n".join(part_lines(state, card)), allowed_mentions=NO_PINGS)

    def arm(self, state: Round) -> None:
        """Replace the round's timer with one for its next warning or deadline."""
        old = self.timers.pop(state.id, None)
        if old is not None and old is not asyncio.current_task():
            old.cancel()
        when = state.next_timer()
        if when is None:
            return
        delay = max(0.0, (when - self.service.now()).total_seconds())
        task = asyncio.create_task(
            self._timer(state.id, state.user_id, delay), name=f"round-timer-{state.id}"
        )
        self.timers[state.id] = task

    async def _timer(self, round_id: int, user_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self.turns.of(user_id):
            await self._tick(round_id)

    async def _tick(self, round_id: int) -> None:
        try:
            state, event = await self.service.tick(round_id)
            if state is None:
                return
            if event == "warned":
                channel = await self.dm(state.user_id)
                await channel.send("⏰ One minute left on this question.")
            if event == "timeout":
                await self.present(state)
            else:
                self.arm(state)
        except discord.HTTPException as exc:
            log.warning("round timer could not reach round=%s: %s", round_id, exc)
        except StoreUnavailable:  # the round is as it was saved; the watcher re-arms it
            log.warning("round timer: database unreachable round=%s", round_id)
        except Exception:
            log.exception("round timer failed round=%s", round_id)

    async def resume_all(self) -> None:
        """After a restart: recompute every running round's timer and tell its candidate."""
        for state in await self.service.resumable():
            if state.id in self.presented:
                continue
            try:
                if (
                    state.phase is Phase.ANSWER
                    and state.deadline
                    and state.deadline <= self.service.now()
                ):
                    ticked, _ = await self.service.tick(state.id)
                    assert ticked is not None
                    state = ticked
                await self.present(state, resumed=True)
            except discord.HTTPException as exc:
                log.warning("could not resume round=%s: %s", state.id, exc)

    async def watch_all(self) -> None:
        """Arm a timer for every running round this process holds none for: a round started
        by another process, or whose timer died with it (transitions lock the round's row, so
        a second watcher's tick finds the round moved on and does nothing)."""
        for state in await self.service.resumable():
            held = self.timers.get(state.id)
            # user 0 is the terminal's (no Discord user has that id): its prompt keeps time
            if state.user_id and (held is None or held.done()):
                self.arm(state)

    async def on_dm(self, message: discord.Message) -> None:
        """A DM from a candidate: part of their answer, 'done', or a hint when idle."""
        async with self.turns.of(message.author.id):
            await self._read_dm(message)

    async def _read_dm(self, message: discord.Message) -> None:
        state = await self.service.active(message.author.id)
        if state is None:
            await message.channel.send(HINT)
            return
        if message.attachments or message.stickers:
            await message.channel.send(
                "I can only read text: attachments and stickers are "
                "ignored. Type your answer as messages."
            )
        text = message.content.strip()
        if not text:
            return
        if state.phase is Phase.GRADE:
            await message.channel.send(
                "Grade your answer first with the **Grade myself** button above."
            )
            return
        if text.lower() == "done":
            await self.present(await self.service.done(message.author.id))
            return
        state, cut = await self.service.add_text(message.author.id, text)
        if cut:
            limit = self.service.settings.max_answer_chars
            await message.channel.send(
                f"Your answer reached {limit:,} characters; I kept the "
                "first part. Press **Done** when ready."
            )

    def close(self) -> None:
        """Cancel every timer (on shutdown; they are recomputed at the next start)."""
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()


async def checklist_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """The round's checklist came back: grade and move on."""
    driver = mock_driver(interaction)
    async with driver.turns.of(interaction.user.id):
        state = await driver.service.grade(
            interaction.user.id, int(match["rid"]), int(match["seq"]), ticked_points(values)
        )
        await interaction.response.defer()
        await driver.scored(state)
        await driver.present(state)


ROUND_MODALS = ((MOCK_MODAL, checklist_submitted),)
