"""End to end: owner-only admin commands, content reload, graceful shutdown, live backup."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.domain.content.loader import DEFAULT_CONTENT
from tests.conftest import HANG_GUARD, bot_process
from tests.fakediscord import BotProcess, CommandNotVisible, FakeDiscord
from tests.helpers import run_bot


@pytest.fixture
def own_content(tmp_path: Path, bot_config: Path) -> Path:
    """A private copy of the bank that the bot is configured to load."""
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    text = bot_config.read_text(encoding="utf-8")
    bot_config.write_text(
        text.replace("[bot]\n", f'[bot]\ncontent = "{content}"\n'), encoding="utf-8"
    )
    return content


async def test_admin_is_for_the_owner_and_reload_refuses_a_bad_bank(
    fake: FakeDiscord, own_content: Path, followup: BotProcess
) -> None:
    owner = fake.user("guild-owner")
    status = await owner.slash("admin status")
    assert status.ephemeral and "Guilds" in status.text and "Schedules" in status.text
    manager = fake.user("mia", manage_guild=True)
    with pytest.raises(CommandNotVisible):
        await manager.slash("admin status")
    fake.default_guild.open_commands.add("admin")
    refused = await manager.slash("admin status")
    assert "Only the bot's owner" in refused.text

    broken = sorted((own_content / "cache").glob("*.yaml"))[0]
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("difficulty:", "dificulty:", 1), encoding="utf-8")
    kept = await owner.slash("admin reload")
    assert "I kept the current one" in kept.text and "dificulty" in kept.text
    still = await owner.slash("followup", topic="cache")
    assert "Caching" in still.message.text
    broken.write_text(good, encoding="utf-8")
    (own_content / "cache" / broken.name).unlink()
    reloaded = await owner.slash("admin reload")
    assert "Reloaded" in reloaded.text
    gone = await owner.slash("followup", question=broken.stem)
    assert "No such question" in gone.text


async def test_sigterm_and_sigint_exit_cleanly(
    fake: FakeDiscord, tmp_path: Path, bot_config: Path
) -> None:
    for stop in ("terminate", "interrupt"):
        process = bot_process(fake, tmp_path, bot_config)
        await process.start()
        await process.wait_ready()
        await fake.user("alice").slash("followup", topic="cache")
        code = await getattr(process, stop)(timeout=60)  # a hang guard, not a measurement
        assert code == 0, process.log()
        assert "stopped" in process.log()
        # nothing was in flight, so the drain did not wait out its grace period
        assert "still running" not in process.this_run_log()
        assert not (tmp_path / "data" / "followup.sqlite3-wal").exists()  # closed cleanly


async def test_a_second_signal_exits_at_once(
    fake: FakeDiscord, tmp_path: Path, bot_config: Path
) -> None:
    process = bot_process(fake, tmp_path, bot_config)
    await process.start()
    await process.wait_ready()
    assert process.proc is not None
    fake.delay_next("POST /interactions/*/callback", 8.0)  # a command still in flight
    fake.interaction_deadline = None
    await fake.user("alice").slash("followup", topic="cache", wait="none")
    # the bot is now waiting on its (delayed) callback
    await fake.wait_for(lambda: fake.requests_matching("POST /interactions/*/callback"))
    process.proc.send_signal(signal.SIGTERM)
    await process.wait_log("shutting down")
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait(timeout=HANG_GUARD) == 1  # at once: not after the delayed call
    fake.clear_faults()


async def test_backup_while_running(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    alice = fake.user("alice")
    posted = await alice.slash("followup", topic="scale")
    revealed = await alice.click(posted.message, "Reveal key points")
    assert revealed.ephemeral
    target = tmp_path / "backups" / "copy.sqlite3"
    result = await asyncio.to_thread(run_bot, "--config", str(bot_config), "backup", str(target))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM attempts").fetchone() == (1,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
