"""Self-test of the fake Discord: a real discord.py bot (pongbot) in a subprocess against it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakediscord import PONGBOT, BotProcess, CommandNotVisible, FakeDiscord

# The `fake` fixture (no unknown route, invalid payload or fake bug allowed) is in conftest.


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """pongbot, connected and with its commands synced."""
    process = BotProcess(fake, script=PONGBOT, log_path=tmp_path / "pongbot.log")
    await process.start()
    await process.wait_ready(sync=True)
    yield process
    if process.running:
        await process.kill()


async def test_commands_are_synced_and_readable(fake: FakeDiscord, bot: BotProcess) -> None:
    url = f"{fake.url}/api/v10/applications/{fake.bot.id}/commands"
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/json"
        commands = await resp.json()
    assert {c["name"] for c in commands} == {"ping", "modal", "counter", "dmme"}
    assert all(c["application_id"] == str(fake.bot.id) and c["id"] for c in commands)
    assert fake.command("ping") is not None


async def test_ping_answers_pong(fake: FakeDiscord, bot: BotProcess) -> None:
    result = await fake.user("alice").slash("ping")
    assert result.response_type == 4
    assert result.text == "pong"
    assert not result.ephemeral
    assert [m.text for m in fake.messages(fake.default_guild.system_channel)] == ["pong"]


async def test_modal_with_text_and_checkbox_group_round_trips(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    alice = fake.user("alice")
    shown = await alice.slash("modal")
    assert shown.response_type == 9 and shown.modal is not None
    assert [c["type"] for c in shown.modal.components] == [18, 18]
    result = await alice.submit_modal(shown.modal, {"answer": "use a TTL", "points": ["0", "2"]})
    assert result.ephemeral
    assert result.text == "answer=use a TTL points=0,2"
    with pytest.raises(ValueError, match="required"):
        await alice.submit_modal(shown.modal, {"answer": ""})


async def test_dynamic_button_survives_sigkill_and_restart(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    alice = fake.user("alice")
    counter = await alice.slash("counter")
    assert counter.message is not None
    assert (await alice.click(counter.message, "Count 0")).text == "count 1"
    await bot.kill()
    await bot.start()
    await bot.wait_ready(sync=True)
    after = await alice.click(counter.message, "Count 1")
    assert after.response_type == 7
    assert after.text == "count 2"
    assert fake.identify_count == 2


async def test_dm_is_echoed(fake: FakeDiscord, bot: BotProcess) -> None:
    alice = fake.user("alice")
    await alice.send_dm("hello there")
    reply = await alice.wait_dm()
    assert reply.text == "echo: hello there"
    assert reply.channel_id == alice.dm_channel.id


async def test_rate_limited_callback_and_server_error_are_survived(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    fake.fail_next("POST /interactions/*/callback", 429, retry_after=0.3)
    started = time.monotonic()
    result = await fake.user("alice").slash("ping")
    assert result.text == "pong"
    assert time.monotonic() - started >= 0.3
    statuses = [r.status for r in fake.requests_matching("POST /interactions/*/callback")]
    assert statuses == [429, 200]
    fake.fail_next("POST /channels/*/messages", 502)
    bob = fake.user("bob")
    await bob.send_dm("again")
    assert (await bob.wait_dm()).text == "echo: again"
    assert fake.stats()["faults"] == {429: 1, 502: 1}


async def test_gateway_reconnect_and_dropped_socket_resume(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    alice = fake.user("alice")
    assert await fake.gateway_reconnect() == 1
    await fake.wait_for(lambda: fake.resume_count == 1, what="RESUME after op 7")
    assert (await alice.slash("ping")).text == "pong"
    assert await fake.gateway_drop() == 1
    late = await alice.slash("ping")  # dispatched while the socket is down: replayed on RESUME
    assert late.text == "pong"
    await fake.wait_for(lambda: fake.resume_count == 2, what="RESUME after drop")
    assert await fake.gateway_invalid_session(resumable=True) == 1
    await fake.wait_for(lambda: fake.resume_count == 3, what="RESUME after op 9 true")
    assert (await alice.slash("ping")).text == "pong"
    assert fake.identify_count == 1


async def test_closed_dms_surface_as_403_50007(fake: FakeDiscord, bot: BotProcess) -> None:
    alice = fake.user("alice")
    fake.close_dms_for(alice)
    result = await alice.slash("dmme")
    assert result.text == "cannot DM you: 50007"
    assert [r.status for r in fake.requests_matching("POST /users/@me/channels")] == [200]
    assert [r.status for r in fake.requests_matching("POST /channels/*/messages")] == [403]
    fake.open_dms_for(alice)
    assert (await alice.slash("dmme")).text == "sent you a DM"
    assert (await alice.wait_dm()).text == "hello from pongbot"


async def test_invalid_payloads_get_discord_errors(fake: FakeDiscord) -> None:
    channel = fake.default_guild.system_channel
    assert channel is not None
    url = f"{fake.url}/api/v10/channels/{channel.id}/messages"
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"content": "x" * 2001}, headers=headers) as resp:
            assert resp.status == 400
            assert (await resp.json())["code"] == 50035
        async with session.post(url, json={"content": "hi"}) as resp:
            assert resp.status == 401
        async with session.get(f"{fake.url}/api/v10/nowhere", headers=headers) as resp:
            assert resp.status == 404
            assert await resp.json() == {"message": "404: Not Found", "code": 0}
    assert fake.unknown_routes == ["GET /nowhere"]
    fake.unknown_routes.clear()
    fake.validation_errors.clear()


async def test_driver_builds_what_a_client_sends(fake: FakeDiscord) -> None:
    fake.commands.overwrite(
        None,
        [
            {
                "name": "daily",
                "description": "Daily",
                "default_member_permissions": str(1 << 5),
                "options": [
                    {
                        "type": 2,
                        "name": "config",
                        "description": "Config",
                        "options": [
                            {
                                "type": 1,
                                "name": "set",
                                "description": "Set",
                                "options": [
                                    {
                                        "type": 7,
                                        "name": "channel",
                                        "description": "Where",
                                        "required": True,
                                    },
                                    {
                                        "type": 4,
                                        "name": "hour",
                                        "description": "Hour",
                                        "required": True,
                                        "min_value": 0,
                                        "max_value": 23,
                                    },
                                    {"type": 5, "name": "enabled", "description": "On"},
                                    {"type": 8, "name": "role", "description": "Role"},
                                ],
                            }
                        ],
                    }
                ],
            },
        ],
    )
    guild = fake.default_guild
    target = guild.channel("interviews")
    with pytest.raises(CommandNotVisible):
        await fake.user("alice").slash(
            "daily config set", wait="none", options={"channel": target}, hour=9
        )
    admin = fake.user("admin", manage_guild=True)
    with pytest.raises(ValueError, match="min_value"):
        await admin.slash("daily config set", wait="none", options={"channel": target}, hour=30)
    result = await admin.slash(
        "daily config set",
        wait="none",
        options={"channel": target},
        hour=9,
        enabled=False,
        role="Managers",
    )
    payload = result.interaction.payload
    assert payload["member"]["permissions"] == str(guild.permissions_of(admin.member))
    [group] = payload["data"]["options"]
    [sub] = group["options"]
    assert (group["type"], sub["type"], sub["name"]) == (2, 1, "set")
    assert [(o["name"], o["value"]) for o in sub["options"]] == [
        ("channel", str(target.id)),
        ("hour", 9),
        ("enabled", False),
        ("role", str(guild.manager_role_id)),
    ]
    assert str(target.id) in payload["data"]["resolved"]["channels"]
