"""/followup, /help and the buttons and modals of the core loop, with spec'd fakes."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.cogs.answers import AnswersCog
from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.errors import UserError
from bot.core.models import Bank
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.services import Services
from bot.store import Store
from bot.ui.answers.buttons import (
    ANSWER_BUTTONS,
    AnswerButton,
    GradeButton,
    RateButton,
    RevealButton,
)
from bot.ui.answers.submits import ANSWER_MODALS
from bot.ui.kit.router import EXPIRED, Router
from tests.helpers import custom_ids, fake_interaction, sent


@pytest.fixture
def services(store: Store, bank: Bank, clock: FixedClock) -> Services:
    return Services.build(Settings(), store, Library(DEFAULT_CONTENT, bank), clock)


@pytest.fixture
def cog(services: Services) -> AnswersCog:
    return AnswersCog(services)


def button(cls: type, custom_id: str) -> discord.ui.DynamicItem:
    match = cls.pattern.fullmatch(custom_id)
    assert match is not None
    return cls(custom_id, "label", discord.ButtonStyle.primary, **match.groupdict())


async def test_followup_posts_a_question_of_the_topic(cog: AnswersCog, services: Services) -> None:
    interaction = fake_interaction(services)
    choice = app_commands.Choice(name="cache", value="cache")
    await cog.followup.callback(cog, interaction, topic=choice, question=None)
    kwargs = sent(interaction)
    embed: discord.Embed = kwargs["embed"]
    assert "Caching" in (embed.title or "")
    assert kwargs.get("ephemeral") is not True
    ids = custom_ids(kwargs["view"])
    qid = ids[0].split(":")[2]
    question = services.library.bank.questions[qid]
    assert question.topic == "cache"
    assert ids == [f"fu:ans:{qid}", f"fu:rev:{qid}", "fu:new:cache"]
    text = str(embed.to_dict())
    assert question.question in text
    assert not any(point.label in text for point in question.key_points), "key points leaked"


async def test_followup_by_question_id_and_unknown_question(
    cog: AnswersCog, services: Services
) -> None:
    qid = services.library.bank.in_topics(["database"])[0].id
    interaction = fake_interaction(services)
    await cog.followup.callback(cog, interaction, topic=None, question=qid)
    assert custom_ids(sent(interaction)["view"])[0] == f"fu:ans:{qid}"
    with pytest.raises(UserError, match=f"did you mean `{qid}`"):
        await cog.followup.callback(
            cog, fake_interaction(services), topic=None, question=qid[:-1] + "x"
        )


async def test_autocomplete_filters_by_topic_and_caps_at_25(
    cog: AnswersCog, services: Services
) -> None:
    everything = await cog.question_autocomplete(fake_interaction(services), "")
    assert len(everything) == 25
    cached = await cog.question_autocomplete(
        fake_interaction(services, namespace={"topic": "cache"}), "cache"
    )
    assert cached and all(c.value.startswith("cache-") for c in cached)
    assert all(len(c.name) <= 100 for c in everything + cached)


async def test_help_is_ephemeral(cog: AnswersCog, services: Services) -> None:
    interaction = fake_interaction(services)
    await cog.help.callback(cog, interaction)
    kwargs = sent(interaction)
    assert kwargs["ephemeral"] is True
    assert "Grade myself" in str(kwargs["embed"].to_dict())


async def test_answer_grade_loop_through_buttons_and_modals(services: Services) -> None:
    router = Router(ANSWER_BUTTONS, ANSWER_MODALS)
    qid = services.library.bank.in_topics(["cache"])[0].id
    question = services.library.bank.questions[qid]
    click = fake_interaction(services)
    await button(AnswerButton, f"fu:ans:{qid}").callback(click)
    modal = sent(click)["_args"][0]
    assert modal.custom_id == f"fu:m:ans:{qid}"

    submit = fake_interaction(
        services,
        data={
            "custom_id": f"fu:m:ans:{qid}",
            "components": [
                {
                    "type": 18,
                    "component": {"type": 4, "custom_id": "answer", "value": "@everyone hi"},
                }
            ],
        },
    )
    submit.type = discord.InteractionType.modal_submit
    await router.dispatch(submit)
    answered = sent(submit)
    assert answered["ephemeral"] is True
    assert answered["allowed_mentions"].everyone is False
    grade_id = custom_ids(answered["view"])[0]
    attempt_id = int(grade_id.split(":")[2])

    grade_click = fake_interaction(services)
    await button(GradeButton, grade_id).callback(grade_click)
    checklist = sent(grade_click)["_args"][0]
    assert checklist.custom_id == f"fu:m:grade:{attempt_id}"

    ticks = fake_interaction(
        services,
        message=object(),
        data={  # type: ignore[arg-type]
            "custom_id": f"fu:m:grade:{attempt_id}",
            "components": [
                {"type": 18, "component": {"type": 22, "custom_id": "points", "values": ["0", "1"]}}
            ],
        },
    )
    ticks.type = discord.InteractionType.modal_submit
    await router.dispatch(ticks)
    result = sent(ticks)
    assert f"Covered **2 of {len(question.key_points)}**" in result["embed"].description
    stored = await services.store.attempts.get(attempt_id)
    assert stored is not None and stored.covered == (0, 1)


async def test_someone_else_cannot_grade_or_rate(services: Services) -> None:
    qid = services.library.bank.in_topics(["cache"])[0].id
    attempt = await services.store.attempts.add_answer(
        user_id=10,
        question_id=qid,
        probe=None,
        answer="a",
        total=4,
        source="followup",
        now=services.clock.now(),
    )
    intruder = fake_interaction(services, user_id=99)
    await button(GradeButton, f"fu:grade:{attempt.id}").callback(intruder)
    assert "belongs to someone else" in sent(intruder)["_args"][0]
    intruder = fake_interaction(services, user_id=99)
    await button(RateButton, f"fu:rate:{attempt.id}:easy").callback(intruder)
    assert "belongs to someone else" in sent(intruder)["_args"][0]


async def test_reveal_is_ephemeral_and_recorded(services: Services) -> None:
    question = services.library.bank.in_topics(["security"])[0]
    interaction = fake_interaction(services)
    await button(RevealButton, f"fu:rev:{question.id}").callback(interaction)
    kwargs = sent(interaction)
    assert kwargs["ephemeral"] is True
    assert question.key_points[0].label in str(kwargs["embed"].to_dict())
    (attempt,) = await services.store.attempts.for_user(10)
    assert attempt.revealed


async def test_removed_question_and_forged_ids_get_friendly_messages(services: Services) -> None:
    interaction = fake_interaction(services)
    await button(AnswerButton, "fu:ans:no-longer-here").callback(interaction)
    assert "no longer available" in sent(interaction)["_args"][0]
    router = Router(ANSWER_BUTTONS, ANSWER_MODALS)
    forged = fake_interaction(services, data={"custom_id": "fu:ans:%%%"})
    forged.type = discord.InteractionType.component
    await router.dispatch(forged)
    assert sent(forged)["_args"][0] == EXPIRED
    unknown_modal = fake_interaction(services, data={"custom_id": "fu:m:what"})
    unknown_modal.type = discord.InteractionType.modal_submit
    await router.dispatch(unknown_modal)
    assert sent(unknown_modal)["_args"][0] == EXPIRED


def test_nothing_here_is_test_only(services: Services) -> None:
    assert Path(DEFAULT_CONTENT).is_dir()
