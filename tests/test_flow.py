"""The answer → grade flow: ownership, validation, idempotent grading, probes."""

from __future__ import annotations

import pytest

from bot.core.errors import Gone, NotYours, UserError
from bot.core.models import Bank, Rating
from bot.domain.answers.service import Flow, Where

HERE = Where(source="followup", guild_id=1, channel_id=2)


def some_question(bank: Bank, topic: str = "cache") -> str:
    return bank.in_topics([topic])[0].id


async def test_answer_then_grade(flow: Flow, bank: Bank) -> None:
    qid = some_question(bank)
    attempt = await flow.answer(10, qid, None, "  I would add jitter to TTLs  ", HERE)
    assert attempt.answer == "I would add jitter to TTLs"
    assert attempt.total == len(bank.questions[qid].key_points)
    graded, result = await flow.grade(10, attempt.id, [0, 1])
    assert graded.covered == (0, 1)
    assert result.total == attempt.total
    assert graded.rating is result.rating


async def test_grading_twice_keeps_the_first_grade(flow: Flow, bank: Bank) -> None:
    attempt = await flow.answer(10, some_question(bank), None, "answer", HERE)
    await flow.grade(10, attempt.id, [0])
    again, result = await flow.grade(10, attempt.id, [0, 1, 2, 3])
    assert again.covered == (0,)
    assert result.covered == (0,)


async def test_empty_and_oversized_answers_are_refused(flow: Flow, bank: Bank) -> None:
    with pytest.raises(UserError, match="empty"):
        await flow.answer(10, some_question(bank), None, " \n\t ", HERE)
    with pytest.raises(UserError, match="5,000 characters"):
        await flow.answer(10, some_question(bank), None, "x" * 5000, HERE)


async def test_someone_elses_attempt(flow: Flow, bank: Bank) -> None:
    attempt = await flow.answer(10, some_question(bank), None, "answer", HERE)
    with pytest.raises(NotYours):
        await flow.grade(11, attempt.id, [0])
    with pytest.raises(NotYours):
        await flow.rerate(11, attempt.id, Rating.EASY)


async def test_unknown_question_attempt_and_probe(flow: Flow, bank: Bank) -> None:
    with pytest.raises(Gone):
        await flow.answer(10, "no-such-question", None, "answer", HERE)
    with pytest.raises(Gone):
        await flow.grade(10, 999_999, [])
    with pytest.raises(Gone):
        await flow.answer(10, some_question(bank), 7, "answer", HERE)


async def test_forged_ticks_are_refused(flow: Flow, bank: Bank) -> None:
    attempt = await flow.answer(10, some_question(bank), None, "answer", HERE)
    with pytest.raises(UserError, match="do not match"):
        await flow.grade(10, attempt.id, [99])


async def test_rerate_needs_a_grade_first(flow: Flow, bank: Bank) -> None:
    attempt = await flow.answer(10, some_question(bank), None, "answer", HERE)
    with pytest.raises(UserError, match="Grade your answer first"):
        await flow.rerate(10, attempt.id, Rating.GOOD)
    await flow.grade(10, attempt.id, [])
    assert (await flow.rerate(10, attempt.id, Rating.GOOD)).rating is Rating.GOOD


async def test_probe_answers_are_graded_on_the_probes_points(flow: Flow, bank: Bank) -> None:
    question = bank.questions[some_question(bank)]
    main = await flow.answer(10, question.id, None, "answer", HERE)
    main, _ = await flow.grade(10, main.id, [])
    probe = flow.next_probe(question, main)
    assert probe == 0
    deeper = await flow.answer(10, question.id, probe, "deeper answer", HERE)
    assert deeper.total == len(question.probes[0].key_points)
    _, result = await flow.grade(10, deeper.id, list(range(deeper.total)))
    assert result.rating is Rating.EASY
    assert flow.next_probe(question, deeper) == 1


async def test_reveal_is_remembered(flow: Flow, bank: Bank) -> None:
    question = await flow.reveal(10, some_question(bank), HERE)
    attempts = await flow.store.attempts.for_user(10)
    assert [(a.question_id, a.revealed) for a in attempts] == [(question.id, True)]
