"""The bad-input suite: forged and truncated custom_ids, malformed modal payloads, wrong
option types, oversized text, unknown commands. Nothing crashes; every interaction gets an
answer; no traceback reaches a user."""

from __future__ import annotations

import string
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.models import Bank
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.services import Services
from bot.store import Store
from bot.ui.answers.buttons import ANSWER_BUTTONS
from bot.ui.answers.modals import submitted_values, ticked_points
from bot.ui.answers.submits import ANSWER_MODALS
from bot.ui.kit.replies import APOLOGY
from bot.ui.kit.router import Router
from tests.conftest import BAD_INPUT_REPORT
from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.build import new_interaction
from tests.fakediscord.driver import InteractionResult
from tests.helpers import fake_interaction

ALPHABET = string.ascii_letters + string.digits + ":-_%/\\ \x00é😀"
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def services(store: Store, bank: Bank, clock: FixedClock) -> Services:
    return Services.build(Settings(), store, Library(DEFAULT_CONTENT, bank), clock)


def replies(interaction: Any) -> list[Any]:
    response = interaction.response
    return [
        c
        for c in (
            response.send_message,
            response.edit_message,
            response.send_modal,
            interaction.followup.send,
        )
        if c.await_count
    ]


@FUZZ
@given(
    custom_id=st.one_of(
        st.text(ALPHABET, max_size=120), st.text(ALPHABET, max_size=90).map(lambda s: "fu:" + s)
    )
)
async def test_router_answers_any_custom_id_once(services: Services, custom_id: str) -> None:
    router = Router(ANSWER_BUTTONS, ANSWER_MODALS)
    for kind in (discord.InteractionType.component, discord.InteractionType.modal_submit):
        interaction = fake_interaction(services, data={"custom_id": custom_id, "components": []})
        interaction.type = kind
        await router.dispatch(interaction)  # never raises
        assert len(replies(interaction)) == 1  # old releases' buttons may carry any id
    BAD_INPUT_REPORT["forged custom_ids (router)"] += 1


def template_ids() -> st.SearchStrategy[tuple[type, str]]:
    return st.sampled_from(ANSWER_BUTTONS).flatmap(
        lambda cls: st.tuples(st.just(cls), st.from_regex(cls.pattern, fullmatch=True))
    )


@FUZZ
@given(item=template_ids())
async def test_buttons_with_forged_state_answer_politely(
    services: Services, item: tuple[type, str]
) -> None:
    cls, custom_id = item
    match = cls.pattern.fullmatch(custom_id)
    assert match is not None
    button = cls(custom_id, "label", discord.ButtonStyle.primary, **match.groupdict())
    interaction = fake_interaction(services, user_id=424242)
    await button.callback(interaction)  # never raises
    sent = replies(interaction)
    assert len(sent) == 1
    text = str(sent[0].await_args)
    assert "Traceback" not in text and APOLOGY not in text
    BAD_INPUT_REPORT["forged button state"] += 1


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["custom_id", "value", "values", "component", "components", "type"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(data=json_like)
def test_modal_payloads_of_any_shape_are_read_safely(data: Any) -> None:
    values = submitted_values(data)
    assert isinstance(values, dict)
    ticks = ticked_points(values)
    assert all(isinstance(t, int) and t >= 0 for t in ticks)
    BAD_INPUT_REPORT["malformed modal payloads"] += 1


async def raw(
    fake: FakeDiscord, kind: int, data: dict[str, Any], message: Any = None
) -> InteractionResult:
    """Dispatch an interaction exactly as given, bypassing the driver's own checks."""
    alice = fake.user("alice")
    channel = fake.default_guild.channel("general")
    inter = new_interaction(fake, alice.user, fake.default_guild, channel, kind, data, message)
    return await InteractionResult(fake, inter).wait("final", 5)


async def test_malformed_interactions_end_to_end(fake: FakeDiscord, followup: BotProcess) -> None:
    command = fake.command("followup")
    assert command is not None
    cases = [
        {"id": "1", "name": "no-such-command", "type": 1},
        {
            "id": command["id"],
            "name": "followup",
            "type": 1,
            "options": [{"name": "topic", "type": 3, "value": "frontend"}],
        },
        {
            "id": command["id"],
            "name": "followup",
            "type": 1,
            "options": [{"name": "topic", "type": 4, "value": 5}],
        },
        {
            "id": command["id"],
            "name": "followup",
            "type": 1,
            "options": [{"name": "question", "type": 3, "value": "x" * 5000}],
        },
        {
            "id": command["id"],
            "name": "followup",
            "type": 1,
            "options": [{"name": "question", "type": 3, "value": "@everyone <@&1> **bold**"}],
        },
    ]
    for data in cases:
        result = await raw(fake, 2, data)
        assert result.response_type in (4, 5), data
        assert "Traceback" not in result.text and len(result.text) < 6000
        if result.message is not None:
            assert result.message.allowed_mentions == {"parse": []}
        BAD_INPUT_REPORT["malformed slash commands (e2e)"] += 1
    posted = await fake.user("alice").slash("followup", topic="cache")
    real = next(b["custom_id"] for b in posted.message.buttons())
    forged = [
        real[:-3],
        real + "zz",
        "fu:",
        "fu:ans:",
        "fu:rate:1:great",
        "fu:grade:99999999",
        "fu:m:ans:cache-stampede",
        "fu:" + "9" * 97,
        "fu:deep:-1",
        "fu:new:../../etc",
        "answer:cache-stampede",  # a button of an older release, without the prefix
        "x",
        "",
    ]
    for custom_id in forged:
        result = await raw(
            fake, 3, {"custom_id": custom_id, "component_type": 2}, message=posted.message
        )
        assert result.response_type == 4 and result.ephemeral, custom_id
        BAD_INPUT_REPORT["forged custom_ids (e2e)"] += 1
