"""Every embed, view and modal the bot builds fits Discord's limits, for every question."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.core.models import Attempt, Bank, Question, Rating
from bot.core.round_state import Phase
from bot.domain.answers.evidence import EvidenceIndex
from bot.domain.answers.grading import grade
from bot.domain.mock import rounds
from bot.domain.mock.rounds import begin
from bot.domain.mock.scorecard import build, part_lines
from bot.ui.answers import embeds
from bot.ui.answers.buttons import grade_view, question_view, result_view
from bot.ui.answers.modals import answer_modal, checklist_modal, checklist_modal_for
from bot.ui.kit.text import check_embed
from bot.ui.mock.embeds import grade_prompt_embed, part_embed, scorecard_embed

BIG_ID = 10**18 - 1  # the largest attempt id a custom_id may carry
MOCK_ID = f"fu:m:mock:{BIG_ID}:999999"  # a DM round's checklist, with the largest ids
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def attempt(question: Question, probe: int | None) -> Attempt:
    return Attempt(
        id=BIG_ID,
        user_id=1,
        question_id=question.id,
        probe=probe,
        answer="x" * 4000,
        covered=None,
        total=len(question.points(probe)),
        rating=None,
        created_at=NOW,
        graded_at=None,
    )


def check_view(view: discord.ui.View) -> None:
    rows = view.to_components()
    assert len(rows) <= 5
    for row in rows:
        assert len(row["components"]) <= 5
        for component in row["components"]:
            assert 1 <= len(component["custom_id"]) <= 100
            assert len(component.get("label", "")) <= 80


def check_modal(modal: discord.ui.Modal) -> None:
    assert len(modal.title) <= 45 and len(modal.custom_id) <= 100
    assert 1 <= len(modal.to_components()) <= 5
    for item in modal.walk_children():
        if isinstance(item, discord.ui.Label):
            assert len(item.text) <= 45 and len(item.description or "") <= 100
        if isinstance(item, discord.ui.CheckboxGroup):
            assert len(item.options) <= 10
            assert all(len(o.label) <= 100 for o in item.options)
            assert all(1 <= len(o.description or "") <= 100 for o in item.options)
            assert not any(o.default for o in item.options), "a box was pre-ticked"


def answers_for(question: Question, probe: int | None) -> list[str]:
    """Answers whose evidence is longest: the key points' own words, run together with no
    full stop (one enormous sentence), one per line, and none of them at all."""
    words = [f"{p.label} {p.why}" for p in question.points(probe)]
    return [" and ".join(words), "\n".join(words), "x" * 4000]


def test_every_question_fits(bank: Bank) -> None:
    index = EvidenceIndex.build(bank)
    for question in bank.questions.values():
        topic = bank.topics[question.topic]
        for probe in (None, *range(len(question.probes))):
            built = [
                embeds.question_embed(
                    question, topic, header="Daily question · 2026-01-01", probe=probe
                ),
                embeds.answer_embed(question, "@everyone " + "x" * 3990, probe),
                embeds.key_points_embed(question, topic, probe),
                embeds.result_embed(question, grade(question.points(probe), []), probe),
            ]
            for embed in built:
                assert check_embed(embed) == [], (question.id, probe, check_embed(embed))
            check_modal(answer_modal(question, probe))
            for text in answers_for(question, probe):
                evidence = index.match(question.id, probe, text)
                check_modal(checklist_modal(attempt(question, probe), question, evidence))
                check_modal(
                    checklist_modal_for(
                        question.points(probe), question.prompt(probe), MOCK_ID, evidence
                    )
                )
            every = range(len(question.points(probe)))
            none_found = grade(question.points(probe), every, [False] * len(every))
            graded = (grade(question.points(probe), []), none_found)
            for result in graded:
                embed = embeds.result_embed(question, result, probe, Rating.EASY)
                assert check_embed(embed) == [], (question.id, probe, check_embed(embed))
            check_view(result_view(BIG_ID, question, probe, None))
        check_view(question_view(question))
    check_view(grade_view(BIG_ID))


@pytest.mark.parametrize("count", [1, 10])
def test_round_embeds_fit(bank: Bank, count: int) -> None:
    ids = [q.id for q in list(bank.questions.values())[:count]]
    state = begin(BIG_ID, 1, ids, 60, NOW)
    question = bank.questions[ids[0]]
    assert check_embed(part_embed(state, question, resumed=True)) == []
    assert check_embed(grade_prompt_embed(state, question)) == []
    assert check_embed(scorecard_embed(build(state, bank))) == []


def test_a_full_round_of_misses_fits(bank: Bank) -> None:
    """Ten questions, each all missed with a probe all missed: the longest scorecard."""
    questions = sorted(bank.questions.values(), key=lambda q: -len(q.title))[:10]
    state = begin(BIG_ID, 1, [q.id for q in questions], 60, NOW)
    for question in questions:
        for _ in range(2 if question.probes else 1):
            total = len(question.points(state.probe))
            state = rounds.finish_answer(state, NOW, BIG_ID, timed_out=True)
            core = tuple(i for i, p in enumerate(question.points(state.probe)) if p.core)
            state = rounds.grade(
                state, 0, total, tuple(range(total)), 0 if question.probes else None, NOW, core, 3
            )
            message = "\n".join(part_lines(state, build(state, bank)))
            assert len(message) <= 2000  # a DM message
    assert state.phase is Phase.DONE
    assert check_embed(scorecard_embed(build(state, bank))) == []


def test_help_fits() -> None:
    assert check_embed(embeds.help_embed()) == []
