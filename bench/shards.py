"""Daily fan-out over two bot processes (shards 0 and 1 of 2) on one database (PostgreSQL,
or ``--database sqlite`` for one shared file), against the fake's real 429s and its global
50/s, which is per bot: both processes draw on it.

As in ``fanout``: guilds and channels exist before the bots connect, the schedules are written
straight into the shared database, all due at the next whole UTC minute at least ``--lead``
seconds ahead. Then both processes start with the default pace (``daily.posts_per_second`` =
40), each taking its shards' share of it (20/s each), and we wait until every post is made.

Baseline (same run): the REST requests the fan-out made / 40 per second, the time the shared
pace needs. Targets: total time from the due minute to the last post <= 1.2 x baseline,
0 duplicates, 0 missing, 0 responses of 429.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Report, add_log_evidence, bot_process, finish, ratio, secs, tree_state
from bench.common import write_config as config_file
from bench.fanout import (
    POSTING,
    create_world,
    next_minute,
    post_statuses,
    tally,
    wait_fan_out,
    write_schedules,
)
from bot.core.config import DailySettings
from bot.core.shards import shard_of
from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.api import RequestRecord
from tests.pg import fresh_schema

SHARDS = 2


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (sizes default to the issue's)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.shards",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--channels", type=int, default=4000, help="text channels due at once")
    parser.add_argument("--per-guild", type=int, default=50, help="channels per guild")
    parser.add_argument(
        "--lead", type=float, default=40.0, help="the due minute is at least this far ahead (s)"
    )
    parser.add_argument("--max-ratio", type=float, default=1.2, help="target: time / baseline")
    parser.add_argument(
        "--database",
        choices=("postgres", "sqlite"),
        default="postgres",
        help="the one database both processes share (postgres: a fresh schema on the "
        "machine's server, FOLLOWUP_TEST_POSTGRES)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke test: 200 channels")
    args = parser.parse_args(argv)
    if args.quick:
        args.channels, args.per_guild = 200, 20
    return args


def shard_of_channel(guilds: dict[int, int], rec: RequestRecord) -> int | None:
    """The shard whose process made a channel request (by its channel's guild)."""
    parts = rec.path.split("/")
    if len(parts) < 3 or parts[1] != "channels" or not parts[2].isdigit():
        return None
    guild = guilds.get(int(parts[2]))
    return None if guild is None else shard_of(guild, SHARDS)


@contextlib.asynccontextmanager
async def shared_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """Where both processes keep their data."""
    if kind == "sqlite":
        yield str(folder / "data" / "followup.sqlite3")
        return
    async with fresh_schema() as url:
        yield url


async def start_both(fake: FakeDiscord, folder: Path, database: str) -> list[BotProcess]:
    """Shard 0's process (it syncs the commands), then shard 1's, each with its own log."""
    processes = []
    for shard in range(SHARDS):
        home = folder / f"shard-{shard}"
        config = config_file(
            home,
            bot={"database": database, "shard_count": SHARDS, "shard_ids": [shard]},
        )
        process = bot_process(fake, home, config)
        await process.start()
        processes.append(process)
        await process.wait_ready(sync=shard == 0, timeout=60)
    return processes


async def measure(args: argparse.Namespace) -> Report:
    """Set up the world and the schedules, run both processes, wait for the fan-out, count."""
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        folder = Path(tmp)
        async with FakeDiscord(seed=False, ratelimits="enforce") as fake:
            targets = create_world(fake, args.channels, args.per_guild)
            guilds = {cid: gid for gid, cid in targets}
            channels = [cid for _, cid in targets]
            now = datetime.now(UTC)
            due = next_minute(now, args.lead)
            async with shared_database(args.database, folder) as database:
                await write_schedules(
                    database, targets, due.strftime("%H:%M"), fake.state.owner.id, now
                )
                processes = await start_both(fake, folder, database)
                try:
                    ready = time.time()
                    await wait_fan_out(fake, channels, due.timestamp())
                finally:
                    for process in processes:
                        if process.running:
                            await process.kill()
                statuses = await post_statuses(database)
            report = _report(args, fake, channels, guilds, due, ready, statuses)
            for shard in range(SHARDS):
                add_log_evidence(report, f"shard {shard}", folder / f"shard-{shard}" / "bot.log")
            return report


def _per_process(
    window: list[RequestRecord], guilds: dict[int, int]
) -> dict[int, tuple[int, float]]:
    """Per shard's process: (requests, achieved requests per second over its own span)."""
    out: dict[int, tuple[int, float]] = {}
    for shard in range(SHARDS):
        mine = [r for r in window if shard_of_channel(guilds, r) == shard]
        span = max((r.time for r in mine), default=0) - min((r.time for r in mine), default=0)
        out[shard] = (len(mine), len(mine) / span if span > 0 else math.nan)
    return out


def _report(
    args: argparse.Namespace,
    fake: FakeDiscord,
    channels: list[int],
    guilds: dict[int, int],
    due: datetime,
    ready: float,
    statuses: dict[str, int],
) -> Report:
    pace = DailySettings().posts_per_second
    start = due.timestamp()
    window = [r for r in fake.requests if r.time >= start]
    posts = [r for r in window if r.method == "POST" and r.route in POSTING and r.status < 300]
    last = max((r.time + r.duration for r in posts), default=math.nan)
    total, baseline = last - start, len(window) / pace
    posted, threaded, duplicated = tally(fake, channels)
    limited = sum(1 for r in window if r.status == 429)
    report = Report(
        "shards",
        f"{len(channels)} channels due at once over {SHARDS} processes (shards 0 and 1 of 2, "
        f"{math.ceil(len(channels) / args.per_guild)} guilds), one {args.database} database, "
        "ratelimits=enforce",
    )
    report.add("REST requests of the fan-out", str(len(window)))
    report.add(
        "total time due -> last post",
        secs(total),
        secs(baseline) + f" ({pace:g}/s shared)",
        ratio(total, baseline),
        f"<= {args.max_ratio}x",
        total <= args.max_ratio * baseline,
    )
    report.add("achieved pace, both processes", f"{len(window) / total:.1f} req/s", f"{pace:g}")
    for shard, (count, rate) in _per_process(window, guilds).items():
        report.add(
            f"  process of shard {shard}", f"{count} requests, {rate:.1f} req/s", f"{pace / 2:g}"
        )
    report.add("duplicates (channels > 1 post)", str(duplicated), "", "", "0", duplicated == 0)
    missing = len(channels) - posted
    report.add("missing (channels without post)", str(missing), "", "", "0", missing == 0)
    report.add("posts without thread", str(posted - threaded))
    report.add("429 responses", str(limited), "", "", "0", limited == 0)
    report.add(
        "peak requests in 1 s (whole run)", str(fake.ratelimits.max_per_second), "", "", "limit 50"
    )
    kinds = Counter(f"{r.method} {r.route}" for r in window)
    report.notes += [
        "requests by route: " + ", ".join(f"{k} x{v}" for k, v in kinds.most_common(4)),
        f"due {due:%H:%M} UTC; both processes connected {ready - start:+.1f} s from it",
        f"daily_posts rows by status: {statuses}",
        f"pace: daily.posts_per_second = {pace:g} (default), each process paces its share "
        f"(its shards / shard_count = 1/2): {pace / 2:g}/s",
        f"command syncs: {len(fake.commands.syncs)} (shard 0's process only)",
        tree_state(),
    ]
    return report


def main(argv: list[str] | None = None) -> int:
    """Run, print, exit 1 if a target was missed."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
