"""``UserDriver`` acts as a Discord user against the bot; ``InteractionResult`` is its answer."""

# A ``timeout`` argument on waits is this test API's convention.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from .build import (
    check_visible,
    command_data,
    interaction_channel,
    new_interaction,
    upload,
)
from .httputil import UploadedFile
from .messages import FakeMessage
from .models import FakeChannel, FakeGuild, FakeMember, FakeModal, FakeUser
from .state import FakeInteraction
from .submit import find_button, find_select, modal_components, select_values

if TYPE_CHECKING:
    from .server import FakeDiscord

Wait = Literal["none", "response", "final"]


class InteractionFailed(AssertionError):
    """The bot's answer to an interaction was rejected by the fake (e.g. 10062, 40060, 50035)."""


class InteractionResult:
    """The bot's response to one interaction; attributes read the live state."""

    def __init__(self, fake: FakeDiscord, interaction: FakeInteraction) -> None:
        self.fake = fake
        self.interaction = interaction

    def __repr__(self) -> str:
        return (
            f"<InteractionResult type={self.response_type} ephemeral={self.ephemeral} "
            f"text={self.text[:80]!r}>"
        )

    @property
    def response_type(self) -> int | None:
        """Callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal."""
        return self.interaction.response_type

    @property
    def message(self) -> FakeMessage | None:
        """The original response (for 6/7: the message the component is on)."""
        return self.fake.state.messages.get(self.interaction.original_id or 0)

    @property
    def followups(self) -> list[FakeMessage]:
        """Followup messages (not deleted), in order."""
        msgs = (self.fake.state.messages[i] for i in self.interaction.followup_ids)
        return [m for m in msgs if not m.deleted]

    @property
    def messages(self) -> list[FakeMessage]:
        """Original response (if a message) plus followups."""
        first = [self.message] if self.message is not None and not self.message.deleted else []
        return first + self.followups

    @property
    def text(self) -> str:
        """All text of the original and the followups."""
        return "\n".join(m.text for m in self.messages)

    @property
    def ephemeral(self) -> bool:
        """Whether the original response is ephemeral."""
        return bool(self.message and self.message.ephemeral)

    @property
    def modal(self) -> FakeModal | None:
        """The modal shown, for callback type 9."""
        return self.interaction.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices, for callback type 8."""
        return self.interaction.choices

    @property
    def errors(self) -> list[tuple[str, int, int]]:
        """Rejected calls on this interaction: (what, status, code)."""
        return self.interaction.errors

    async def wait(self, until: Wait = "final", timeout: float | None = None) -> InteractionResult:
        """Wait for the callback (``response``), and after a defer for the real answer (``final``:
        the @original edit or a followup)."""
        if until == "none":
            return self
        inter = self.interaction
        await self.fake.wait_for(
            lambda: inter.response_type is not None or inter.errors,
            timeout,
            f"a response to interaction {inter.id}",
        )
        if inter.response_type is None:
            raise InteractionFailed(f"the bot's response was rejected: {inter.errors}")
        if until == "final" and inter.response_type == 5:

            def answered() -> bool:
                msg = self.message
                return bool((msg and not msg.loading) or inter.followup_ids or inter.errors)

            await self.fake.wait_for(answered, timeout, f"the deferred answer to {inter.id}")
        return self

    async def wait_followup(self, n: int = 1, timeout: float | None = None) -> FakeMessage:
        """The ``n``-th followup (1-based)."""
        await self.fake.wait_for(lambda: len(self.followups) >= n, timeout, f"followup #{n}")
        return self.followups[n - 1]

    async def wait_edit(
        self, predicate: Callable[[FakeMessage], bool] | None = None, timeout: float | None = None
    ) -> FakeMessage:
        """The original message after its next edit (or once ``predicate`` holds)."""
        start = self.message.edits if self.message else 0

        def edited() -> FakeMessage | None:
            msg = self.message
            if msg is None:
                return None
            ok = predicate(msg) if predicate is not None else msg.edits > start
            return msg if ok else None

        return await self.fake.wait_for(edited, timeout, "an edit of the original response")


class UserDriver:
    """Acts as one Discord user: slash commands, autocomplete, clicks, selects, modals, DMs."""

    def __init__(self, fake: FakeDiscord, user: FakeUser, guild: FakeGuild) -> None:
        self.fake = fake
        self.user = user
        self.guild = guild
        self._seen_dms: set[int] = set()

    def __repr__(self) -> str:
        return f"<UserDriver {self.user.name} in {self.guild.name}>"

    @property
    def id(self) -> int:
        """The user id."""
        return self.user.id

    @property
    def name(self) -> str:
        """The user name."""
        return self.user.name

    @property
    def member(self) -> FakeMember:
        """The membership in the driver's guild."""
        return self.guild.members[self.user.id]

    def in_guild(self, guild: FakeGuild, *, manage_guild: bool = False) -> UserDriver:
        """The same user acting in another guild (joined if needed)."""
        return self.fake.user(self.user.name, guild, manage_guild=manage_guild)

    # -- application commands ---------------------------------------------------------------
    async def slash(
        self,
        command: str,
        channel: FakeChannel | None = None,
        *,
        dm: bool = False,
        options: dict[str, Any] | None = None,
        wait: Wait = "final",
        timeout: float | None = None,
        **kwargs: Any,
    ) -> InteractionResult:
        """Run ``/command`` (``"daily set"`` for subcommands) in ``channel`` (default: the guild's
        system channel; ``dm=True``: the DM with the bot) with typed options."""
        guild, channel = self._where(channel, dm)
        name, *path = command.split()
        cmd = check_visible(
            self.fake.commands.find(name, guild.id if guild else None), name, guild, self.user
        )
        data = command_data(self.fake, cmd, path, {**(options or {}), **kwargs}, guild)
        inter = new_interaction(self.fake, self.user, guild, channel, 2, data)
        return await InteractionResult(self.fake, inter).wait(wait, timeout)

    async def autocomplete(
        self,
        command: str,
        option: str,
        value: str = "",
        channel: FakeChannel | None = None,
        *,
        dm: bool = False,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while the user types ``value`` into ``option``."""
        guild, channel = self._where(channel, dm)
        name, *path = command.split()
        cmd = check_visible(
            self.fake.commands.find(name, guild.id if guild else None), name, guild, self.user
        )
        data = command_data(self.fake, cmd, path, {**kwargs, option: value}, guild, focused=option)
        inter = new_interaction(self.fake, self.user, guild, channel, 4, data)
        result = await InteractionResult(self.fake, inter).wait("response", timeout)
        return result.choices or []

    # -- components and modals --------------------------------------------------------------
    async def click(
        self,
        message: FakeMessage,
        label: str | None = None,
        *,
        custom_id: str | None = None,
        wait: Wait = "final",
        timeout: float | None = None,
    ) -> InteractionResult:
        """Click a button found by label or custom_id (classic rows and Components V2)."""
        button = find_button(self._visible(message), label, custom_id)
        data = {"custom_id": button["custom_id"], "component_type": 2, "id": button.get("id")}
        return await self._component(message, data, wait, timeout)

    async def select(
        self,
        message: FakeMessage,
        values: list[Any],
        *,
        custom_id: str | None = None,
        placeholder: str | None = None,
        wait: Wait = "final",
        timeout: float | None = None,
    ) -> InteractionResult:
        """Choose ``values`` in a select menu (string values, or users/roles/channels)."""
        select = find_select(self._visible(message), custom_id, placeholder)
        resolved: dict[str, dict[str, Any]] = {}
        chosen = select_values(self.fake, self._guild_of(message), select, values, resolved)
        data: dict[str, Any] = {
            "custom_id": select["custom_id"],
            "component_type": select["type"],
            "values": chosen,
            "id": select.get("id"),
        }
        if resolved:
            data["resolved"] = resolved
        return await self._component(message, data, wait, timeout)

    @property
    def modals(self) -> list[FakeModal]:
        """Modals shown to this user, oldest first."""
        return [m for m in self.fake.state.modals if m.user_id == self.user.id]

    async def wait_modal(self, timeout: float | None = None) -> FakeModal:
        """The latest modal shown to this user and not yet submitted."""

        def pending() -> FakeModal | None:
            return next((m for m in reversed(self.modals) if not m.submitted), None)

        return await self.fake.wait_for(pending, timeout, f"a modal for {self.user.name}")

    async def submit_modal(
        self,
        modal: FakeModal | None = None,
        values: dict[str, Any] | None = None,
        *,
        wait: Wait = "final",
        timeout: float | None = None,
    ) -> InteractionResult:
        """Submit a modal (default: the latest pending one) with values keyed by custom_id or
        label: str for text inputs, list for selects/checkbox groups, bool for a checkbox."""
        modal = modal or await self.wait_modal(timeout)
        if modal.user_id != self.user.id:
            raise ValueError("this modal was shown to another user")
        source = self.fake.state.messages.get(modal.source_message_id or 0)
        origin = self.fake.state.interactions[modal.interaction_id]
        channel = self.fake.state.channels[origin.channel_id]
        guild = self.fake.state.guilds.get(origin.guild_id or 0)
        comps, resolved = modal_components(self.fake, guild, modal, values or {})
        data: dict[str, Any] = {"custom_id": modal.custom_id, "components": comps}
        if resolved:
            data["resolved"] = resolved
        await self._settle(modal.settle_at)
        modal.submitted = True
        inter = new_interaction(self.fake, self.user, guild, channel, 5, data, source)
        return await InteractionResult(self.fake, inter).wait(wait, timeout)

    # -- messages ---------------------------------------------------------------------------
    @property
    def dm_channel(self) -> FakeChannel:
        """The DM channel with the bot (created if needed)."""
        return self.fake.state.dm_channel(self.user)

    async def send_dm(
        self, content: str, *, files: list[tuple[str, bytes]] | None = None
    ) -> FakeMessage:
        """Write to the bot in DM: MESSAGE_CREATE (needs the bot's DIRECT_MESSAGES intent)."""
        return self._post(self.dm_channel, content, files)

    async def send(
        self, channel: FakeChannel, content: str, *, files: list[tuple[str, bytes]] | None = None
    ) -> FakeMessage:
        """Write in a guild channel (content reaches the bot only with MESSAGE_CONTENT or an
        @mention of it)."""
        return self._post(channel, content, files)

    def dms(self, *, from_bot: bool = True) -> list[FakeMessage]:
        """Messages in the DM with the bot (only the bot's unless ``from_bot=False``)."""
        msgs = self.fake.messages(self.dm_channel)
        return [m for m in msgs if not from_bot or m.author.id == self.fake.bot.id]

    async def wait_dm(
        self,
        contains: str | None = None,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float | None = None,
    ) -> FakeMessage:
        """The next bot DM to this user not returned by an earlier ``wait_dm``."""

        def found() -> FakeMessage | None:
            for msg in self.dms():
                if (
                    msg.id not in self._seen_dms
                    and (contains is None or contains in msg.text)
                    and (predicate is None or predicate(msg))
                ):
                    self._seen_dms.add(msg.id)
                    return msg
            return None

        return await self.fake.wait_for(found, timeout, f"a DM to {self.user.name}")

    def visible_messages(self, channel: FakeChannel) -> list[FakeMessage]:
        """What this user sees in a channel: public messages plus their ephemerals."""
        return self.fake.state.visible_messages(channel.id, self.user.id)

    def ephemerals(self, channel: FakeChannel | None = None) -> list[FakeMessage]:
        """Ephemeral messages shown to this user (in one channel, or anywhere)."""
        return [
            m
            for m in self.fake.state.messages.values()
            if m.visible_to == self.user.id
            and not m.deleted
            and (channel is None or m.channel_id == channel.id)
        ]

    # -- internals --------------------------------------------------------------------------
    def _where(self, channel: FakeChannel | None, dm: bool) -> tuple[FakeGuild | None, FakeChannel]:
        return interaction_channel(
            self.fake, self.user, None if dm else self.guild, self.dm_channel if dm else channel
        )

    def _guild_of(self, message: FakeMessage) -> FakeGuild | None:
        return self.fake.state.guilds.get(message.guild_id or 0)

    def _visible(self, message: FakeMessage) -> FakeMessage:
        current = self.fake.state.messages.get(message.id, message)
        if current.deleted:
            raise LookupError(f"message {message.id} was deleted")
        if current.visible_to not in (None, self.user.id):
            raise LookupError(f"message {message.id} is ephemeral for another user")
        return current

    async def _settle(self, settle_at: float) -> None:
        delay = settle_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _component(
        self, message: FakeMessage, data: dict[str, Any], wait: Wait, timeout: float | None
    ) -> InteractionResult:
        current = self._visible(message)
        await self._settle(current.settle_at)
        channel = self.fake.state.channels[current.channel_id]
        guild = self._guild_of(current)
        if guild is not None:
            self.fake.state.add_member(self.user, guild)
        inter = new_interaction(self.fake, self.user, guild, channel, 3, data, current)
        return await InteractionResult(self.fake, inter).wait(wait, timeout)

    def _post(
        self, channel: FakeChannel, content: str, files: list[tuple[str, bytes]] | None
    ) -> FakeMessage:
        uploads = [UploadedFile(i, name, data, None) for i, (name, data) in enumerate(files or [])]
        return self.fake.state.create_message(channel, self.user, {"content": content}, uploads)


__all__ = ["InteractionFailed", "InteractionResult", "UserDriver", "upload"]
