"""The fault suite: Discord misbehaves and the host dies, and every promise still holds.

After each scenario: every scheduled post made exactly once, every acknowledged answer and
grade in the store, every round resumable. The counts are printed at the end of the run.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import FAULT_REPORT, bot_process, poll
from tests.fakediscord import BotProcess, FakeDiscord
from tests.test_e2e_mock import answer, grade_all

CHANNELS = 30


def db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "followup.sqlite3")


def seed_due_schedules(fake: FakeDiscord, tmp_path: Path, count: int) -> list:
    """`count` channels whose daily post was due 10 minutes ago (the bot is down)."""
    guild = fake.default_guild
    channels = [fake.add_channel(guild, f"practice-{i}") for i in range(count)]
    now = datetime.now(UTC)
    # Ten minutes ago, but never yesterday: the catch-up only makes posts of the current day.
    due = max(now - timedelta(minutes=10), now.replace(hour=0, minute=0, second=0))
    created = (due - timedelta(days=1)).isoformat()
    with db(tmp_path) as conn:
        conn.executemany(
            "INSERT INTO schedules (guild_id, channel_id, post_time, timezone, topics, "
            "use_thread, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, 'UTC', '', 1, 1, ?, ?)",
            [(guild.id, ch.id, due.strftime("%H:%M"), created, created) for ch in channels],
        )
    return channels


def daily_counts(fake: FakeDiscord, channels: list) -> Counter[int]:
    return Counter(
        ch.id for ch in channels for m in fake.messages(ch) if "Daily question" in m.text
    )


def record(
    name: str,
    fake: FakeDiscord,
    posts: int = 0,
    losses: int = 0,
    duplicates: int = 0,
    kills: int = 0,
    gateway: int = 0,
) -> None:
    """Add a scenario's counts: HTTP faults and delays the fake injected, plus kill -9s and
    gateway faults the test caused."""
    faults = sum(fake.stats()["faults"].values()) + fake.stats()["delays"] + kills + gateway
    FAULT_REPORT.append((name, faults, posts, losses, duplicates))


async def restart(fake: FakeDiscord, tmp_path: Path, config: Path) -> BotProcess:
    process = bot_process(fake, tmp_path, config)
    await process.start()
    await process.wait_ready()
    return process


def posted_rows(tmp_path: Path) -> int:
    with db(tmp_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM daily_posts WHERE status = 'posted'").fetchone()[
            0
        ]


async def check_every_channel_posted_once(
    fake: FakeDiscord,
    process: BotProcess,
    tmp_path: Path,
    channels: list,
    name: str,
    kills: int = 0,
) -> None:
    """Wait until the bot's ledger says every post went out and its start-up catch-up is over
    (after that nothing would send again), then count what users see, record, assert."""
    try:
        await process.wait_log("start-up catch-up done", timeout=120)
        await poll(lambda: posted_rows(tmp_path) == len(channels), 60, "every post in the ledger")
        counts = daily_counts(fake, channels)
    finally:
        await process.kill()
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(channels) - len(counts)
    record(
        name, fake, posts=sum(counts.values()), losses=missing, duplicates=duplicates, kills=kills
    )
    assert missing == 0 and duplicates == 0


async def fan_out_under(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, config: Path, name: str, inject: object
) -> None:
    await followup.kill()
    channels = seed_due_schedules(fake, tmp_path, CHANNELS)
    inject()  # type: ignore[operator]  # before the start: the fan-out meets every fault
    process = await restart(fake, tmp_path, config)
    await check_every_channel_posted_once(fake, process, tmp_path, channels, name)


async def test_fan_out_through_a_global_429_storm(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    await fan_out_under(
        fake,
        followup,
        tmp_path,
        bot_config,
        "daily fan-out, 429 storm",
        # Four global 429s: discord.py gives a request 5 tries, so even if all four land on
        # one post it still goes out now (five would make the bot retry it minutes later).
        lambda: fake.rate_limit_storm(
            requests=4, retry_after=0.5, pattern="POST /channels/*/messages"
        ),
    )
    assert fake.stats()["faults"][429] == 4


async def test_fan_out_through_route_429s_and_a_5xx_burst(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    def inject() -> None:
        # discord.py makes 5 tries per request: at most 4 faults can meet one request, so
        # every post and thread still goes through, whichever requests the faults land on.
        fake.fail_next("POST /channels/*/messages", status=429, retry_after=0.3, count=3)
        fake.outage(requests=1, status=500, pattern="POST /channels/*/messages")
        fake.outage(requests=4, status=502, pattern="POST /channels/*/threads")

    await fan_out_under(fake, followup, tmp_path, bot_config, "daily fan-out, 429 + 5xx", inject)
    assert fake.stats()["faults"] == {429: 3, 500: 1, 502: 4}


async def test_kill_during_a_fan_out_posts_each_once(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    await followup.kill()
    channels = seed_due_schedules(fake, tmp_path, CHANNELS)
    fake.delay_next("POST /channels/*/messages", 0.3, count=CHANNELS)
    process = await restart(fake, tmp_path, bot_config)
    await fake.wait_for(
        lambda: len(daily_counts(fake, channels)) >= 3, what="the fan-out under way"
    )
    await process.kill()  # mid fan-out
    again = await restart(fake, tmp_path, bot_config)
    await check_every_channel_posted_once(
        fake, again, tmp_path, channels, "daily fan-out, kill -9", kills=1
    )


async def test_mock_round_through_429s_and_gateway_faults(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    alice = fake.user("alice")
    await alice.slash("mock start", questions=2, minutes=8)
    first = await alice.wait_dm(contains="Question 1 of 2")
    storm = fake.rate_limit_storm(requests=3, retry_after=0.5, pattern="POST /channels/*")
    await answer(alice, "Part one under a storm.")
    await fake.gateway_reconnect()
    await answer(alice, "Part two after a reconnect.")
    resumes = fake.resume_count
    await fake.gateway_invalid_session(True)
    await fake.wait_for(lambda: fake.resume_count > resumes, what="the resume")
    await alice.click(first, "Done")
    await grade_all(alice)
    await fake.gateway_drop()
    await fake.wait_for(lambda: fake.resume_count >= 2, what="resumes")
    second = await alice.wait_dm(contains="Question 2 of 2")
    await answer(alice, "The last answer.")
    await alice.click(second, "Done")
    await grade_all(alice)
    await alice.wait_dm(contains="Scorecard")
    with db(tmp_path) as conn:
        answers = [r[0] for r in conn.execute("SELECT answer FROM attempts ORDER BY id")]
    assert "Part one under a storm.\nPart two after a reconnect." in answers
    record(
        "mock round, 429 storm + RECONNECT + INVALID_SESSION + drop",
        fake,
        losses=2 - len(answers),
        gateway=3,
    )
    assert len(answers) == 2
    assert storm.count == 0  # the whole storm met the round


async def test_login_through_a_429_storm(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    await followup.kill()
    # discord.py gives up on a request after 5 tries, so 5 global 429s on the login request
    # fail that login for certain: the bot must log it and try again.
    fake.rate_limit_storm(requests=5, retry_after=0.2, pattern="GET /users/@me")
    process = await restart(fake, tmp_path, bot_config)
    try:
        posted = await fake.user("alice").slash("followup", topic="cache")
        assert "Caching" in posted.message.text
        assert "login failed" in process.log(tail=None)  # DEBUG logs push it past 60 lines
        assert "Unclosed" not in process.log(tail=None)
    finally:
        await process.kill()
    record("login, global 429 storm", fake)


async def test_kill_right_after_a_grade_keeps_it(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    alice = fake.user("alice")
    posted = await alice.slash("followup", topic="reliability")
    modal = (await alice.click(posted.message, "Answer")).modal
    saved = await alice.submit_modal(modal, {"answer": "Timeouts, retries with jitter."})
    checklist = (await alice.click(saved.message, "Grade myself")).modal
    await alice.submit_modal(checklist, {"points": ["0", "2"]})  # acknowledged to the user
    await followup.kill()
    with db(tmp_path) as conn:
        rows = conn.execute("SELECT answer, covered FROM attempts").fetchall()
    assert rows == [("Timeouts, retries with jitter.", "[0, 2]")]
    record("grade, kill -9 right after", fake, losses=0, kills=1)


async def test_kill_mid_round_then_resume(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    alice = fake.user("alice")
    await alice.slash("mock start", questions=1, minutes=8)
    first = await alice.wait_dm(contains="Question 1 of 1")
    await answer(alice, "Before the crash.")
    await alice.click(first, "Done")
    await alice.wait_dm(contains="Grade yourself")
    await followup.kill()
    process = await restart(fake, tmp_path, bot_config)
    try:
        await grade_all(alice)  # the resumed prompt's button works
        await alice.wait_dm(contains="Scorecard")
    finally:
        await process.kill()
    record("mock round, kill -9 while grading", fake, losses=0, kills=1)
