"""The core loop's buttons: answer, reveal, another question, grade, rate, go deeper."""

from __future__ import annotations

import discord

from bot.core.models import Question, Rating
from bot.domain.answers.probes import next_probe
from bot.domain.answers.service import Where
from bot.domain.content.picking import pick_or_explain
from bot.domain.content.serverpack import QID_PATTERN
from bot.domain.services import Services
from bot.ui.answers import embeds
from bot.ui.answers.modals import answer_modal, checklist_modal
from bot.ui.kit.items import StatefulButton, open_modal
from bot.ui.kit.replies import NO_PINGS, send_ephemeral

QID = rf"(?P<qid>{QID_PATTERN})"
AID = r"(?P<aid>[0-9]{1,18})"


def where(interaction: discord.Interaction, source: str = "followup") -> Where:
    """Where an interaction happened, for the attempt record."""
    return Where(source=source, guild_id=interaction.guild_id, channel_id=interaction.channel_id)


class AnswerButton(StatefulButton, template=rf"fu:ans:{QID}(?::(?P<probe>[0-9]))?"):
    """Opens the answer modal for a question (or a probe)."""

    @classmethod
    def make(cls, question: Question, probe: int | None = None) -> AnswerButton:
        suffix = "" if probe is None else f":{probe}"
        return cls(f"fu:ans:{question.id}{suffix}", "Answer", discord.ButtonStyle.primary)

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        question = svc.flow.question(self.state["qid"], interaction.guild_id)
        probe = int(self.state["probe"]) if self.state.get("probe") else None
        svc.flow.check_probe(question, probe)
        await open_modal(interaction, answer_modal(question, probe))


class RevealButton(StatefulButton, template=rf"fu:rev:{QID}"):
    """Shows the key points to the clicker only, recorded as a reveal."""

    @classmethod
    def make(cls, question: Question) -> RevealButton:
        return cls(f"fu:rev:{question.id}", "Reveal key points", discord.ButtonStyle.secondary)

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        question = await svc.flow.reveal(interaction.user.id, self.state["qid"], where(interaction))
        topic = svc.library.bank.topics.get(question.topic)
        await send_ephemeral(interaction, embed=embeds.key_points_embed(question, topic))


class AnotherButton(StatefulButton, template=r"fu:new:(?P<topic>[a-z]{1,20})"):
    """Posts another question of the same topic in the channel."""

    @classmethod
    def make(cls, topic: str) -> AnotherButton:
        return cls(f"fu:new:{topic}", "Another question", discord.ButtonStyle.secondary)

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        bank = svc.library.bank_for(interaction.guild_id)
        topic = self.state["topic"]
        question = pick_or_explain(bank, [topic] if topic in bank.topics else None)
        await post_question(interaction, question, svc)


class GradeButton(StatefulButton, template=rf"fu:grade:{AID}"):
    """Opens the key-point checklist for the clicker's own answer."""

    @classmethod
    def make(cls, attempt_id: int) -> GradeButton:
        return cls(f"fu:grade:{attempt_id}", "Grade myself", discord.ButtonStyle.success)

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        attempt, question = await svc.flow.owned(interaction.user.id, int(self.state["aid"]))
        if attempt.covered is not None:  # graded already, e.g. a second click: show the result
            attempt, result = await svc.flow.grade(interaction.user.id, attempt.id, [])
            await interaction.response.edit_message(
                embed=embeds.result_embed(question, result, attempt.probe, attempt.rating),
                view=result_view(attempt.id, question, attempt.probe, attempt.rating),
            )
            return
        evidence = svc.flow.evidence(question, attempt.probe, attempt.answer)
        await open_modal(interaction, checklist_modal(attempt, question, evidence))


class RateButton(StatefulButton, template=rf"fu:rate:{AID}:(?P<rating>again|hard|good|easy)"):
    """Overrides the suggested rating."""

    @classmethod
    def make(cls, attempt_id: int, rating: Rating, chosen: bool) -> RateButton:
        style = discord.ButtonStyle.primary if chosen else discord.ButtonStyle.secondary
        return cls(f"fu:rate:{attempt_id}:{rating.value}", embeds.RATING_LABELS[rating], style)

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        attempt = await svc.flow.rerate(
            interaction.user.id, int(self.state["aid"]), Rating(self.state["rating"])
        )
        attempt, result = await svc.flow.grade(interaction.user.id, attempt.id, [])
        question = svc.flow.question(attempt.question_id)
        await interaction.response.edit_message(
            embed=embeds.result_embed(question, result, attempt.probe, attempt.rating),
            view=result_view(attempt.id, question, attempt.probe, attempt.rating),
        )


class DeeperButton(StatefulButton, template=rf"fu:deep:{AID}"):
    """Asks the question's next probe, answered and graded the same way."""

    @classmethod
    def make(cls, attempt_id: int) -> DeeperButton:
        return cls(f"fu:deep:{attempt_id}", "Go deeper", discord.ButtonStyle.primary)

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        attempt, question = await svc.flow.owned(interaction.user.id, int(self.state["aid"]))
        probe = svc.flow.next_probe(question, attempt)
        if probe is None:
            await send_ephemeral(interaction, "No deeper question left here. Try another one!")
            return
        await open_modal(interaction, answer_modal(question, probe))


ANSWER_BUTTONS = (AnswerButton, RevealButton, AnotherButton, GradeButton, RateButton, DeeperButton)


def question_view(question: Question) -> discord.ui.View:
    """Answer / Reveal key points / Another question under a posted question."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton.make(question))
    view.add_item(RevealButton.make(question))
    view.add_item(AnotherButton.make(question.topic))
    return view


def grade_view(attempt_id: int) -> discord.ui.View:
    """The single Grade myself button under a saved answer."""
    view = discord.ui.View(timeout=None)
    view.add_item(GradeButton.make(attempt_id))
    return view


def result_view(
    attempt_id: int, question: Question, probe: int | None, rating: Rating | None
) -> discord.ui.View:
    """Rating buttons, then Go deeper and Another question."""
    view = discord.ui.View(timeout=None)
    for option in Rating:
        view.add_item(RateButton.make(attempt_id, option, chosen=option == rating))
    if next_probe(question, probe, ()) is not None:  # which one depends on the ticks
        deeper = DeeperButton.make(attempt_id)
        deeper.item.row = 1
        view.add_item(deeper)
    another = AnotherButton.make(question.topic)
    another.item.row = 1
    view.add_item(another)
    return view


async def post_question(
    interaction: discord.Interaction, question: Question, svc: Services, header: str | None = None
) -> None:
    """Post a question publicly in the channel as the interaction's response."""
    topic = svc.library.bank.topics.get(question.topic)
    await interaction.response.send_message(
        embed=embeds.question_embed(question, topic, header=header),
        view=question_view(question),
        allowed_mentions=NO_PINGS,
    )
