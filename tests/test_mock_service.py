"""The mock service against a real store: persistence, timers, resume after a restart."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.config import MockSettings
from bot.core.errors import UserError
from bot.core.models import Bank
from bot.core.round_state import Phase
from bot.domain.answers.service import Flow
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.mock.scorecard import build
from bot.domain.mock.service import MockService, RoundBusy
from bot.store import Store


def service(store: Store, bank: Bank, clock: FixedClock) -> MockService:
    flow = Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)
    return MockService(store, flow, clock, MockSettings(max_answer_chars=600))


async def play_question(mock: MockService, clock: FixedClock, ticks: list[int]) -> None:
    state = await mock.active(7)
    assert state is not None and state.phase is Phase.ANSWER
    await mock.add_text(7, "part one")
    await mock.add_text(7, "part two")
    clock.advance(timedelta(minutes=2))
    state = await mock.done(7)
    assert state.phase is Phase.GRADE
    await mock.grade(7, state.id, state.seq, ticks)


async def test_a_full_round_with_probes_and_a_scorecard(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    mock = service(store, bank, clock)
    state = await mock.start(7, ["cache", "consistency"], 2, 8, rng=random.Random(3))
    assert {bank.questions[q].topic for q in state.question_ids} <= {"cache", "consistency"}
    await play_question(mock, clock, [0])  # misses points: a probe follows
    probing = await mock.active(7)
    assert probing is not None and probing.probe is not None
    await play_question(mock, clock, [0, 1])
    await play_question(
        mock, clock, list(range(8))[: len(bank.questions[state.question_ids[1]].key_points)]
    )  # all points: no probe
    assert await mock.active(7) is None
    (finished,) = await store.rounds.finished_for(7)
    card = build(finished, bank)
    assert len(card.lines) == 2 and card.lines[0].probe_total is not None
    assert card.lines[1].covered == card.lines[1].total
    assert card.review_next[0] == state.question_ids[0]
    attempts = await store.attempts.for_user(7)
    assert [a.source for a in attempts] == ["mock"] * 3
    assert attempts[0].answer == "part one\npart two"


async def test_one_active_round_per_user(store: Store, bank: Bank, clock: FixedClock) -> None:
    mock = service(store, bank, clock)
    await mock.start(7, [], 3, 8)
    with pytest.raises(RoundBusy):
        await mock.start(7, [], 3, 8)
    await mock.stop(7)
    await mock.start(7, [], 3, 8)


async def test_timer_warns_then_times_out_with_what_was_written(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    mock = service(store, bank, clock)
    state = await mock.start(7, ["scale"], 1, 3)
    await mock.add_text(7, "half an answer")
    assert await mock.tick(state.id) == (await mock.active(7), None)
    clock.advance(timedelta(minutes=2))
    state, event = await mock.tick(state.id)
    assert event == "warned"
    clock.advance(timedelta(minutes=1))
    state, event = await mock.tick(state.id)
    assert event == "timeout" and state is not None
    assert state.phase is Phase.GRADE and state.timed_out and state.answer == "half an answer"


async def test_timeout_with_nothing_written_scores_zero_and_moves_on(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    mock = service(store, bank, clock)
    state = await mock.start(7, ["scale"], 1, 1)
    clock.advance(timedelta(minutes=1))
    state, event = await mock.tick(state.id)
    assert event == "timeout" and state is not None
    assert state.phase is Phase.ANSWER and state.probe is not None  # straight to the probe
    assert state.steps[0].covered == 0 and state.steps[0].timed_out


async def test_resume_after_restart_reads_the_stored_state(
    tmp_path: Path, bank: Bank, clock: FixedClock
) -> None:
    path = tmp_path / "r.sqlite3"
    first = await Store.open(path)
    mock = service(first, bank, clock)
    state = await mock.start(7, [], 2, 8)
    await mock.add_text(7, "written before the crash")
    await first.close()
    second = await Store.open(path)
    try:
        (resumed,) = await service(second, bank, clock).resumable()
        assert resumed.id == state.id and resumed.answer == "written before the crash"
        assert resumed.deadline == state.deadline
    finally:
        await second.close()


async def test_stale_and_foreign_steps_are_refused(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    mock = service(store, bank, clock)
    state = await mock.start(7, [], 2, 8)
    with pytest.raises(UserError, match="Write your answer first"):
        await mock.done(7)
    await mock.add_text(7, "answer")
    with pytest.raises(UserError, match="earlier step"):
        await mock.done(7, seq=state.seq - 1)
    graded = await mock.done(7)
    with pytest.raises(UserError, match="earlier step"):
        await mock.grade(7, graded.id, graded.seq - 1, [0])
    with pytest.raises(UserError, match="no mock round"):
        await mock.grade(8, graded.id, graded.seq, [0])


async def test_long_answers_are_capped(store: Store, bank: Bank, clock: FixedClock) -> None:
    mock = service(store, bank, clock)
    await mock.start(7, [], 1, 8)
    _, cut = await mock.add_text(7, "a" * 500)
    assert not cut
    state, cut = await mock.add_text(7, "b" * 500)
    assert cut and len(state.answer) == 600
    graded = await mock.done(7)
    attempt = await store.attempts.get(graded.attempt_id or 0)
    assert attempt is not None and len(attempt.answer) == 600
