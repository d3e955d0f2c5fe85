"""The mock-round state machine: pure, persisted after every transition.

A round asks n questions in a row. Each question: answer (one or more messages, ended by Done
or by time), self-grade against the key points, then, if points were missed, one probe
answered and graded the same way. The same engine runs in DMs and in the terminal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.round_state import Phase, Round, RoundError, Step


def _bump(state: Round) -> Round:
    """A transition's new state: seq moves on, so the old state's buttons are refused."""
    return replace(state, seq=state.seq + 1)


def begin(
    round_id: int, user_id: int, question_ids: list[str], minutes: float, now: datetime
) -> Round:
    """A new round, asking its first question."""
    if not question_ids:
        raise RoundError("a round needs at least one question")
    state = Round(
        id=round_id,
        user_id=user_id,
        question_ids=tuple(question_ids),
        minutes=minutes,
        started_at=now,
    )
    return _start_part(state, now, probe=None)


def _start_part(state: Round, now: datetime, probe: int | None) -> Round:
    state = replace(state, probe=probe)
    return _bump(
        replace(
            state,
            phase=Phase.ANSWER,
            part_started=now,
            deadline=now + state.limit,
            warned=False,
            answer="",
            truncated=False,
            attempt_id=None,
            timed_out=False,
        )
    )


def add_text(state: Round, text: str, cap: int) -> tuple[Round, bool]:
    """Append a message to the answer; returns (state, whether it was cut at the cap)."""
    if state.phase is not Phase.ANSWER:
        raise RoundError("not taking an answer now")
    joined = f"{state.answer}\n{text}".strip() if state.answer else text.strip()
    cut = len(joined) > cap
    return replace(state, answer=joined[:cap], truncated=state.truncated or cut), cut


def warn(state: Round, now: datetime) -> Round:
    """Mark the one-minute warning as given."""
    if state.phase is not Phase.ANSWER or state.warned:
        raise RoundError("no warning due")
    return replace(state, warned=True)


def finish_answer(
    state: Round,
    now: datetime,
    attempt_id: int | None,
    timed_out: bool = False,
    allow_empty: bool = False,
) -> Round:
    """The answer is in (Done, time's up, or no more input): move to grading it."""
    problem = finish_problem(state, allow_empty=timed_out or allow_empty)
    if problem is not None:
        raise RoundError(problem)
    return _bump(
        replace(state, phase=Phase.GRADE, attempt_id=attempt_id, timed_out=timed_out, deadline=None)
    )


def finish_problem(state: Round, allow_empty: bool = False) -> str | None:
    """Why the current answer cannot be finished now (said to the candidate), or None."""
    if state.phase is not Phase.ANSWER:
        return "Nothing to finish: grade your answer with the checklist."
    if not state.answer.strip() and not allow_empty:
        return "Write your answer first (one or more messages), then finish it."
    return None


def grade(
    state: Round,
    covered: int,
    total: int,
    missed: tuple[int, ...],
    probe: int | None,
    now: datetime,
    core: tuple[int, ...] | None = None,
    unfound: int = 0,
) -> Round:
    """Record the grade of the current part (with its core marks, so the scorecard weighs it as
    it was graded); then `probe` (the probe to dig into, chosen by domain/answers/probes.py, or
    None), the next question, or the end."""
    if state.phase is not Phase.GRADE:
        raise RoundError("nothing to grade now")
    started = state.part_started or now
    step = Step(
        question_id=state.question_id,
        probe=state.probe,
        attempt_id=state.attempt_id,
        covered=covered,
        total=total,
        seconds=(now - started).total_seconds(),
        limit=state.limit.total_seconds(),
        timed_out=state.timed_out,
        missed=missed,
        core=core,
        unfound=unfound,
    )
    state = replace(state, steps=(*state.steps, step))
    if state.probe is None and probe is not None:
        return _start_part(state, now, probe=probe)
    if state.index + 1 < len(state.question_ids):
        return _start_part(replace(state, index=state.index + 1), now, probe=None)
    return _bump(replace(state, phase=Phase.DONE, deadline=None))


def pause(state: Round, now: datetime) -> Round:
    """Stop the clock: nobody is there to answer (the terminal was closed mid-round)."""
    if not state.active:
        raise RoundError("the round is over")
    return state if state.paused_at else replace(state, paused_at=now)


def resume(state: Round, left_at: datetime, now: datetime) -> Round:
    """Start the clock again; the time since `left_at` counts against neither timer nor score."""
    if not state.active:
        raise RoundError("the round is over")
    away = max(now - left_at, timedelta(0))
    return replace(
        state,
        paused_at=None,
        part_started=state.part_started + away if state.part_started else None,
        deadline=state.deadline + away if state.deadline else None,
    )


def stop(state: Round) -> Round:
    """The candidate ends the round early."""
    if not state.active:
        raise RoundError("the round is over")
    return _bump(replace(state, phase=Phase.STOPPED, deadline=None))
