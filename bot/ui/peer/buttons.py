"""Every peer button (restart-proof: the ids live in the custom_id, the state in the store),
the views that carry them, and the feedback modal.

A click is checked against the stored session each time: only the invited member accepts, only
the half's interviewer opens, ticks or closes the panel, and a button from an earlier half or
question gets a clear refusal."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core.errors import UserError
from bot.core.models import Question
from bot.core.peer_state import MAIN, SIGNALS, PeerInvite, PeerSession
from bot.domain.peer import session
from bot.domain.services import Services
from bot.ui.kit.items import StatefulButton, open_modal, services_of
from bot.ui.kit.replies import NO_PINGS, send_ephemeral
from bot.ui.kit.text import clip
from bot.ui.peer.access import peer_driver
from bot.ui.peer.embeds import invite_closed_text, panel_embed, signal_label

ID = "[0-9]{1,18}"
PART = f"(?P<p>{MAIN}|[0-9])"
AT = rf"(?P<sid>{ID}):(?P<h>[01]):(?P<q>[0-9])"
FEEDBACK_MODAL = re.compile(rf"fu:m:peer:(?P<sid>{ID}):(?P<h>[01]):(?P<s>[0-3])")
WELL, IMPROVE = "well", "improve"
POINT_ROWS = 2  # ten toggles at most; the bank's questions have up to eight key points


def _at(state: dict[str, str]) -> tuple[int, tuple[int, int]]:
    return int(state["sid"]), (int(state["h"]), int(state["q"]))


def _probe(text: str) -> int | None:
    return None if text == MAIN else int(text)


class AcceptButton(StatefulButton, template=rf"fu:peer:accept:(?P<iid>{ID})"):
    """The invited member accepts: the session opens in a private thread (or in DMs)."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        pairing = await svc.peer.invites.accept(int(self.state["iid"]), interaction.user.id)
        await interaction.response.defer()  # then the thread: slower than Discord's 3 s allow
        driver = peer_driver(interaction)
        state = await driver.start(pairing)
        text = f"<@{pairing.second}> accepted the peer interview invite from <@{pairing.first}>" + (
            f": the session is in <#{state.thread_id}>." if state.thread_id else ", in DMs."
        )
        await interaction.edit_original_response(content=text, view=None, allowed_mentions=NO_PINGS)
        await send_ephemeral(interaction, driver.started_text(state))


class DeclineButton(StatefulButton, template=rf"fu:peer:decline:(?P<iid>{ID})"):
    """The invited member declines (or the inviter withdraws the invite)."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        invite = await svc.peer.invites.decline(int(self.state["iid"]), interaction.user.id)
        peer_driver(interaction).forget_invite(invite)
        await interaction.response.edit_message(
            content=invite_closed_text(invite), view=None, allowed_mentions=NO_PINGS
        )


class LeaveQueueButton(StatefulButton, template=rf"fu:peer:leave:(?P<iid>{ID})"):
    """Leave the server's queue."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        entry = await svc.peer.invites.leave(int(self.state["iid"]), interaction.user.id)
        peer_driver(interaction).forget_invite(entry)
        await interaction.response.edit_message(content="You left the queue.", view=None)


class OpenPanelButton(StatefulButton, template=rf"fu:peer:panel:(?P<sid>{ID})"):
    """Opens the interviewer's panel, only for them, with a fresh interaction each time."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        state, half = await svc.peer.panel(int(self.state["sid"]), interaction.user.id)
        question = svc.peer.question(half.question_id)
        await send_ephemeral(
            interaction, embed=panel_embed(state, question), view=panel_view(state, question)
        )


async def _redraw(interaction: discord.Interaction, svc: Services, state: PeerSession) -> None:
    question = svc.peer.question(state.current.question_id)
    await interaction.response.edit_message(
        embed=panel_embed(state, question), view=panel_view(state, question)
    )


class TickButton(StatefulButton, template=rf"fu:peer:tick:{AT}:{PART}:(?P<i>[0-9])"):
    """Ticks or unticks one key point on the panel."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        sid, at = _at(self.state)
        probe, point, user = _probe(self.state["p"]), int(self.state["i"]), interaction.user.id
        total = svc.peer.points(await svc.peer.get(sid), probe)
        state = await svc.peer.change(
            sid, lambda s: session.toggle(s, user, at, probe, point, total)
        )
        await _redraw(interaction, svc, state)


class ShowButton(StatefulButton, template=rf"fu:peer:show:{AT}:{PART}"):
    """Shows the question itself or one of its probes, with that part's checklist."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        sid, at = _at(self.state)
        probe, user = _probe(self.state["p"]), interaction.user.id
        svc.peer.points(await svc.peer.get(sid), probe)  # a probe the question lacks: refused
        state = await svc.peer.change(sid, lambda s: session.show(s, user, at, probe))
        await _redraw(interaction, svc, state)


class NextQuestionButton(StatefulButton, template=rf"fu:peer:next:{AT}"):
    """Moves the panel to the half's next question."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        sid, at = _at(self.state)
        user = interaction.user.id
        state = await svc.peer.change(sid, lambda s: session.next_question(s, user, at))
        await _redraw(interaction, svc, state)


