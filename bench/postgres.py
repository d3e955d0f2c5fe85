"""The store on PostgreSQL against SQLite, measured in the same run.

1. ``/followup topic:cache`` first response: two real bots on two fakes, one on an SQLite file
   (the baseline), one on the machine's PostgreSQL, interleaved sample by sample and burst by
   burst as in ``bench.latency``.
2. A grade's store time: the answer-and-grade of ``Flow`` in this process, against each
   backend in turn, timed around ``grade`` alone (the transaction that writes the checklist,
   the scores, the /stats sums through the triggers and the card).

Targets: PostgreSQL's concurrent /followup p99 ≤ ``--max-ratio`` × SQLite's, and a grade's p99
under ``--max-grade`` ms. PostgreSQL pays a network round trip per statement that SQLite's
in-process calls do not, so it is slower per statement; the point is that it stays far
inside Discord's 3 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Report, add_log_evidence, bot_process, ms, percentile, ratio, started
from bench.common import write_config as write_sqlite_config
from bench.latency import Target
from bot.core.clock import FixedClock
from bot.domain.answers.service import Flow, Where
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.store import Store
from tests.fakediscord import FakeDiscord
from tests.pg import fresh_schema

HERE = Where(source="followup", guild_id=1, channel_id=2)
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.postgres", description=__doc__)
    parser.add_argument("--n", type=int, default=100, help="sequential /followup per bot")
    parser.add_argument("--k", type=int, default=30, help="interactions per concurrent burst")
    parser.add_argument("--rounds", type=int, default=6, help="concurrent bursts per bot")
    parser.add_argument("--grades", type=int, default=300, help="grades timed per backend")
    parser.add_argument("--max-ratio", type=float, default=2.0, help="target: p99 PG/SQLite")
    parser.add_argument("--max-grade", type=float, default=50.0, help="target: grade p99, ms")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.k, args.rounds, args.grades = 20, 10, 2, 40
    return args


def write_postgres_config(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(f'[bot]\ndatabase = "{url}"\nlog_level = "INFO"\n', encoding="utf-8")
    return path


async def _followups(args: argparse.Namespace, folder: Path, url: str, report: Report) -> None:
    async with FakeDiscord() as lite_fake, FakeDiscord() as pg_fake:
        lite = Target("sqlite", lite_fake, "followup", {"topic": "cache"})
        shared = Target("postgres", pg_fake, "followup", {"topic": "cache"})
        lite_bot = bot_process(lite_fake, folder / "sqlite", write_sqlite_config(folder / "sqlite"))
        pg_bot = bot_process(pg_fake, folder / "pg", write_postgres_config(folder / "pg", url))
        async with started(lite_bot), started(pg_bot):
            for target, process in ((lite, lite_bot), (shared, pg_bot)):
                await process.wait_ready(sync=True, timeout=60)
                target.users = [target.fake.user(f"bench-{i}") for i in range(args.k)]
                await target.run(args.k, 0)  # warm-up
            for i in range(args.n):
                for target in (lite, shared) if i % 2 == 0 else (shared, lite):
                    target.sequential += await target.run(1, i)
            for burst in range(args.rounds):
                for target in (lite, shared) if burst % 2 == 0 else (shared, lite):
                    target.concurrent += await target.run(args.k, 0)
    _report_followups(args, lite, shared, report)
    add_log_evidence(report, "bot on PostgreSQL", folder / "pg" / "bot.log")


def _report_followups(
    args: argparse.Namespace, lite: Target, shared: Target, report: Report
) -> None:
    for label, key in (
        ("sequential", "sequential"),
        (f"concurrent (K={args.k})", "concurrent"),
    ):
        base = lite.latencies(getattr(lite, key))
        value = shared.latencies(getattr(shared, key))
        p99, b99 = percentile(value, 99), percentile(base, 99)
        ok = key != "concurrent" or p99 <= args.max_ratio * b99
        target_text = f"<= {args.max_ratio}x SQLite" if key == "concurrent" else ""
        report.add(
            f"/followup {label} p50",
            ms(percentile(value, 50)),
            ms(percentile(base, 50)),
            ratio(percentile(value, 50), percentile(base, 50)),
        )
        report.add(
            f"/followup {label} p99",
            ms(p99),
            ms(b99),
            ratio(p99, b99),
            target_text,
            ok if target_text else None,
        )
        failed = shared.failed(getattr(shared, key)) + lite.failed(getattr(lite, key))
        if failed:
            report.add(
                f"/followup {label} without a first response", str(failed), "", "", "0", False
            )


async def _grade_times(store: Store, library: Library, count: int) -> list[float]:
    clock = FixedClock(START)
    flow = Flow(store, library, clock, 4000)
    questions = library.bank.in_topics(["cache"])
    times = []
    for i in range(count):
        question = questions[i % len(questions)]
        attempt = await flow.answer(1 + i % 20, question.id, None, "an answer", HERE)
        began = time.perf_counter()
        await flow.grade(1 + i % 20, attempt.id, [0, 1])
        times.append(time.perf_counter() - began)
    return times


async def _grades(args: argparse.Namespace, folder: Path, url: str, report: Report) -> None:
    library = Library.load(DEFAULT_CONTENT)
    lite = await Store.open(folder / "grades.sqlite3")
    shared = await Store.open(url)
    try:
        lite_times, pg_times = [], []
        for _ in range(2):  # alternate halves, so neither backend always runs on a warmer machine
            lite_times += await _grade_times(lite, library, args.grades // 2)
            pg_times += await _grade_times(shared, library, args.grades // 2)
    finally:
        await lite.close()
        await shared.close()
    for q in (50, 99):
        value, base = percentile(pg_times, q), percentile(lite_times, q)
        target_text = f"<= {args.max_grade:.0f} ms" if q == 99 else ""
        report.add(
            f"grade store time p{q}",
            ms(value),
            ms(base),
            ratio(value, base),
            target_text,
            value * 1000 <= args.max_grade if q == 99 else None,
        )


async def measure(args: argparse.Namespace) -> Report:
    """Both measurements, each on a fresh PostgreSQL schema."""
    report = Report(
        "postgres",
        f"PostgreSQL (value) vs SQLite (baseline): /followup N={args.n}, {args.rounds} bursts "
        f"of K={args.k}; {args.grades} grades per backend",
    )
    with tempfile.TemporaryDirectory(prefix="bench-postgres-") as tmp:
        folder = Path(tmp)
        async with fresh_schema() as url:
            await _followups(args, folder, url, report)
        async with fresh_schema() as url:
            await _grades(args, folder, url, report)
    return report
