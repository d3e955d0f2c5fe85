"""Mock rounds: the state machine driven against the store and the grading flow.

Used by the DM adapter and by the terminal alike; it returns rounds, the adapters render them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.config import MockSettings
from bot.core.errors import UserError
from bot.core.models import Question
from bot.core.round_state import WARN_BEFORE, Phase, Round, RoundError
from bot.domain.answers.grading import Grade, grade
from bot.domain.answers.probes import probe_for_missed
from bot.domain.answers.service import Flow, Where
from bot.domain.mock import rounds
from bot.store import Store
from bot.store.rounds import ActiveRoundExists, Advanced

log = logging.getLogger(__name__)
Change = Callable[[Round], Round | None]  # a pure transition; None: it no longer applies
MOVED_ON = (
    "That step of your round has already moved on (time may have run out): see my latest message."
)


class RoundBusy(UserError):
    """The user already has a round running."""


class MockService:
    """Start, feed, grade, time and stop rounds. Every transition is one locked
    read-modify-write of the round's row, so it is safe whichever process runs it."""

    def __init__(self, store: Store, flow: Flow, clock: Clock, settings: MockSettings) -> None:
        self.store = store
        self.flow = flow
        self.clock = clock
        self.settings = settings
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def question(self, state: Round) -> Question:
        """The question the round is on."""
        return self.flow.question(state.question_id)

    def _pick(
        self, topics: list[str], count: int, rng: random.Random | None, guild_id: int | None
    ) -> list[str]:
        pool = self.flow.library.bank_for(guild_id).in_topics(topics or None)
        if not pool:
            raise UserError("No questions in those topics.")
        chosen = (rng or random).sample(pool, min(count, len(pool)))
        return [q.id for q in chosen]

    async def start(
        self,
        user_id: int,
        topics: list[str],
        count: int,
        minutes: float,
        rng: random.Random | None = None,
        guild_id: int | None = None,
    ) -> Round:
        """Begin a round; RoundBusy if one is running (the caller offers resume or abandon).
        Started in a server, it draws from what that server sees."""
        now = self.clock.now()
        ids = self._pick(topics, count, rng, guild_id)
        try:
            state = await self.store.rounds.create(
                user_id, lambda round_id: rounds.begin(round_id, user_id, ids, minutes, now), now
            )
        except ActiveRoundExists:
            raise RoundBusy("You already have a mock round running.") from None
        log.info("round started round=%s user=%s questions=%s", state.id, user_id, ids)
        return state

    async def dms_closed(self, user_id: int) -> bool:
        """Whether the user's DMs were found closed recently (no use trying again yet)."""
        until = await self.store.users.dms_closed_until(user_id)
        return until is not None and until > self.clock.now()

    async def remember_dms(self, user_id: int, closed: bool) -> None:
        """Remember for mock.dms_closed_hours that DMs are closed, or forget it."""
        hours = timedelta(hours=self.settings.dms_closed_hours)
        until = self.clock.now() + hours if closed else None
        await self.store.users.set_dms_closed_until(user_id, until)

    async def history(self, user_id: int) -> list[Round]:
        """The user's last finished rounds, newest first."""
        return await self.store.rounds.finished_for(user_id)

    async def active(self, user_id: int) -> Round | None:
        """The user's running round."""
        return await self.store.rounds.active_for(user_id)

    async def _advance(self, round_id: int, change: Change, quiet: bool = False) -> Advanced:
        """Apply a pure transition under the round's row lock (see Rounds.advance); a
        transition that no longer fits the stored round (RoundError, or `change` says None)
        writes nothing."""

        def applied(current: Round) -> Round | None:
            try:
                return change(current)
            except RoundError:
                return None

        result = await self.store.rounds.advance(round_id, applied, self.clock.now())
        state = result.state
        if result.moved and state is not None and not quiet:
            log.info(
                "round transition round=%s user=%s phase=%s index=%s probe=%s seq=%s",
                state.id,
                state.user_id,
                state.phase,
                state.index,
                state.probe,
                state.seq,
            )
        return result

    async def add_text(self, user_id: int, text: str) -> tuple[Round, bool]:
        """Append a message to the current answer; (round, cut at the cap)."""
        state = await self._require(user_id)
        cut = False

        def append(current: Round) -> Round:
            nonlocal cut
            appended, cut = rounds.add_text(current, text, self.settings.max_answer_chars)
            return appended

        async with self._locks[state.id]:
            result = await self._advance(state.id, append, quiet=True)  # a line per message
        if result.state is None or result.state.phase is not Phase.ANSWER:
            raise UserError(MOVED_ON)
        return result.state, cut

    async def done(self, user_id: int, seq: int | None = None, timed_out: bool = False) -> Round:
        """End the current answer (Done button, 'done', two empty lines or the end of input in
        the terminal, time's up) and move to grading."""
        state = await self._require(user_id)
        async with self._locks[state.id]:
            state = await self._require(user_id)
            if seq is not None and seq != state.seq:
                raise UserError("That button is from an earlier step of your round.")
            result = await self._finish_answer(state, timed_out)
        if not result.moved or result.state is None:
            raise UserError(MOVED_ON)
        return result.state

    async def _finish_answer(self, state: Round, timed_out: bool) -> Advanced:
        """Close the answer of `state` (as read): only if the stored round is still exactly
        that state when its row is locked, so a Done racing the timer advances it once."""
        problem = rounds.finish_problem(state, allow_empty=timed_out)
        if problem is not None:
            raise UserError(problem)
        now = self.clock.now()
        if not state.answer.strip():  # time ran out on an empty answer: graded as nothing
            nothing = grade(self.question(state).points(state.probe), [])
            return await self._advance(
                state.id,
                lambda current: (
                    self._grade_state(
                        rounds.finish_answer(current, now, None, timed_out, allow_empty=True),
                        nothing,
                    )
                    if current == state
                    else None
                ),
            )
        attempt = await self.flow.answer(
            state.user_id,
            state.question_id,
            state.probe,
            state.answer,
            Where(source="mock"),
            limit=self.settings.max_answer_chars,
        )
        result = await self._advance(
            state.id,
            lambda current: (
                rounds.finish_answer(current, now, attempt.id, timed_out=timed_out)
                if current == state
                else None
            ),
        )
        if not result.moved:  # another transition closed this answer first: ours is spare
            await self.store.attempts.discard_ungraded(attempt.id)
        return result

    def _grade_state(self, state: Round, result: Grade) -> Round:
        missed = tuple(i for i in range(result.total) if i not in result.covered)
        # a round digs deeper only where points were missed, and only once per question
        probe = probe_for_missed(self.question(state), missed) if missed else None
        return rounds.grade(
            state,
            len(result.covered),
            result.total,
            missed,
            probe,
            self.clock.now(),
            core=result.core,
            unfound=len(result.unfound),
        )

    async def grade(self, user_id: int, round_id: int, seq: int, ticked: list[int]) -> Round:
        """Grade the current part from the ticked key points, then move on. The attempt is
        graded first (grading it twice keeps the first grade), then the round moves, once."""
        async with self._locks[round_id]:
            state = await self._require(user_id)
            if state.id != round_id or state.seq != seq or state.phase is not Phase.GRADE:
                raise UserError("That checklist is from an earlier step of your round.")
            assert state.attempt_id is not None
            _, graded = await self.flow.grade(user_id, state.attempt_id, ticked)
            result = await self._advance(
                round_id,
                lambda current: self._grade_state(current, graded) if current == state else None,
            )
        if not result.moved or result.state is None:
            raise UserError("That checklist is from an earlier step of your round.")
        return result.state

    async def tick(self, round_id: int) -> tuple[Round | None, str | None]:
        """Called when a round's timer comes due: ('warned' | 'timeout' | None). Any number of
        timers (a restart's, another process's) may call it: only one moves the round."""
        async with self._locks[round_id]:
            state = await self.store.rounds.get(round_id)
            if state is None or state.deadline is None or state.next_timer() is None:
                return state, None  # not answering, or paused: no clock is running
            now = self.clock.now()
            if now >= state.deadline:
                result = await self._finish_answer(state, timed_out=True)
                return result.state, "timeout" if result.moved else None
            if not state.warned and now >= state.deadline - WARN_BEFORE:
                result = await self._advance(
                    round_id,
                    lambda current: rounds.warn(current, now) if current == state else None,
                )
                return result.state, "warned" if result.moved else None
            return state, None

    async def stop(self, user_id: int) -> Round:
        """End the round early; the scorecard covers what was done."""
        state = await self._require(user_id)
        async with self._locks[state.id]:
            result = await self._advance(state.id, rounds.stop)
        if not result.moved or result.state is None:
            raise UserError("Your round is already over.")
        return result.state

    async def pause(self, user_id: int) -> None:
        """Stop the clock of the user's running round while nobody is there to answer."""
        state = await self.store.rounds.active_for(user_id)
        if state is None:
            return
        now = self.clock.now()
        async with self._locks[state.id]:
            await self._advance(state.id, lambda current: rounds.pause(current, now))

    async def resume(self, user_id: int) -> Round:
        """Start the clock again where it stopped. A round whose program was killed before it
        could pause is taken as paused since its last save: that is the last sign of life."""
        state = await self._require(user_id)
        async with self._locks[state.id]:
            saved = await self.store.rounds.saved_at(state.id)
            now = self.clock.now()
            result = await self._advance(
                state.id,
                lambda current: rounds.resume(current, current.paused_at or saved or now, now),
            )
        if result.state is None or not result.state.active:
            raise UserError("Your round is already over.")
        return result.state

    async def abandon(self, round_id: int) -> None:
        """Drop a round without a scorecard: it never reached the user (their DMs are closed),
        or the candidate chose to abandon it."""
        await self.store.rounds.abandon(round_id, self.clock.now())

    async def _require(self, user_id: int) -> Round:
        state = await self.store.rounds.active_for(user_id)
        if state is None:
            raise UserError("You have no mock round running. Start one with /mock start.")
        return state

    async def resumable(self) -> list[Round]:
        """Rounds to resume after a restart (a paused one waits for its terminal)."""
        return [r for r in await self.store.rounds.all_active() if r.paused_at is None]

    def now(self) -> datetime:
        """The service's clock."""
        return self.clock.now()
