"""First-response latency of ``/followup topic:cache`` against the framework floor.

The floor is ``tests/fakediscord/pongbot.py`` (bare discord.py, ``/ping`` → "pong") on its own
fake, measured in the same run and interleaved with the real bot: sequential samples alternate
one by one, concurrent bursts alternate burst by burst. Latency = time from the fake queueing
INTERACTION_CREATE (``FakeInteraction.dispatched_at``) to the bot's callback request arriving at
the fake (``RequestRecord.time``), both ``time.time()`` in this process.

Targets: p99 at K concurrent ≤ 1.5 × the floor's, every first response accepted (no 10062) and
the slowest ≤ ``--max-first`` (half of Discord's 3 s by default).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    Report,
    add_log_evidence,
    bot_process,
    finish,
    ms,
    percentile,
    ratio,
    started,
    tree_state,
    write_config,
)
from tests.fakediscord import PONGBOT, BotProcess, FakeDiscord, InteractionResult, UserDriver

RESPONSE_TIMEOUT = 10.0


@dataclass
class Target:
    """One bot under test: its fake, the command it answers, and what was measured."""

    label: str
    fake: FakeDiscord
    command: str
    options: dict[str, Any]
    users: list[UserDriver] = field(default_factory=list)
    sequential: list[InteractionResult] = field(default_factory=list)
    concurrent: list[InteractionResult] = field(default_factory=list)

    async def run(self, count: int, offset: int) -> list[InteractionResult]:
        """``count`` interactions dispatched back to back, then wait for every first response."""
        users = [self.users[(offset + i) % len(self.users)] for i in range(count)]
        results = await asyncio.gather(
            *(u.slash(self.command, wait="none", **self.options) for u in users)
        )
        await asyncio.gather(
            *(r.wait("response", RESPONSE_TIMEOUT) for r in results), return_exceptions=True
        )
        return results

    def latencies(self, results: list[InteractionResult]) -> list[float]:
        """Dispatch → callback arrival, for the interactions that got a callback request."""
        arrivals: dict[int, float] = {}
        for rec in self.fake.requests_matching("POST /interactions/*/callback"):
            iid = int(rec.path.split("/")[2])
            arrivals[iid] = min(arrivals.get(iid, rec.time), rec.time)
        out = []
        for r in results:
            arrived = arrivals.get(r.interaction.id)
            if arrived is not None:
                out.append(arrived - r.interaction.dispatched_at)
        return out

    def failed(self, results: list[InteractionResult]) -> int:
        """Interactions without an accepted first response (late 10062, rejected, none)."""
        return sum(1 for r in results if r.interaction.response_type is None)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (sizes default to the issue's)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.latency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=200, help="sequential interactions per bot")
    parser.add_argument("--k", type=int, default=50, help="interactions per concurrent burst")
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="concurrent bursts per bot (more bursts: a steadier p99)",
    )
    parser.add_argument("--warmup", type=int, default=30, help="warm-up interactions per bot")
    parser.add_argument(
        "--max-ratio", type=float, default=1.5, help="target: concurrent p99 bot/floor at most this"
    )
    parser.add_argument(
        "--max-first",
        type=float,
        default=1.5,
        help="target: slowest first response of the bot, seconds",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.k, args.rounds, args.warmup = 40, 10, 2, 10
    return args


def same_events_as_bot(fake: FakeDiscord) -> None:
    """pongbot asks for GUILD_MESSAGES (it echoes DMs), so it would also get a MESSAGE_CREATE for
    each "pong"; followup has no such intent. Drop guild MESSAGE_CREATEs on the floor's fake so
    both bots process the same events per interaction."""
    emit = fake.state.emit

    def filtered(
        event: str, data: dict[str, Any], guild_id: int | None, intent: int | None, private: bool
    ) -> None:
        if event != "MESSAGE_CREATE" or guild_id is None:
            emit(event, data, guild_id, intent, private)

    fake.state.emit = filtered


async def _prepare(target: Target, process: BotProcess, users: int) -> None:
    await process.wait_ready(sync=True, timeout=60)
    target.users = [target.fake.user(f"bench-{i}") for i in range(users)]


async def measure(args: argparse.Namespace) -> Report:
    """Run both bots, warm them up, then measure sequential and concurrent first responses."""
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        folder = Path(tmp)
        async with FakeDiscord() as floor_fake, FakeDiscord() as bot_fake:
            same_events_as_bot(floor_fake)
            floor = Target("floor", floor_fake, "ping", {})
            bot = Target("bot", bot_fake, "followup", {"topic": "cache"})
            pong = BotProcess(
                floor_fake, script=PONGBOT, log_path=folder / "pongbot.log", python=sys.executable
            )
            real = bot_process(bot_fake, folder, write_config(folder))
            async with started(pong), started(real):
                await asyncio.gather(_prepare(floor, pong, args.k), _prepare(bot, real, args.k))
                for target in (floor, bot):  # warm-up, not measured
                    for i in range(args.warmup):
                        await target.run(1, i)
                    await target.run(args.k, 0)
                for i in range(args.n):
                    for target in (floor, bot) if i % 2 == 0 else (bot, floor):
                        target.sequential += await target.run(1, i)
                for burst in range(args.rounds):  # who goes first alternates
                    for target in (floor, bot) if burst % 2 == 0 else (bot, floor):
                        target.concurrent += await target.run(args.k, 0)
            report = _report(args, floor, bot)
            add_log_evidence(report, "followup bot", folder / "bot.log")
            add_log_evidence(report, "pongbot", folder / "pongbot.log")
            return report


def _report(args: argparse.Namespace, floor: Target, bot: Target) -> Report:
    report = Report(
        "latency",
        f"/followup topic:cache vs pongbot /ping (floor), "
        f"N={args.n} sequential, {args.rounds} bursts of K={args.k}",
    )
    figures: dict[str, dict[str, float]] = {}
    for target in (floor, bot):
        seq, conc = target.latencies(target.sequential), target.latencies(target.concurrent)
        figures[target.label] = {
            "seq50": percentile(seq, 50),
            "seq99": percentile(seq, 99),
            "conc50": percentile(conc, 50),
            "conc99": percentile(conc, 99),
            "max": max(seq + conc, default=float("nan")),
        }
    f, b = figures["floor"], figures["bot"]
    for key, label in (
        ("seq50", "sequential p50"),
        ("seq99", "sequential p99"),
        ("conc50", f"concurrent (K={args.k}) p50"),
    ):
        report.add(label, ms(b[key]), ms(f[key]), ratio(b[key], f[key]))
    conc_ratio = b["conc99"] / f["conc99"] if f["conc99"] else float("inf")
    report.add(
        f"concurrent (K={args.k}) p99",
        ms(b["conc99"]),
        ms(f["conc99"]),
        ratio(b["conc99"], f["conc99"]),
        f"<= {args.max_ratio}x floor",
        conc_ratio <= args.max_ratio,
    )
    report.add(
        "max first response",
        ms(b["max"]),
        ms(f["max"]),
        ratio(b["max"], f["max"]),
        f"<= {args.max_first * 1000:.0f} ms",
        b["max"] <= args.max_first,
    )
    failed_bot = bot.failed(bot.sequential + bot.concurrent)
    failed_floor = floor.failed(floor.sequential + floor.concurrent)
    report.add(
        "no accepted first response", str(failed_bot), str(failed_floor), "", "0", failed_bot == 0
    )
    samples = len(bot.latencies(bot.sequential)), len(bot.latencies(bot.concurrent))
    report.notes += [
        f"samples per bot: {samples[0]} sequential, {samples[1]} concurrent "
        f"(warm-up {args.warmup} + 1 burst excluded); baseline column = floor (pongbot, "
        "its own fake, guild MESSAGE_CREATEs dropped as followup has no GUILD_MESSAGES intent)",
        "latency = fake queues INTERACTION_CREATE -> the bot's callback request arrives",
        tree_state(),
    ]
    errors = [e for r in bot.sequential + bot.concurrent for e in r.interaction.errors]
    if errors:
        report.notes.append(f"rejected callbacks of the bot: {errors[:5]}")
    return report


def main(argv: list[str] | None = None) -> int:
    """Run, print, exit 1 if a target was missed."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
