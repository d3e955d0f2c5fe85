"""A round's clock stops while nobody is there: the rule and the service, on a fixed clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.config import MockSettings
from bot.core.models import Bank
from bot.core.round_state import Phase, Round, RoundError
from bot.domain.answers.service import Flow
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.mock import rounds
from bot.domain.mock.service import MockService
from bot.store import Store

T0 = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
AWAY = timedelta(hours=3)


def fresh() -> Round:
    return rounds.begin(1, 42, ["q0", "q1"], 8, T0)


def test_time_paused_counts_against_neither_timer_nor_score() -> None:
    paused = rounds.pause(fresh(), T0 + timedelta(minutes=2))
    assert paused.next_timer() is None, "a paused round needs no timer"
    assert rounds.pause(paused, T0 + AWAY).paused_at == paused.paused_at, "pausing twice: once"
    back = rounds.resume(paused, paused.paused_at or T0, T0 + timedelta(minutes=2) + AWAY)
    assert back.paused_at is None
    assert back.deadline == T0 + timedelta(minutes=8) + AWAY  # six minutes still to go
    assert back.part_started == T0 + AWAY
    written, _ = rounds.add_text(back, "an answer", cap=100)
    later = T0 + AWAY + timedelta(minutes=5)
    graded = rounds.grade(rounds.finish_answer(written, later, attempt_id=1), 3, 7, (), None, later)
    assert graded.steps[0].seconds == 300  # the three hours away are not in it


def test_a_paused_round_survives_the_json_round_trip_and_old_json_loads() -> None:
    paused = rounds.pause(fresh(), T0)
    assert Round.from_json(paused.to_json()) == paused
    old = fresh().to_json().replace(', "paused_at": null', "")
    assert "paused_at" not in old and Round.from_json(old) == fresh()


def test_a_finished_round_cannot_pause_or_resume() -> None:
    over = rounds.stop(fresh())
    with pytest.raises(RoundError):
        rounds.pause(over, T0)
    with pytest.raises(RoundError):
        rounds.resume(over, T0, T0)


async def test_the_service_pauses_and_resumes_and_its_timer_waits(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    flow = Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)
    mock = MockService(store, flow, clock, MockSettings())
    state = await mock.start(7, ["cache"], 1, 8, rng=random.Random(1))
    await mock.pause(7)
    clock.advance(AWAY)
    assert await mock.tick(state.id) == (await mock.active(7), None), "no time's up while away"
    assert await mock.resumable() == [], "the bot leaves a paused round alone"
    resumed = await mock.resume(7)
    assert resumed.deadline == state.deadline + AWAY and resumed.phase is Phase.ANSWER


async def test_a_round_whose_program_was_killed_counts_from_its_last_save(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    flow = Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)
    mock = MockService(store, flow, clock, MockSettings())
    state = await mock.start(7, ["cache"], 1, 8, rng=random.Random(1))
    clock.advance(timedelta(minutes=1))
    await mock.add_text(7, "the last thing saved")  # then the process died: no pause
    clock.advance(AWAY)
    resumed = await mock.resume(7)
    assert resumed.deadline == state.deadline + AWAY
    assert resumed.answer == "the last thing saved"
