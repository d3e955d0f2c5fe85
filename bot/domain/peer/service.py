"""Peer sessions: opened from a pairing, driven by the interviewer's panel and the timers, and
closed with feedback that records the candidate's attempts as graded by a peer.

Every transition is saved at once; the adapters (bot/ui/peer) render what comes back.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.config import PeerSettings
from bot.core.errors import Gone, UserError
from bot.core.models import Attempt, Question
from bot.core.peer_state import SIGNALS, Half, PeerError, PeerFeedback, PeerPhase, PeerSession
from bot.domain.answers.grading import grade
from bot.domain.answers.service import Flow
from bot.domain.peer import session
from bot.domain.peer.invites import Pairing, PeerInvites
from bot.domain.peer.pairing import pick_halves
from bot.domain.peer.scorecard import PeerCard, build_card
from bot.domain.progress.service import PEER_SOURCE as SOURCE
from bot.store import Store
from bot.store.peer import FeedbackExists

log = logging.getLogger(__name__)
FEEDBACK_CHARS = 1000


class PeerService:
    """Invites and the queue (`invites`), and the sessions they open."""

    def __init__(self, store: Store, flow: Flow, clock: Clock, settings: PeerSettings) -> None:
        self.store = store
        self.flow = flow
        self.clock = clock
        self.settings = settings
        self.invites = PeerInvites(store, clock, settings)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def question(self, question_id: str) -> Question:
        """A question of the bank (Gone if a reload removed it)."""
        return self.flow.question(question_id)

    def now(self) -> datetime:
        """The service's clock."""
        return self.clock.now()

    async def open(
        self, pairing: Pairing, thread_id: int | None, rng: random.Random | None = None
    ) -> PeerSession:
        """Start the session the pairing reserved, in its thread (None: in DMs)."""
        bank = self.flow.library.bank
        halves = pick_halves(bank, pairing.topics, pairing.questions, rng)
        state = session.begin(
            pairing.session_id,
            (pairing.guild_id, pairing.channel_id, thread_id),
            (pairing.first, pairing.second),
            halves,
            pairing.minutes,
            self.now(),
        )
        log.info(
            "peer session started session=%s guild=%s members=%s,%s thread=%s questions=%s",
            state.id,
            state.guild_id,
            pairing.first,
            pairing.second,
            thread_id,
            halves,
        )
        return await self._save(state)

    async def cancel(self, pairing: Pairing) -> None:
        """Forget a reserved session that could not reach its members."""
        await self.store.peer.drop_session(pairing.session_id)

    async def _save(self, state: PeerSession) -> PeerSession:
        await self.store.peer.save(state, self.now())
        return self._logged(state)

    def _logged(self, state: PeerSession) -> PeerSession:
        log.info(
            "peer transition session=%s half=%s phase=%s seq=%s",
            state.id,
            state.half,
            state.phase,
            state.seq,
        )
        return state

    async def get(self, session_id: int) -> PeerSession:
        """A session by id (a friendly error for an unknown one)."""
        state = await self.store.peer.session(session_id)
        if state is None:
            raise Gone("peer session")
        return state

    async def of(self, user_id: int) -> PeerSession | None:
        """The member's running session."""
        return await self.store.peer.session_of(user_id)

    async def panel(self, session_id: int, user_id: int) -> tuple[PeerSession, Half]:
        """The session and half whose panel the member may open (only its interviewer)."""
        state = await self.get(session_id)
        try:
            return state, session.interviewer_half(state, user_id)
        except PeerError as exc:
            raise UserError(str(exc)) from None

    async def change(
        self, session_id: int, move: Callable[[PeerSession], PeerSession]
    ) -> PeerSession:
        """Apply one panel transition (tick, show a probe, next question) with the session's
        row locked: processes sharing the database take turns."""
        try:
            state = await self.store.peer.advance(session_id, move, self.now())
        except PeerError as exc:
            raise UserError(str(exc)) from None
        if state is None:
            raise Gone("peer session")
        return self._logged(state)

    def points(self, state: PeerSession, probe: int | None) -> int:
        """How many key points the part being asked has (for checking a tick)."""
        question = self.question(state.current.question_id)
        self.flow.check_probe(question, probe)
        return len(question.points(probe))

    async def feedback(
        self, session_id: int, user_id: int, half: int, signal: int, texts: tuple[str, str]
    ) -> tuple[PeerSession, PeerCard]:
        """The interviewer's feedback for their half: the candidate's answers are recorded as
        graded by a peer (history, /stats, spaced repetition), then the roles swap."""
        if not 0 <= signal < len(SIGNALS):
            raise UserError("Pick one of the four hire signals.")
        well, improve = (text.strip()[:FEEDBACK_CHARS] for text in texts)
        if not well or not improve:
            raise UserError("Write one thing done well and one thing to improve.")
        async with self._locks[session_id]:
            state = await self.get(session_id)
            try:
                current = session.interviewer_half(state, user_id, half)
            except PeerError as exc:
                raise UserError(str(exc)) from None
            draft = PeerFeedback(
                0,
                state.id,
                half,
                user_id,
                current.candidate,
                SIGNALS[signal],
                well,
                improve,
                (),
                self.now(),
            )
            try:
                feedback_id = await self.store.peer.add_feedback(draft)
            except FeedbackExists:
                raise UserError("This half already has its feedback.") from None
            attempts = await self._record(state, current)
            await self.store.peer.set_feedback_attempts(feedback_id, [a.id for a in attempts])
            state = await self._save(session.feedback_given(state, feedback_id, self.now()))
        stored = replace(draft, id=feedback_id, attempt_ids=tuple(a.id for a in attempts))
        return state, build_card(stored, attempts, self.flow.library.bank)

    async def _record(self, state: PeerSession, half: Half) -> list[Attempt]:
        """One graded attempt per question asked and per probe opened, owned by the candidate."""
        recorded = []
        for index, question_id in enumerate(half.question_ids[: half.index + 1]):
            question = self.flow.library.bank.get(question_id)
            if question is None:
                continue  # left the bank mid-session: nothing to grade it against
            probes = [p for p in range(len(question.probes)) if f"{index}:{p}" in half.asked]
            for probe in (None, *probes):
                recorded.append(await self._graded(state, half, index, question, probe))
        return recorded

    async def _graded(
        self, state: PeerSession, half: Half, index: int, question: Question, probe: int | None
    ) -> Attempt:
        points = question.points(probe)
        ticked = [i for i in half.ticked(index, probe) if i < len(points)]
        result = grade(points, ticked)
        attempt = await self.store.attempts.add_answer(
            user_id=half.candidate,
            question_id=question.id,
            probe=probe,
            answer="",
            total=len(points),
            source=SOURCE,
            now=self.now(),
            guild_id=state.guild_id,
            channel_id=state.thread_id or state.channel_id,
        )
        attempt = await self.store.attempts.grade(
            attempt.id, list(result.covered), result.rating, self.now(), core=result.core
        )
        if probe is None and self.flow.progress is not None:  # probes share the card
            await self.flow.progress.record(half.candidate, question.id, result.rating, attempt.id)
        log.info(
            "peer graded attempt=%s candidate=%s interviewer=%s question=%s probe=%s %s/%s",
            attempt.id,
            half.candidate,
            half.interviewer,
            question.id,
            probe,
            len(result.covered),
            result.total,
        )
        return attempt

    async def end(self, session_id: int, user_id: int) -> PeerSession:
        """A member ends the session early."""
        return await self.change(session_id, lambda state: session.end(state, user_id))

    async def tick(self, session_id: int) -> tuple[PeerSession | None, str | None]:
        """A session's timer came due: ('time_up' | 'silent' | None). Locked like change():
        two processes' timers for one deadline move the session once."""
        event: list[str] = []
        now = self.now()

        def due(state: PeerSession) -> PeerSession | None:
            if state.deadline is None or not state.active or now < state.deadline:
                return None
            if state.phase is PeerPhase.INTERVIEW:
                event.append("time_up")
                grace = timedelta(minutes=self.settings.feedback_minutes)
                return session.time_up(state, now, grace)
            event.append("silent")
            return session.silent(state, now)

        state = await self.store.peer.advance(session_id, due, now)
        if state is not None and event:
            self._logged(state)
        return state, event[0] if event else None

    async def running(self) -> list[PeerSession]:
        """Every running session, to re-arm their timers after a restart."""
        return await self.store.peer.running()

    async def history(self, user_id: int) -> list[PeerCard]:
        """The scorecards a member got from peers, newest first."""
        cards = []
        for feedback in await self.store.peer.feedback_for(user_id):
            attempts = [await self.store.attempts.get(i) for i in feedback.attempt_ids]
            found = [a for a in attempts if a is not None]
            cards.append(build_card(feedback, found, self.flow.library.bank))
        return cards
