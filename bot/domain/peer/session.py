"""The peer session state machine: pure, persisted after every transition.

Two halves. In each, one member interviews: they ask the question and its follow-up, tick the key
points they hear on their panel, open probes to dig deeper, and when the half's time is up (or
sooner) give feedback. Then the roles swap. A half whose interviewer stays silent past the time
for feedback closes without a scorecard; either member may end the session at any point.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.peer_state import Half, PeerError, PeerPhase, PeerSession, part_key

NOT_YOURS = (
    "Only the interviewer of this half opens the panel: it holds the key points, and the "
    "candidate must not see them while answering."
)
STALE = "That panel is from an earlier part of the session. Press **Open my panel** again."


def _bump(state: PeerSession) -> PeerSession:
    return replace(state, seq=state.seq + 1)


def begin(
    session_id: int,
    place: tuple[int, int, int | None],
    members: tuple[int, int],
    questions: tuple[tuple[str, ...], tuple[str, ...]],
    minutes: float,
    now: datetime,
) -> PeerSession:
    """A new session, first half under way: members[0] interviews members[1].

    `place` is (guild, channel, private thread or None for DMs); `questions` are each half's."""
    first, second = members
    if first == second:
        raise PeerError("a session needs two members")
    if not questions[0] or not questions[1]:
        raise PeerError("each half needs at least one question")
    guild_id, channel_id, thread_id = place
    return PeerSession(
        id=session_id,
        guild_id=guild_id,
        channel_id=channel_id,
        thread_id=thread_id,
        halves=(Half(first, second, questions[0]), Half(second, first, questions[1])),
        minutes=minutes,
        started_at=now,
        deadline=now + timedelta(minutes=minutes),
    )


def interviewer_half(state: PeerSession, user_id: int, half: int | None = None) -> Half:
    """The current half, if `user_id` is its interviewer (and `half` still the current one)."""
    if not state.active:
        raise PeerError("This peer session is over.")
    if user_id not in state.members:
        raise PeerError("This peer session belongs to two other members.")
    if half is not None and half != state.half:  # the roles swapped since it was drawn
        raise PeerError(STALE)
    if state.current.interviewer != user_id:
        raise PeerError(NOT_YOURS)
    return state.current


def _with_half(state: PeerSession, half: Half) -> PeerSession:
    halves = list(state.halves)
    halves[state.half] = half
    return replace(state, halves=(halves[0], halves[1]))


def toggle(
    state: PeerSession,
    user_id: int,
    at: tuple[int, int],
    probe: int | None,
    point: int,
    total: int,
) -> PeerSession:
    """Tick or untick one key point of the question (or probe) being asked; `at` is the
    (half, question index) the button was drawn for, `total` the part's number of points."""
    current = interviewer_half(state, user_id, at[0])
    if at[1] != current.index:
        raise PeerError(STALE)
    if not 0 <= point < total:
        raise PeerError(STALE)
    key = part_key(current.index, probe)
    ticked = set(current.ticks.get(key, ()))
    ticked ^= {point}
    ticks = {**current.ticks, key: tuple(sorted(ticked))}
    return _with_half(state, replace(current, ticks=ticks))


def show(state: PeerSession, user_id: int, at: tuple[int, int], probe: int | None) -> PeerSession:
    """Show the question itself or one of its probes on the panel; an opened probe was asked."""
    current = interviewer_half(state, user_id, at[0])
    if at[1] != current.index:
        raise PeerError(STALE)
    asked = current.asked
    key = part_key(current.index, probe)
    if probe is not None and key not in asked:
        asked = (*asked, key)
    return _with_half(state, replace(current, showing=probe, asked=asked))


def next_question(state: PeerSession, user_id: int, at: tuple[int, int]) -> PeerSession:
    """Move the panel to the half's next question."""
    current = interviewer_half(state, user_id, at[0])
    if at[1] != current.index or current.index + 1 >= len(current.question_ids):
        raise PeerError(STALE)
    return _bump(_with_half(state, replace(current, index=current.index + 1, showing=None)))


def time_up(state: PeerSession, now: datetime, grace: timedelta) -> PeerSession:
    """The half's time is over: the interviewer has `grace` to give feedback."""
    if state.phase is not PeerPhase.INTERVIEW:
        raise PeerError("no half is being interviewed")
    return _bump(replace(state, phase=PeerPhase.FEEDBACK, deadline=now + grace))


def _next_half(state: PeerSession, now: datetime) -> PeerSession:
    if state.half == 0:
        return _bump(
            replace(
                state,
                half=1,
                phase=PeerPhase.INTERVIEW,
                deadline=now + timedelta(minutes=state.minutes),
            )
        )
    return _bump(replace(state, phase=PeerPhase.DONE, deadline=None))


def feedback_given(state: PeerSession, feedback_id: int, now: datetime) -> PeerSession:
    """The interviewer sent their feedback: the roles swap, or the session is done."""
    if not state.active or state.current.feedback_id is not None:
        raise PeerError("This half already has its feedback.")
    return _next_half(_with_half(state, replace(state.current, feedback_id=feedback_id)), now)


def silent(state: PeerSession, now: datetime) -> PeerSession:
    """Nobody gave the half's feedback in time: it closes without a scorecard."""
    if state.phase is not PeerPhase.FEEDBACK:
        raise PeerError("no feedback is awaited")
    return _next_half(state, now)


def end(state: PeerSession, user_id: int) -> PeerSession:
    """A member ends the session early; feedback already given stays."""
    if not state.active:
        raise PeerError("This peer session is already over.")
    if user_id not in state.members:
        raise PeerError("This peer session belongs to two other members.")
    return _bump(replace(state, phase=PeerPhase.ENDED, deadline=None, ended_by=user_id))
