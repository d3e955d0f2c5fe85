"""Daily fan-out: many channels due at the same minute, against real 429s and a global 50/s.

The fake runs with ``ratelimits="enforce"``; guilds and channels exist before the bot connects;
the schedules are written into the bot's database through the store (migrated as the bot
migrates it) before it starts, all due at the next whole UTC minute at least ``--lead``
seconds ahead, created a day earlier, with a thread each. Then the real bot starts with its
default pace (``daily.posts_per_second`` = 40) and we wait until every post is made.

Baseline (same run): the REST requests the fan-out made / 40 per second, i.e. the time a perfect
40/s pace needs. Targets: total time from the due minute to the last post ≤ 1.2 × baseline,
0 duplicates, 0 missing, 0 responses of 429.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import (
    Report,
    add_log_evidence,
    bot_process,
    finish,
    ratio,
    secs,
    started,
    tree_state,
    write_config,
)
from bot.core.config import DailySettings
from bot.store import Store
from bot.store.db import to_text
from tests.fakediscord import FakeDiscord
from tests.fakediscord.api import RequestRecord

POSTING = (
    "/channels/{channel_id}/messages",
    "/channels/{channel_id}/messages/{message_id}/threads",
)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (sizes default to the issue's)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--channels", type=int, default=2000, help="text channels due at once")
    parser.add_argument("--per-guild", type=int, default=50, help="channels per guild")
    parser.add_argument(
        "--lead",
        type=float,
        default=25.0,
        help="the due minute is at least this many seconds after set-up",
    )
    parser.add_argument(
        "--trigger",
        choices=("cron", "catchup"),
        default="cron",
        help="cron: due at the next minute (the real fan-out); catchup: due a "
        "minute ago, posted by the start-up catch-up (no minute to wait)",
    )
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=1.2,
        help="target: total time / (requests / 40 per s) at most this",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 100 channels through the catch-up trigger"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.channels, args.trigger = 100, "catchup"
    return args


def create_world(fake: FakeDiscord, channels: int, per_guild: int) -> list[tuple[int, int]]:
    """Guilds with ``per_guild`` text channels each; (guild id, channel id) of ``channels``."""
    out: list[tuple[int, int]] = []
    for g in range(math.ceil(channels / per_guild)):
        count = min(per_guild, channels - len(out))
        guild = fake.add_guild(
            f"fanout-{g}", channels=tuple(f"daily-{c}" for c in range(count)), system_channel=None
        )
        out += [(guild.id, ch.id) for ch in guild.text_channels]
    return out[:channels]


async def write_schedules(
    location: str, targets: list[tuple[int, int]], post_time: str, creator: int, now: datetime
) -> None:
    """The bot's migrations as the bot applies them, then one schedule per channel."""
    store = await Store.open(location)
    created = to_text(now - timedelta(days=1))
    try:
        async with store.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO schedules (guild_id, channel_id, post_time, timezone, topics, "
                "role_id, use_thread, paused, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, 'UTC', '', NULL, 1, 0, ?, ?, ?)",
                [(gid, cid, post_time, creator, created, created) for gid, cid in targets],
            )
    finally:
        await store.close()


async def post_statuses(location: str) -> dict[str, int]:
    """The ledger's daily posts by status."""
    store = await Store.open(location)
    try:
        return await store.daily_posts.count_by_status()
    finally:
        await store.close()


def next_minute(now: datetime, lead: float) -> datetime:
    """The first whole minute at least ``lead`` seconds after ``now``."""
    earliest = now + timedelta(seconds=lead)
    due = earliest.replace(second=0, microsecond=0)
    return due if due >= earliest else due + timedelta(minutes=1)


def tally(fake: FakeDiscord, channels: list[int]) -> tuple[int, int, int]:
    """(channels with a post, channels whose post has a thread, channels with more than one)."""
    posted = threaded = duplicated = 0
    for cid in channels:
        msgs = [
            m
            for m in fake.state.channel_messages.get(cid, ())
            if m.author.id == fake.bot.id and not m.deleted
        ]
        posted += bool(msgs)
        threaded += any(m.thread_id is not None for m in msgs)
        duplicated += len(msgs) > 1
    return posted, threaded, duplicated


async def wait_fan_out(fake: FakeDiscord, channels: list[int], start: float) -> None:
    """Until every channel has its post and thread, or nothing moved for 30 s."""
    expected = 2 * len(channels) / DailySettings().posts_per_second
    deadline = max(start, time.time()) + 2.5 * expected + 30
    last_change, seen = max(time.time(), start), 0
    while time.time() < deadline and time.time() - last_change < 30:
        posted, threaded, _ = tally(fake, channels)
        if posted == threaded == len(channels):
            break
        if len(fake.requests) != seen:
            seen, last_change = len(fake.requests), max(time.time(), start)
        progress(start, posted, threaded, len(channels))
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # late duplicates would show up now


def progress(start: float, posted: int, threaded: int, total: int) -> None:
    """A progress line on stderr every 10 s."""
    now = time.time()
    if int(now * 2) % 20 == 0:
        print(
            f"  fanout: {now - start:+.0f} s from due, {posted}/{total} posted, {threaded} threads",
            file=sys.stderr,
            flush=True,
        )


