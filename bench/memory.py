"""Start-up with many guilds: time to ready and resident memory, against the same bot in 1 guild.

The fake holds ``--guilds`` one-channel guilds (``add_guilds``) and reports ``max_concurrency``
in /gateway/bot's session_start_limit; the bot runs with ``[bot] shard_count`` so that no shard
has more than 2,500 guilds (AutoShardedBot). Ready time = process start → the bot logs
'ready as'; also process start → every shard IDENTIFYed and got its GUILD_CREATEs. RSS (psutil)
is read once settled. Baseline (same run, first): the bot with 1 guild and no sharding.

Targets: RSS ≤ 150 MiB and ready ≤ 20 s; per-guild cost = (RSS_N − RSS_1) / N is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    MIB,
    Report,
    add_log_evidence,
    bot_process,
    finish,
    mib,
    ratio,
    rss,
    secs,
    started,
    tree_state,
    write_config,
)
from tests.fakediscord import BotExited, FakeDiscord

READY = re.compile(r"ready as .* in (\d+) guilds")


@dataclass
class Run:
    """One start-up of the bot."""

    guilds: int
    shards: int
    identified: float = math.nan
    ready: float = math.nan
    ready_guilds: int = 0
    rss: int = 0
    samples: list[int] = field(default_factory=list)
    identify_offsets: list[float] = field(default_factory=list)
    gateway_bot_calls: int = 0
    log: Path | None = None


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (sizes default to the issue's)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--guilds", type=int, default=10_000)
    parser.add_argument(
        "--shards", type=int, default=0, help="bot.shard_count (default: guilds / 2,500 rounded up)"
    )
    parser.add_argument(
        "--max-concurrency", type=int, default=16, help="what the fake's /gateway/bot reports"
    )
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds after ready before reading RSS"
    )
    parser.add_argument("--timeout", type=float, default=90.0, help="give up on ready after")
    parser.add_argument("--max-rss", type=float, default=150.0, help="target, MiB")
    parser.add_argument("--max-ready", type=float, default=20.0, help="target, seconds")
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 1,000 guilds on one shard"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.guilds, args.shards, args.settle = 1000, 1, 1.0
    if not args.shards:
        args.shards = max(1, math.ceil(args.guilds / 2500))
    return args


def ready_line(log: Path) -> int | None:
    """The guild count of the bot's 'ready as' log line, once it is there."""
    match = READY.search(log.read_text(errors="replace")) if log.exists() else None
    return int(match[1]) if match else None


async def wait_ready_line(log: Path, started_at: float, limit: float) -> tuple[float, int]:
    """When the bot logged 'ready as' (seconds after start) and in how many guilds."""
    deadline = time.time() + limit
    while time.time() < deadline:
        guilds = ready_line(log)
        if guilds is not None:
            return time.time() - started_at, guilds
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no 'ready as' in {log} after {limit:.0f} s")


async def start_up(args: argparse.Namespace, folder: Path, guilds: int, shards: int) -> Run:
    """Start the bot against a fake with ``guilds`` guilds; time it and read its memory."""
    run = Run(guilds, shards, log=folder / "bot.log")
    async with FakeDiscord(seed=False, max_concurrency=args.max_concurrency) as fake:
        fake.add_guilds(guilds)
        sharding = {"shard_count": shards} if shards > 1 else {}
        process = bot_process(fake, folder, write_config(folder, bot=sharding))
        async with started(process):
            t0 = process.started_at
            try:
                await fake.wait_identified(count=shards, after=t0, timeout=args.timeout)
                run.identified = time.time() - t0
                run.ready, run.ready_guilds = await wait_ready_line(
                    run.log, t0, max(1.0, args.timeout - run.identified)
                )
            except TimeoutError as exc:
                raise TimeoutError(f"{exc}\n{process.log()}") from None
            if not process.running:
                raise BotExited(process.log())
            await asyncio.sleep(args.settle)
            for _ in range(5):
                run.samples.append(rss(process))
                await asyncio.sleep(0.2)
            run.rss = int(statistics.median(run.samples))
        run.identify_offsets = [e.time - t0 for e in fake.gateway.events if e.kind == "IDENTIFY"]
        run.gateway_bot_calls = len(fake.requests_matching("GET /gateway/bot"))
    return run


async def measure(args: argparse.Namespace) -> Report:
    """The 1-guild baseline first, then the big start-up."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        base = await start_up(args, Path(tmp) / "one", 1, 1)
        big = await start_up(args, Path(tmp) / "many", args.guilds, args.shards)
        report = _report(args, base, big)
        assert big.log is not None
        add_log_evidence(report, f"bot ({args.guilds} guilds)", big.log)
        return report


def _report(args: argparse.Namespace, base: Run, big: Run) -> Report:
    report = Report(
        "memory", f"{big.guilds} guilds on {big.shards} shard(s) vs 1 guild (unsharded), same run"
    )
    report.add(
        "time to 'ready as' log line",
        secs(big.ready),
        secs(base.ready),
        ratio(big.ready, base.ready),
        f"<= {args.max_ready:g} s",
        big.ready <= args.max_ready,
    )
    report.add(
        "time to all IDENTIFYs + GUILD_CREATEs",
        secs(big.identified),
        secs(base.identified),
        ratio(big.identified, base.identified),
    )
    report.add(
        "resident memory (RSS)",
        mib(big.rss),
        mib(base.rss),
        ratio(big.rss, base.rss),
        f"<= {args.max_rss:g} MiB",
        big.rss <= args.max_rss * MIB,
    )
    per_guild = (big.rss - base.rss) / max(1, big.guilds)
    report.add("per-guild cost (RSS_N - RSS_1) / N", f"{per_guild / 1024:.1f} KiB")
    report.add(
        "guilds in 'ready as' line",
        str(big.ready_guilds),
        str(base.ready_guilds),
        "",
        str(big.guilds),
        big.ready_guilds == big.guilds,
    )
    offsets = ", ".join(f"{t:.1f}" for t in big.identify_offsets)
    report.notes += [
        f"fake /gateway/bot reports session_start_limit.max_concurrency = "
        f"{args.max_concurrency}; the bot requested /gateway/bot {big.gateway_bot_calls} time(s)",
        f"IDENTIFYs at {offsets} s after process start (the bot waits between IDENTIFYs only "
        f"within one max_concurrency bucket)",
        f"RSS samples (MiB): {', '.join(f'{s / MIB:.1f}' for s in big.samples)}; read "
        f"{args.settle:g} s after ready",
        tree_state(),
    ]
    return report


def main(argv: list[str] | None = None) -> int:
    """Run, print, exit 1 if a target was missed."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
