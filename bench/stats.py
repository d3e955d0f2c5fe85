"""/stats for a user with 10,000 graded answers against one with 10, in the same run: the store's
aggregates, FSRS mastery, the streak and the PNG chart, through the code the /stats handler runs.

Each round times, for both users in turn:
  drawn   /stats with its chart drawn, as the first /stats after a new graded answer
  cached  /stats again: the same chart comes from the cache
  stats   Progress.stats alone (queries and arithmetic)
  chart   render_progress alone, in a worker thread as the handler runs it

Targets: /stats with the chart drawn at 10,000 answers within 1.2x of the same at 10, and the
chart itself within 60 ms. Machines are noisy, so the ratios against the same-run baseline
are what to compare between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn, TypeVar

from bench.common import Report, finish, ms, ratio
from bot.core.clock import FixedClock
from bot.domain.answers.service import Flow, Where
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.progress.charts import render_progress
from bot.domain.progress.service import Progress
from bot.domain.progress.stats import ChartCache, Trend, chart_mastery
from bot.store import Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
TITLE = "bench: coverage and mastery"
KINDS = ("drawn", "cached", "stats", "chart", "chart_cpu")
T = TypeVar("T")


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (with where to find help), not usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a number of ``kind`` above zero."""

    def parse_number(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text} must be above 0")
        return value

    return parse_number


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (sizes default to the issue's)."""
    parser = Parser(
        prog="python -m bench.stats",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--attempts", type=positive(int), default=10_000)
    parser.add_argument("--baseline", type=positive(int), default=10)
    parser.add_argument("--repeat", type=positive(int), default=15)
    parser.add_argument(
        "--max-ratio",
        type=positive(float),
        default=1.2,
        help="target: drawn /stats at most this times the baseline's",
    )
    parser.add_argument(
        "--chart-ms",
        type=positive(float),
        default=60.0,
        help="target: the chart alone, milliseconds",
    )
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


@dataclass
class Timings:
    """Seconds per kind of measurement for one user."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    png_bytes: int = 0

    def median(self, kind: str) -> float:
        return statistics.median(self.seconds[kind])


async def timed(work: Awaitable[T]) -> tuple[float, T]:
    """Seconds an awaitable took, and its result."""
    began = time.perf_counter()
    result = await work
    return time.perf_counter() - began, result


def cpu_seconds(trend: Trend, mastery: dict[str, float]) -> float:
    """Draw the chart; the CPU time it took this thread (what other processes cannot inflate
    by taking turns on the CPU, unlike the time on the clock)."""
    began = time.thread_time()
    render_progress(trend, mastery, TITLE)
    return time.thread_time() - began


async def one_round(progress: Progress, user: int, into: Timings) -> None:
    """Each kind once for one user; the cached /stats must return the very bytes drawn."""
    cache = ChartCache()  # empty, as after a new graded answer

    async def handler() -> bytes:
        return await cache.png(user, await progress.stats(user), TITLE)

    drawn, png = await timed(handler())
    cached, again = await timed(handler())
    assert png.startswith(b"\x89PNG") and again is png
    alone, stats = await timed(progress.stats(user))
    mastery = chart_mastery(stats)
    chart, cpu = await timed(asyncio.to_thread(cpu_seconds, stats.trend, mastery))
    for kind, seconds in zip(KINDS, (drawn, cached, alone, chart, cpu), strict=True):
        into.seconds[kind].append(seconds)
    into.png_bytes = len(png)


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
        # Seeding leaves garbage; collect it now, or collecting it lands in some timed round.
        gc.collect()
        big, small = Timings(), Timings()
        await one_round(progress, 1, Timings())  # warm-up: imports, fonts
        for _ in range(args.repeat):
            await one_round(progress, 1, big)
            await one_round(progress, 2, small)
        await store.close()
    return _report(args, big, small, seeded)


def _report(args: argparse.Namespace, big: Timings, small: Timings, seeded: float) -> Report:
    report = Report("stats", f"/stats: {args.attempts:,} vs {args.baseline} graded answers")
    labels = {
        "drawn": "median /stats, chart drawn",
        "cached": "median /stats, chart cached",
        "stats": "median stats alone",
        "chart": "median chart alone",
        "chart_cpu": "median chart alone, CPU time",
    }
    for kind, label in labels.items():
        value, base = big.median(kind), small.median(kind)
        target, ok = "", None
        if kind == "drawn":
            target, ok = f"<= {args.max_ratio:g}x", value <= args.max_ratio * base
        elif kind == "chart":
            target, ok = f"<= {args.chart_ms:.0f} ms", value * 1000 <= args.chart_ms
        report.add(label, ms(value), ms(base), ratio(value, base), target, ok)
    worst, worst_base = max(big.seconds["drawn"]), max(small.seconds["drawn"])
    report.add("max /stats, chart drawn", ms(worst), ms(worst_base), ratio(worst, worst_base))
    report.notes.append(
        f"{args.repeat} rounds, each user in turn; drawn = a fresh chart cache, as after a grade"
    )
    report.notes.append(f"PNG: {big.png_bytes:,} bytes vs {small.png_bytes:,} bytes")
    report.notes.append(f"seeded through the real answer/grade flow in {seeded:.1f} s")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    report.notes.append(f"load average {load} (1, 5, 15 min) on {os.cpu_count()} CPUs at the end")
    return report


def main(argv: list[str] | None = None) -> int:
    """Run this benchmark alone."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
