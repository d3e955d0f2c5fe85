"""The mock-round state machine: every transition, timers, and the JSON round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.round_state import Phase, Round, RoundError
from bot.domain.mock import rounds

T0 = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def fresh(n: int = 2, minutes: float = 8) -> Round:
    return rounds.begin(1, 42, [f"q{i}" for i in range(n)], minutes, T0)


def test_begin_asks_the_first_question_with_a_deadline() -> None:
    state = fresh()
    assert state.phase is Phase.ANSWER and state.index == 0 and state.probe is None
    assert state.deadline == T0 + timedelta(minutes=8)
    assert state.next_timer() == T0 + timedelta(minutes=7)  # the one-minute warning first
    with pytest.raises(RoundError):
        rounds.begin(1, 42, [], 8, T0)


def test_answer_in_several_messages_then_done() -> None:
    state, cut = rounds.add_text(fresh(), "first part", cap=100)
    state, _ = rounds.add_text(state, "second part", cap=100)
    assert state.answer == "first part\nsecond part" and not cut
    done = rounds.finish_answer(state, T0 + timedelta(minutes=3), attempt_id=9)
    assert done.phase is Phase.GRADE and done.attempt_id == 9 and done.deadline is None
    assert done.seq > state.seq


def test_cap_cuts_the_answer_and_says_so() -> None:
    state, cut = rounds.add_text(fresh(), "x" * 90, cap=100)
    state, cut = rounds.add_text(state, "y" * 50, cap=100)
    assert cut and state.truncated and len(state.answer) == 100


def test_empty_answer_cannot_be_done_unless_time_is_up() -> None:
    with pytest.raises(RoundError):
        rounds.finish_answer(fresh(), T0, attempt_id=None)
    timed = rounds.finish_answer(fresh(), T0 + timedelta(minutes=8), None, timed_out=True)
    assert timed.phase is Phase.GRADE and timed.timed_out


def test_missed_points_lead_to_a_probe_with_half_the_time() -> None:
    state, _ = rounds.add_text(fresh(), "answer", cap=100)
    state = rounds.finish_answer(state, T0 + timedelta(minutes=2), attempt_id=1)
    probe = rounds.grade(
        state, covered=3, total=5, missed=(1, 4), probe=1, now=T0 + timedelta(minutes=3)
    )
    assert probe.phase is Phase.ANSWER and probe.index == 0 and probe.probe == 1
    assert probe.limit == timedelta(minutes=4)
    assert probe.deadline == T0 + timedelta(minutes=7)
    step = probe.steps[0]
    assert (step.covered, step.total, step.missed, step.seconds) == (3, 5, (1, 4), 180.0)


def test_full_marks_skip_the_probe_and_the_last_grade_ends_the_round() -> None:
    state, _ = rounds.add_text(fresh(n=1), "answer", cap=100)
    state = rounds.finish_answer(state, T0, attempt_id=1)
    done = rounds.grade(state, covered=4, total=4, missed=(), probe=None, now=T0)
    assert done.phase is Phase.DONE and not done.active and done.next_timer() is None


def test_after_the_probe_comes_the_next_question() -> None:
    state, _ = rounds.add_text(fresh(n=2), "answer", cap=100)
    state = rounds.finish_answer(state, T0, attempt_id=1)
    state = rounds.grade(state, 1, 4, (0, 2, 3), probe=0, now=T0)
    state, _ = rounds.add_text(state, "probe answer", cap=100)
    state = rounds.finish_answer(state, T0, attempt_id=2)
    state = rounds.grade(state, 2, 2, (), probe=None, now=T0)
    assert state.phase is Phase.ANSWER and state.index == 1 and state.probe is None
    assert state.answer == "" and [s.probe for s in state.steps] == [None, 0]


def test_warning_once_then_deadline() -> None:
    state = fresh()
    warned = rounds.warn(state, T0 + timedelta(minutes=7))
    assert warned.next_timer() == warned.deadline
    with pytest.raises(RoundError):
        rounds.warn(warned, T0 + timedelta(minutes=7, seconds=30))


def test_out_of_phase_transitions_are_refused() -> None:
    state = fresh()
    with pytest.raises(RoundError):
        rounds.grade(state, 1, 4, (), probe=None, now=T0)
    graded = rounds.finish_answer(rounds.add_text(state, "a", 10)[0], T0, 1)
    with pytest.raises(RoundError):
        rounds.add_text(graded, "more", cap=100)
    with pytest.raises(RoundError):
        rounds.finish_answer(graded, T0, 1)


def test_stop_ends_an_active_round_only() -> None:
    stopped = rounds.stop(fresh())
    assert stopped.phase is Phase.STOPPED and not stopped.active
    with pytest.raises(RoundError):
        rounds.stop(stopped)


def test_json_round_trip_keeps_everything() -> None:
    state, _ = rounds.add_text(fresh(), 'answer with "quotes" and ünïcode', cap=100)
    state = rounds.finish_answer(state, T0 + timedelta(minutes=1), attempt_id=3)
    state = rounds.grade(state, 2, 5, (0, 1, 2), probe=0, now=T0 + timedelta(minutes=2))
    again = Round.from_json(state.to_json())
    assert again == state
    assert again.deadline is not None and again.deadline.tzinfo is not None


def test_end_of_input_may_finish_an_empty_answer_without_calling_it_late() -> None:
    done = rounds.finish_answer(fresh(), T0, attempt_id=None, allow_empty=True)
    assert done.phase is Phase.GRADE and not done.timed_out
