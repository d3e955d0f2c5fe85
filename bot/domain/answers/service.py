"""The answer → checklist → score flow, shared by /followup, daily posts, DMs and the terminal."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.errors import Gone, NotYours, UserError
from bot.core.models import Attempt, Question, Rating
from bot.domain.answers.evidence import Evidence
from bot.domain.answers.grading import Grade, GradingError, clean_answer, grade, grade_against
from bot.domain.answers.probes import next_probe
from bot.domain.content.loader import Library
from bot.domain.content.serverpack import split_server_id
from bot.domain.progress.service import Progress
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Where:
    """Where an answer was given: for stats, leaderboards and logs."""

    source: str = "followup"
    guild_id: int | None = None
    channel_id: int | None = None


class Flow:
    """Record answers, grade them against key points, and remember the outcome."""

    def __init__(
        self,
        store: Store,
        library: Library,
        clock: Clock,
        max_answer: int,
        progress: Progress | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self.clock = clock
        self.max_answer = max_answer
        self.progress = progress

    def question(self, question_id: str, guild_id: int | None = None) -> Question:
        """The question with this id, or a friendly error if it left the bank. In a server, a
        server question is only found in its own server (an old or forged button elsewhere)."""
        question = self.library.get(question_id)
        server = split_server_id(question_id)
        if question is None or (server and guild_id is not None and server[0] != guild_id):
            raise Gone("question")
        return question

    def check_probe(self, question: Question, probe: int | None) -> None:
        """Refuse a probe index the question does not have (old or forged buttons)."""
        if probe is not None and not 0 <= probe < len(question.probes):
            raise Gone("follow-up probe")

    async def answer(
        self,
        user_id: int,
        question_id: str,
        probe: int | None,
        text: str,
        where: Where,
        limit: int | None = None,
    ) -> Attempt:
        """Save a written answer to a question (or to one of its probes), ungraded."""
        question = self.question(question_id, where.guild_id)
        self.check_probe(question, probe)
        body = clean_answer(text)
        if not body:
            raise UserError(
                "Your answer was empty. Write what you would say to the interviewer, "
                "even a few lines, then grade yourself against the key points."
            )
        cap = limit or self.max_answer
        if len(body) > cap:
            raise UserError(
                f"Your answer is {len(body):,} characters; the limit is "
                f"{cap:,}. Trim it and try again."
            )
        attempt = await self.store.attempts.add_answer(
            user_id=user_id,
            question_id=question.id,
            probe=probe,
            answer=body,
            total=len(question.points(probe)),
            source=where.source,
            now=self.clock.now(),
            guild_id=where.guild_id,
            channel_id=where.channel_id,
        )
        log.info(
            "answer saved attempt=%s user=%s question=%s probe=%s source=%s",
            attempt.id,
            user_id,
            question.id,
            probe,
            where.source,
        )
        return attempt

    async def owned(self, user_id: int, attempt_id: int) -> tuple[Attempt, Question]:
        """The attempt and its question, if it exists and belongs to this user."""
        attempt = await self.store.attempts.get(attempt_id)
        if attempt is None:
            raise Gone("answer")
        if attempt.user_id != user_id:
            raise NotYours()
        question = self.question(attempt.question_id)
        self.check_probe(question, attempt.probe)
        return attempt, question

    def evidence(self, question: Question, probe: int | None, answer: str) -> tuple[Evidence, ...]:
        """The answer's own words closest to each key point (one per point, in order), for its
        author's checklist only."""
        points = question.points(probe)
        try:
            found = self.library.evidence_for(question.id).match(question.id, probe, answer)
        except KeyError:  # a reload dropped the question between reading it and its index
            found = ()
        if len(found) != len(points):  # ... or changed its points: no evidence rather than wrong
            return tuple(Evidence(0.0, False, None) for _ in points)
        return found

    async def grade(
        self, user_id: int, attempt_id: int, ticked: list[int]
    ) -> tuple[Attempt, Grade]:
        """Grade an answer from the key points the user ticked; grading twice keeps the first,
        scored with the core marks stored with it."""
        attempt, question = await self.owned(user_id, attempt_id)
        points = question.points(attempt.probe)
        found = [e.found for e in self.evidence(question, attempt.probe, attempt.answer)]
        if attempt.covered is not None:
            return attempt, grade_against(points, attempt.covered, attempt.core, found)
        try:
            result = grade(points, ticked, found)
        except GradingError:
            raise UserError(
                "Those ticks do not match this question's key points. Open the checklist again."
            ) from None
        attempt = await self.store.attempts.grade(
            attempt.id, list(result.covered), result.rating, self.clock.now(), core=result.core
        )
        log.info(
            "graded attempt=%s user=%s question=%s covered=%s/%s score=%s%% rating=%s",
            attempt.id,
            user_id,
            question.id,
            len(result.covered),
            result.total,
            result.percent,
            result.rating,
        )
        if self.progress is not None and attempt.probe is None:  # probes share the card
            await self.progress.record(user_id, question.id, result.rating, attempt.id)
        return attempt, result

    async def rerate(self, user_id: int, attempt_id: int, rating: Rating) -> Attempt:
        """Replace the suggested rating with the user's own."""
        attempt, _ = await self.owned(user_id, attempt_id)
        if attempt.covered is None:
            raise UserError("Grade your answer first, then change the rating.")
        await self.store.attempts.rerate(attempt.id, rating)
        updated = await self.store.attempts.get(attempt.id)
        assert updated is not None
        if self.progress is not None and updated.probe is None:
            await self.progress.rerated(updated)
        return updated

    async def reveal(self, user_id: int, question_id: str, where: Where) -> Question:
        """Show the key points without an answer; it is remembered as a reveal, not a score."""
        question = self.question(question_id, where.guild_id)
        await self.store.attempts.add_reveal(
            user_id=user_id,
            question_id=question.id,
            total=len(question.key_points),
            now=self.clock.now(),
            guild_id=where.guild_id,
            channel_id=where.channel_id,
            source=where.source,
        )
        if self.progress is not None:  # seeing the answer without giving one is a lapse
            await self.progress.record(user_id, question.id, Rating.AGAIN, None)
        return question

    @staticmethod
    def next_probe(question: Question, attempt: Attempt) -> int | None:
        """The probe to dig into after this attempt (see domain/answers/probes.py)."""
        return next_probe(question, attempt.probe, attempt.covered or ())