async def measure(args: argparse.Namespace) -> Report:
    """Set up the world and the schedules, run the bot, wait for the fan-out, count."""
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        folder = Path(tmp)
        async with FakeDiscord(seed=False, ratelimits="enforce") as fake:
            targets = create_world(fake, args.channels, args.per_guild)
            channels = [cid for _, cid in targets]
            now = datetime.now(UTC)
            if args.trigger == "cron":
                due = next_minute(now, args.lead)
            else:
                if now.hour == 0 and now.minute == 0:  # yesterday's 23:59 would not be due
                    await asyncio.sleep(61 - now.second)
                    now = datetime.now(UTC)
                due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
            database = str(folder / "data" / "followup.sqlite3")
            await write_schedules(
                database, targets, due.strftime("%H:%M"), fake.state.owner.id, now
            )
            process = bot_process(fake, folder, write_config(folder))
            async with started(process):
                await process.wait_ready(sync=True, timeout=60)
                ready = time.time()
                start = due.timestamp() if args.trigger == "cron" else ready
                await wait_fan_out(fake, channels, start)
            statuses = await post_statuses(database)
            report = _report(args, fake, channels, start, ready, due, statuses)
            add_log_evidence(report, "followup bot", folder / "bot.log")
            log = (folder / "bot.log").read_text(errors="replace")
            report.notes.append(
                f"bot log: {log.count('daily posted')} 'daily posted' lines, "
                f"{log.count('was missed by')} APScheduler misfires"
            )
            return report


def thread_lag(posts: list[RequestRecord]) -> float:
    """The longest time between a channel's message being sent and its thread being opened."""
    sent: dict[str, float] = {}
    lag = math.nan
    for rec in sorted(posts, key=lambda r: r.time):
        channel = rec.path.split("/")[2]
        if rec.route == POSTING[0]:
            sent.setdefault(channel, rec.time + rec.duration)
        elif channel in sent:
            gap = rec.time - sent[channel]
            lag = gap if math.isnan(lag) else max(lag, gap)
    return lag


def _report(
    args: argparse.Namespace,
    fake: FakeDiscord,
    channels: list[int],
    start: float,
    ready: float,
    due: datetime,
    statuses: dict[str, int],
) -> Report:
    pace = DailySettings().posts_per_second
    window: list[RequestRecord] = [r for r in fake.requests if r.time >= start]
    if args.trigger == "catchup":  # no due instant: count from the first post request
        start = min((r.time for r in window), default=start)
    kinds = Counter(f"{r.method} {r.route}" for r in window)
    posts = [r for r in window if r.method == "POST" and r.route in POSTING and r.status < 300]
    last = max((r.time + r.duration for r in posts), default=float("nan"))
    first = min((r.time for r in window), default=float("nan"))
    total, baseline = last - start, len(window) / pace
    posted, threaded, duplicated = tally(fake, channels)
    limited = sum(1 for r in window if r.status == 429)
    report = Report(
        "fanout",
        f"{len(channels)} channels due at once "
        f"({math.ceil(len(channels) / args.per_guild)} guilds x "
        f"{args.per_guild}), trigger={args.trigger}, ratelimits=enforce",
    )
    report.add("REST requests of the fan-out", str(len(window)))
    since = "due" if args.trigger == "cron" else "first request"
    report.add(
        f"total time {since} -> last post",
        secs(total),
        secs(baseline) + f" ({pace:g}/s)",
        ratio(total, baseline),
        f"<= {args.max_ratio}x",
        total <= args.max_ratio * baseline,
    )
    report.add("first request after due", secs(first - start) if args.trigger == "cron" else "-")
    report.add(
        "achieved pace", f"{len(window) / total:.1f} req/s" if total > 0 else "-", f"{pace:g} req/s"
    )
    report.add("duplicates (channels > 1 post)", str(duplicated), "", "", "0", duplicated == 0)
    report.add(
        "missing (channels without post)",
        str(len(channels) - posted),
        "",
        "",
        "0",
        posted == len(channels),
    )
    report.add("posts without thread", str(posted - threaded))
    report.add("longest message -> its thread", secs(thread_lag(posts)))
    report.add("429 responses", str(limited), "", "", "0", limited == 0)
    report.add(
        "peak requests in 1 s (whole run)", str(fake.ratelimits.max_per_second), "", "", "limit 50"
    )
    report.notes += [
        "requests by route: " + ", ".join(f"{k} x{v}" for k, v in kinds.most_common(5)),
        f"due {due:%H:%M} UTC; bot connected {ready - due.timestamp():+.1f} s from the due minute"
        if args.trigger == "cron"
        else "due a minute before start-up",
        f"daily_posts rows by status: {statuses}",
        f"bot settings: daily.posts_per_second = {pace:g} (default, not set in the config), "
        "2 paced requests per channel (a message and its thread, reserved together)",
        f"429s in the whole run: {sum(1 for r in fake.requests if r.status == 429)}, "
        f"over the global limit: {fake.ratelimits.over_global}",
        tree_state(),
    ]
    if args.trigger == "catchup":
        report.notes.append(
            "catch-up trigger: times count from the first request; the start-up "
            "catch-up posts channel by channel, not the cron fan-out"
        )
    return report


def main(argv: list[str] | None = None) -> int:
    """Run, print, exit 1 if a target was missed."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
