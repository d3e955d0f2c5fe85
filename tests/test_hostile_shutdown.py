"""SIGTERM and SIGINT at awkward moments: the bot exits 0 at once, cleanly, losing nothing.

Each case holds the bot inside one phase with a count-based fault of the fake Discord, waits
until it is certainly there (its own log line, or the held request having arrived), signals,
and checks the exit status, the log, and that the bot did not wait out what it was stuck on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import bot_process, poll
from tests.fakediscord import BotProcess, FakeDiscord
from tests.test_e2e_faults import (
    CHANNELS,
    check_every_channel_posted_once,
    daily_counts,
    restart,
    seed_due_schedules,
)

GUARD = 20.0  # seconds: only against a hang; a clean stop takes well under 5


def this_run(process: BotProcess) -> str:
    """The log of the process's latest start only."""
    return process.log(tail=None).rsplit("=== start #", 1)[-1]


async def wait_for_log(process: BotProcess, text: str) -> None:
    """Until the bot logged text (or died, which fails the test with its log)."""
    await poll(lambda: text in this_run(process) or not process.running, GUARD * 3, repr(text))
    assert process.running, this_run(process)


async def stop_cleanly(process: BotProcess, how: str) -> str:
    """Signal (terminate: SIGTERM, interrupt: SIGINT); exit 0, a clean log. Returns the log."""
    code = await getattr(process, how)(timeout=GUARD)
    log = this_run(process)
    assert code == 0, log[-4000:]
    assert "Traceback" not in log, log[-4000:]
    assert "Unclosed" not in log, log[-4000:]
    assert "shutting down" in log and "INFO bot.launch: stopped" in log, log[-2000:]
    return log


def sharded(config: Path) -> Path:
    """The same config, run as the sharded bot (which asks Discord for its gateway limits)."""
    config.write_text(config.read_text(encoding="utf-8") + "shard_count = 1\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("how", ["terminate", "interrupt"])
async def test_signal_during_the_login_backoff(
    fake: FakeDiscord, tmp_path: Path, bot_config: Path, how: str
) -> None:
    fake.fail_next("GET /users/@me", status=503, count=50)
    process = bot_process(fake, tmp_path, bot_config)
    await process.start()
    await wait_for_log(process, "retrying in 8 s")  # the third try failed; now an 8 s sleep
    tries = len(fake.requests_matching("GET /users/@me"))
    await stop_cleanly(process, how)
    assert len(fake.requests_matching("GET /users/@me")) == tries  # the sleep was cut short


async def test_signal_during_the_command_sync(
    fake: FakeDiscord, tmp_path: Path, bot_config: Path
) -> None:
    held = fake.delay_next("PUT /applications/*/commands", 120.0)
    process = bot_process(fake, tmp_path, bot_config)
    await process.start()
    await poll(lambda: held.count == 0, GUARD * 3, "the command sync to arrive")
    await stop_cleanly(process, "terminate")
    (sync,) = fake.requests_matching("PUT /applications/*/commands")
    assert sync.status == 0  # still held by the fake: the bot did not wait for the answer


async def test_signal_while_connecting(fake: FakeDiscord, tmp_path: Path, bot_config: Path) -> None:
    held = fake.delay_next("GET /gateway/bot", 120.0)
    process = bot_process(fake, tmp_path, sharded(bot_config))
    await process.start()
    await poll(lambda: held.count == 0, GUARD * 3, "the gateway request to arrive")
    await stop_cleanly(process, "interrupt")
    assert fake.identify_count == 0
    assert [r.status for r in fake.requests_matching("GET /gateway/bot")] == [0]


async def test_signal_during_a_fan_out_loses_no_post(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    await followup.kill()
    channels = seed_due_schedules(fake, tmp_path, CHANNELS)
    fake.delay_next("POST /channels/*/messages", 0.3, count=CHANNELS)
    process = await restart(fake, tmp_path, bot_config)
    await fake.wait_for(
        lambda: len(daily_counts(fake, channels)) >= 3, timeout=GUARD, what="the fan-out under way"
    )
    await stop_cleanly(process, "terminate")
    assert len(daily_counts(fake, channels)) < CHANNELS  # the signal came mid fan-out
    again = await restart(fake, tmp_path, bot_config)  # the rest is caught up, none twice
    await check_every_channel_posted_once(fake, again, tmp_path, channels, "daily fan-out, SIGTERM")
