"""A local fake Discord (REST API v10 + gateway) for end-to-end tests of a real discord.py bot.

Typical use::

    async with FakeDiscord() as fake:
        bot = BotProcess(fake, module="bot")
        await bot.start()
        await bot.wait_ready(sync=True)
        alice = fake.user("alice")
        result = await alice.slash("ping")
        assert result.text == "pong"
        await bot.kill()
"""

from .build import CommandNotVisible
from .driver import InteractionFailed, InteractionResult, UserDriver
from .messages import FakeMessage, message_text, walk_components
from .models import FakeAttachment, FakeChannel, FakeGuild, FakeModal, FakeRole, FakeUser
from .process import PONGBOT, BotExited, BotProcess
from .server import FakeDiscord
from .state import FakeInteraction

__all__ = [
    "PONGBOT",
    "BotExited",
    "BotProcess",
    "CommandNotVisible",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMessage",
    "FakeModal",
    "FakeRole",
    "FakeUser",
    "InteractionFailed",
    "InteractionResult",
    "UserDriver",
    "message_text",
    "walk_components",
]