class SignalButton(
    StatefulButton, template=rf"fu:peer:signal:(?P<sid>{ID}):(?P<h>[01]):(?P<s>[0-3])"
):
    """A hire signal: opens the feedback form for the half."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        sid, half, signal = int(self.state["sid"]), int(self.state["h"]), int(self.state["s"])
        state, _ = await svc.peer.panel(sid, interaction.user.id)
        if state.half != half:
            raise UserError(session.STALE)
        await open_modal(interaction, feedback_modal(sid, half, signal))


class EndButton(StatefulButton, template=rf"fu:peer:end:(?P<sid>{ID})"):
    """Either member ends the session early."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        state = await svc.peer.end(int(self.state["sid"]), interaction.user.id)
        await interaction.response.defer()
        await peer_driver(interaction).present(state)


PEER_BUTTONS = (
    AcceptButton,
    DeclineButton,
    LeaveQueueButton,
    OpenPanelButton,
    TickButton,
    ShowButton,
    NextQuestionButton,
    SignalButton,
    EndButton,
)


def invite_view(invite: PeerInvite) -> discord.ui.View:
    """Accept and Decline under an invite."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        AcceptButton(f"fu:peer:accept:{invite.id}", "Accept", discord.ButtonStyle.success)
    )
    view.add_item(
        DeclineButton(f"fu:peer:decline:{invite.id}", "Decline", discord.ButtonStyle.secondary)
    )
    return view


def queue_view(entry: PeerInvite) -> discord.ui.View:
    """Leave the queue."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        LeaveQueueButton(f"fu:peer:leave:{entry.id}", "Leave the queue", discord.ButtonStyle.danger)
    )
    return view


def session_view(state: PeerSession) -> discord.ui.View:
    """Open my panel and End session, under each half's notice."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        OpenPanelButton(f"fu:peer:panel:{state.id}", "Open my panel", discord.ButtonStyle.primary)
    )
    view.add_item(EndButton(f"fu:peer:end:{state.id}", "End session", discord.ButtonStyle.danger))
    return view


def panel_view(state: PeerSession, question: Question) -> discord.ui.View:
    """The panel's buttons: a toggle per key point, the question and its probes, the next
    question, and the four hire signals that open the feedback form."""
    half = state.current
    at = f"{state.id}:{state.half}:{half.index}"
    part = MAIN if half.showing is None else str(half.showing)
    ticked = half.ticked(half.index, half.showing)
    view = discord.ui.View(timeout=None)
    for i, _ in enumerate(question.points(half.showing)[: 5 * POINT_ROWS]):
        on = i in ticked
        label = f"✓ {i + 1}" if on else f"{i + 1}"
        style = discord.ButtonStyle.success if on else discord.ButtonStyle.secondary
        view.add_item(TickButton(f"fu:peer:tick:{at}:{part}:{i}", label, style, row=i // 5))
    parts: list[tuple[str, str]] = [(MAIN, "Question")]
    parts += [(str(p), f"Probe {p + 1}") for p in range(min(len(question.probes), 3))]
    for key, label in parts:
        style = discord.ButtonStyle.primary if key == part else discord.ButtonStyle.secondary
        view.add_item(ShowButton(f"fu:peer:show:{at}:{key}", label, style, row=POINT_ROWS))
    if half.index + 1 < len(half.question_ids):
        view.add_item(
            NextQuestionButton(
                f"fu:peer:next:{at}", "Next question", discord.ButtonStyle.primary, row=POINT_ROWS
            )
        )
    for signal in range(len(SIGNALS)):
        style = discord.ButtonStyle.danger if signal < 2 else discord.ButtonStyle.success
        custom_id = f"fu:peer:signal:{state.id}:{state.half}:{signal}"
        view.add_item(SignalButton(custom_id, signal_label(signal), style, row=POINT_ROWS + 1))
    return view


def feedback_modal(session_id: int, half: int, signal: int) -> discord.ui.Modal:
    """The feedback form: the hire signal chosen on the panel, one thing done well, one to
    improve (the ticked key points come from the panel)."""
    modal = discord.ui.Modal(
        title=clip(f"Feedback · hire signal: {SIGNALS[signal]}", 45),
        custom_id=f"fu:m:peer:{session_id}:{half}:{signal}",
    )
    modal.add_item(
        discord.ui.TextDisplay(
            "The key points you ticked on the panel are the candidate's score. "
            "Sending this ends your half: then the roles swap."
        )
    )
    for custom_id, text in ((WELL, "One thing done well"), (IMPROVE, "One thing to improve")):
        modal.add_item(
            discord.ui.Label(
                text=text,
                component=discord.ui.TextInput(
                    custom_id=custom_id,
                    style=discord.TextStyle.paragraph,
                    max_length=1000,
                    required=True,
                ),
            )
        )
    return modal


async def feedback_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """Record the feedback, send the scorecard, and swap the roles (or end)."""
    svc = services_of(interaction.client)
    texts = tuple(v if isinstance(v, str) else "" for v in (values.get(WELL), values.get(IMPROVE)))
    state, card = await svc.peer.feedback(
        int(match["sid"]),
        interaction.user.id,
        int(match["h"]),
        int(match["s"]),
        (texts[0], texts[1]),
    )
    await send_ephemeral(interaction, f"Feedback sent to <@{card.feedback.candidate_id}>.")
    driver = peer_driver(interaction)
    await driver.scorecard(state, card)
    await driver.present(state)


PEER_MODALS = ((FEEDBACK_MODAL, feedback_submitted),)
