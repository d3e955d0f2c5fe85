"""/stats for a user with 10,000 graded answers: store queries, FSRS mastery, streaks and the
PNG chart, exactly as the /stats handler runs them (the chart in a worker thread).

Target: under 200 ms of bot time at 10,000 attempts. The baseline, measured in the same run,
is the same work for a user with 10 attempts; the ratio shows what history costs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Report, finish, ms, ratio
from bot.charts import render_progress
from bot.clock import FixedClock
from bot.content import DEFAULT_CONTENT, Library
from bot.flow import Flow, Where
from bot.progress import Progress
from bot.store import Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (sizes default to the issue's)."""
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--target-ms", type=float, default=200.0)
    parser.add_argument("--quick", action="store_true", help="smoke test: 1,000 attempts")
    args = parser.parse_args(argv)
    if args.quick:
        args.attempts, args.repeat = 1_000, 5
    return args


async def seed(flow: Flow, clock: FixedClock, user: int, count: int) -> None:
    """`count` graded answers spread over the last year, through the real flow."""
    rng = random.Random(user)
    questions = list(flow.library.bank.questions.values())
    step = timedelta(days=365) / max(count, 1)
    clock.set(NOW - timedelta(days=365))
    for _ in range(count):
        question = rng.choice(questions)
        attempt = await flow.answer(user, question.id, None, "an answer", Where(guild_id=1))
        ticks = rng.sample(range(len(question.key_points)), rng.randint(0, 4))
        await flow.grade(user, attempt.id, ticks)
        clock.advance(step)
    clock.set(NOW)


async def one_stats(progress: Progress, user: int) -> float:
    """Seconds for what /stats does: stats, then the chart off the event loop."""
    began = time.perf_counter()
    stats = await progress.stats(user)
    mastery = {t.topic: t.mastery for t in stats.topics}
    png = await asyncio.to_thread(render_progress, list(stats.points), mastery, "bench")
    assert png.startswith(b"\x89PNG")
    return time.perf_counter() - began


async def measure(args: argparse.Namespace) -> Report:
    """Seed two users, then time /stats for each, interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "stats.sqlite3")
        clock = FixedClock(NOW)
        library = Library.load(DEFAULT_CONTENT)
        progress = Progress(store, library, clock, fuzz=False)
        flow = Flow(store, library, clock, 4000, progress=progress)
        began = time.monotonic()
        await seed(flow, clock, 1, args.attempts)
        await seed(flow, clock, 2, args.baseline)
        seeded = time.monotonic() - began
        await one_stats(progress, 1)  # warm-up: fonts, imports
        big, small = [], []
        for _ in range(args.repeat):
            big.append(await one_stats(progress, 1))
            small.append(await one_stats(progress, 2))
        await store.close()
    report = Report("stats", f"/stats: {args.attempts:,} vs {args.baseline} graded answers")
    median_big, median_small = statistics.median(big), statistics.median(small)
    report.add("median /stats", ms(median_big), ms(median_small), ratio(median_big, median_small),
               f"< {args.target_ms:.0f} ms", median_big * 1000 < args.target_ms)
    report.add("max /stats", ms(max(big)), ms(max(small)), ratio(max(big), max(small)))
    report.notes.append(f"seeded through the real answer/grade flow in {seeded:.1f} s")
    return report


def main(argv: list[str] | None = None) -> int:
    """Run this benchmark alone."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
