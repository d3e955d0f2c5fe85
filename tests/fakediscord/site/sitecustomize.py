"""Points discord.py at the fake Discord when ``FAKE_DISCORD_URL`` is set.

Put this folder first on PYTHONPATH of the bot process only (``BotProcess`` does). Nothing of the
bot is modified: only ``discord.http.Route.BASE`` (REST, callbacks, webhooks) and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` are redirected.
"""

import os
import sys


def _redirect(url: str) -> None:
    import yarl
    from discord import gateway, http

    base = url.rstrip("/")
    http.Route.BASE = f"{base}/api/v10"
    ws = "ws" + base[len("http") :] if base.startswith("http") else base
    gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{ws}/gateway")


_URL = os.environ.get("FAKE_DISCORD_URL")
if _URL:
    try:
        _redirect(_URL)
    except Exception as exc:  # never let a bot under test talk to the real Discord
        sys.stderr.write(f"fakediscord sitecustomize: cannot redirect discord.py: {exc!r}\n")
        os._exit(97)
