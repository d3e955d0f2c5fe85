"""Every embed, view and modal the bot builds fits Discord's limits, for every question."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.core.models import Attempt, Bank, Question
from bot.domain.answers.grading import grade
from bot.domain.mock.rounds import begin
from bot.domain.mock.scorecard import build
from bot.ui.answers import embeds
from bot.ui.answers.buttons import grade_view, question_view, result_view
from bot.ui.answers.modals import answer_modal, checklist_modal
from bot.ui.kit.text import check_embed
from bot.ui.mock.embeds import grade_prompt_embed, part_embed, scorecard_embed

BIG_ID = 10**18 - 1  # the largest attempt id a custom_id may carry
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


def test_every_question_fits(bank: Bank) -> None:
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
            check_modal(checklist_modal(attempt(question, probe), question))
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


def test_help_fits() -> None:
    assert check_embed(embeds.help_embed()) == []
