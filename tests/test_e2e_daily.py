"""End to end: daily questions through the real bot process and the fake Discord."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import bot_process, poll
from tests.fakediscord import BotProcess, CommandNotVisible, FakeDiscord


def database(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "followup.sqlite3")


def daily_messages(fake: FakeDiscord, channel: object) -> list:
    return [m for m in fake.messages(channel) if "Daily question" in m.text]


async def restart(fake: FakeDiscord, tmp_path: Path, config: Path) -> BotProcess:
    process = bot_process(fake, tmp_path, config)
    await process.start()
    await process.wait_ready()
    return process


async def test_only_server_managers_change_schedules(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    channel = fake.default_guild.channel("interviews")
    bob = fake.user("bob")
    with pytest.raises(CommandNotVisible):
        await bob.slash(
            "daily set", options={"channel": channel}, time="09:00", timezone="Europe/Berlin"
        )
    fake.default_guild.open_commands.add("daily")  # an admin opened it to everyone
    refused = await bob.slash(
        "daily set", options={"channel": channel}, time="09:00", timezone="Europe/Berlin"
    )
    assert refused.ephemeral and "Manage Guild permission" in refused.text
    assert daily_messages(fake, channel) == []


async def test_bad_values_are_explained(fake: FakeDiscord, followup: BotProcess) -> None:
    admin = fake.user("ada", manage_guild=True)
    channel = fake.default_guild.channel("interviews")
    bad_time = await admin.slash(
        "daily set", options={"channel": channel}, time="25:00", timezone="Europe/Berlin"
    )
    assert "24-hour HH:MM" in bad_time.text
    bad_zone = await admin.slash(
        "daily set", options={"channel": channel}, time="09:00", timezone="Europe/Berln"
    )
    assert "Did you mean Europe/Berlin" in bad_zone.text
    bad_topic = await admin.slash(
        "daily set",
        options={"channel": channel},
        time="09:00",
        timezone="UTC",
        topics="cache,mesaging",
    )
    assert "Did you mean messaging" in bad_topic.text
    zones = await admin.autocomplete("daily set", "timezone", "berl")
    assert [z["value"] for z in zones] == ["Europe/Berlin"]
    # CHANNEL_UPDATE goes out before the command's INTERACTION_CREATE on the same socket, and
    # the bot handles gateway events in order: no wait needed.
    fake.forbid_channel(channel)
    forbidden = await admin.slash(
        "daily set", options={"channel": channel}, time="09:00", timezone="UTC"
    )
    assert "missing Send Messages" in forbidden.text


async def test_posts_once_at_its_time_and_not_again_after_kill(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    channel = fake.default_guild.channel("interviews")
    now = datetime.now(UTC)
    due = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (due - now).total_seconds() < 5:
        due += timedelta(minutes=1)
    result = await admin.slash(
        "daily set",
        options={"channel": channel},
        time=due.strftime("%H:%M"),
        timezone="UTC",
        topics="cache,messaging",
    )
    assert "Daily question set" in result.text and result.ephemeral
    shown = await admin.slash("daily show")
    assert due.strftime("%H:%M") in shown.text and "<t:" in shown.text
    wait = (due - datetime.now(UTC)).total_seconds() + 20
    message = await fake.wait_for_message(channel, contains="Daily question", timeout=wait)
    assert message.button_labels() == ["Answer", "Reveal key points", "Another question"]
    thread = await fake.wait_for_request(f"POST /channels/{channel.id}/messages/*/threads")
    assert thread.status in (200, 201)
    await followup.kill()  # right after the post
    again = await restart(fake, tmp_path, bot_config)
    try:
        await again.wait_log("start-up catch-up done")
        assert len(daily_messages(fake, channel)) == 1
        with database(tmp_path) as db:
            rows = db.execute("SELECT status, message_id FROM daily_posts").fetchall()
        assert rows == [("posted", message.id)]
    finally:
        await again.kill()


async def test_missed_post_is_made_once_after_restart(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    channel = fake.default_guild.channel("interviews")
    await admin.slash("daily set", options={"channel": channel}, time="00:00", timezone="UTC")
    await followup.kill()
    earlier = datetime.now(UTC) - timedelta(minutes=30)
    with database(tmp_path) as db:  # the schedule existed before today's time passed
        db.execute(
            "UPDATE schedules SET post_time = ?, created_at = ?",
            (earlier.strftime("%H:%M"), (earlier - timedelta(days=2)).isoformat()),
        )
    if earlier.date() != datetime.now(UTC).date():
        pytest.skip("too close to midnight UTC for a same-day catch-up")
    for _ in range(2):
        process = await restart(fake, tmp_path, bot_config)
        await fake.wait_for(
            lambda: len(daily_messages(fake, channel)) >= 1, what="the catch-up post"
        )
        await process.wait_log("start-up catch-up done")
        await process.kill()
    assert len(daily_messages(fake, channel)) == 1


async def test_lost_permission_pauses_and_tells_the_admin(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    channel = fake.default_guild.channel("interviews")
    await admin.slash("daily set", options={"channel": channel}, time="00:00", timezone="UTC")
    preview = await admin.slash("daily preview", options={"channel": channel})
    assert "Posted a preview" in preview.text
    twice = await admin.slash("daily preview", options={"channel": channel})
    assert "already posted" in twice.text
    await followup.kill()
    earlier = datetime.now(UTC) - timedelta(minutes=30)
    if earlier.date() != datetime.now(UTC).date():
        pytest.skip("too close to midnight UTC for a same-day catch-up")
    with database(tmp_path) as db:
        db.execute(
            "UPDATE schedules SET post_time = ?, created_at = ?",
            (earlier.strftime("%H:%M"), (earlier - timedelta(days=2)).isoformat()),
        )
    fake.forbid_channel(channel)
    process = await restart(fake, tmp_path, bot_config)
    try:
        notice = await admin.wait_dm(contains="paused")
        assert "/daily resume" in notice.text
        shown = await admin.slash("daily show")
        assert "paused" in shown.text
    finally:
        await process.kill()


async def test_removing_the_bot_forgets_the_servers_schedules(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    for name in ("general", "interviews"):
        channel = fake.default_guild.channel(name)
        await admin.slash("daily set", options={"channel": channel}, time="09:00", timezone="UTC")
    with database(tmp_path) as db:
        assert db.execute("SELECT COUNT(*) FROM schedules").fetchone() == (2,)
    await fake.remove_bot(fake.default_guild)

    def schedules_left() -> int:
        with database(tmp_path) as db:
            return db.execute("SELECT COUNT(*) FROM schedules").fetchone()[0]

    await poll(lambda: schedules_left() == 0, within=10, what="schedules removed")
