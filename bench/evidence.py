"""The checklist's evidence matcher (bot/evidence.py): time per answer, start-up cost, memory,
and how right its "not found" flags are.

Per answer: every answer of tests/evidence_set.yaml plus, for every question and probe of the
bank, a "model answer" made of its key points' whys; each round builds a fresh index, as a
start-up does, so words new to the stem cache are paid for. Baseline (same run, interleaved):
reading the same answer's words into stems, the floor of any stemmed matcher. Long answers are
timed apart: 4,000 characters (the answer modal's limit) and 8,000 (a mock round's default).
Start-up and memory: a fresh `python` loads the bank (the baseline), then imports the matcher
and builds the index; RSS (psutil) before and after.

Targets: p99 <= 5 ms per answer, build <= +0.5 s, RSS <= +15 MiB, and "not found" flags right
>= 85% with each question's threshold chosen on the other questions (leave-one-question-out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time

from bench.common import MIB, ROOT, Report, finish, mib, ms, percentile, ratio, secs, tree_state
from bot.core.models import Bank
from bot.domain.answers.evidence import THRESHOLD, EvidenceIndex
from bot.domain.content.loader import DEFAULT_CONTENT, load_bank
from tests.test_evidence import (
    MIN_PRECISION,
    flag_stats,
    leave_one_question_out,
    load_set,
    score_pairs,
)

LONG = (4000, 8000)
# Run in a fresh interpreter, so the figures are those of a start-up and nothing else's.
STARTUP_PROBE = """
import gc, json, time, psutil
from bot.domain.content.loader import load_bank
process = psutil.Process()
began = time.perf_counter()
bank = load_bank()
loaded = time.perf_counter() - began
gc.collect()
before = process.memory_info().rss
began = time.perf_counter()
from bot.domain.answers.evidence import EvidenceIndex
index = EvidenceIndex.build(bank)
built = time.perf_counter() - began
gc.collect()
after = process.memory_info().rss
print(json.dumps({"load": loaded, "build": built, "before": before, "after": after}))
"""


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (targets default to the issue's)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.evidence",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=5, help="fresh indexes, each timing all")
    parser.add_argument("--starts", type=int, default=3, help="fresh start-up processes")
    parser.add_argument("--max-p99", type=float, default=5.0, help="target, ms per answer")
    parser.add_argument("--max-build", type=float, default=0.5, help="target, seconds")
    parser.add_argument("--max-rss", type=float, default=15.0, help="target, MiB")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 round, 1 start-up")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.starts = 1, 1
    return args


def answers(bank: Bank) -> list[tuple[str, int | None, str]]:
    """(question, probe, answer): the labelled set, then a model answer per checklist."""
    work = [(a.question, a.probe, a.answer) for a in load_set()]
    for question in bank.in_topics():
        for probe in (None, *range(len(question.probes))):
            text = " ".join(p.why for p in question.points(probe))
            work.append((question.id, probe, text))
    return work


def long_answer(bank: Bank, size: int) -> tuple[str, int | None, str]:
    """`size` characters of system-design prose (whys from across the bank) as one answer."""
    whys = [p.why for q in bank.in_topics() for p in q.key_points]
    return "reliability-retries-backoff", None, " ".join(whys)[:size]


def time_round(
    bank: Bank, work: list[tuple[str, int | None, str]]
) -> tuple[list[float], list[float]]:
    """One fresh index: seconds to match each answer, and to read it into stems (baseline)."""
    index = EvidenceIndex.build(bank)
    matched, read = [], []
    for question, probe, text in work:
        began = time.perf_counter()
        index.match(question, probe, text)
        matched.append(time.perf_counter() - began)
        began = time.perf_counter()
        sum(1 for _ in index.stems.words(text))
        read.append(time.perf_counter() - began)
    return matched, read


def startups(count: int) -> list[dict[str, float]]:
    """Load-then-build figures from `count` fresh interpreters."""
    runs = []
    for _ in range(count):
        done = subprocess.run(
            [sys.executable, "-c", STARTUP_PROBE],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout))
    return runs


async def measure(args: argparse.Namespace) -> Report:
    """Time the matcher, start it up in fresh processes, and score the labelled set."""
    bank = load_bank(DEFAULT_CONTENT)
    work = answers(bank)
    longs = [long_answer(bank, size) for size in LONG]
    samples: dict[str, list[float]] = {"matched": [], "read": [], "long": [], "long read": []}
    for _ in range(args.rounds):
        matched, read = time_round(bank, work)
        long_matched, long_read = time_round(bank, longs)
        samples["matched"] += matched
        samples["read"] += read
        samples["long"] += long_matched
        samples["long read"] += long_read
    runs = startups(args.starts)
    report = Report(
        "evidence",
        f"{len(work)} answers x {args.rounds} fresh index(es); {args.starts} fresh start-up(s)",
    )
    _latency_rows(report, args, samples)
    _startup_rows(report, args, runs)
    _quality_rows(report, bank)
    report.notes.append(tree_state())
    return report


def _latency_rows(
    report: Report, args: argparse.Namespace, samples: dict[str, list[float]]
) -> None:
    matched, read = samples["matched"], samples["read"]
    for q in (50, 99):
        value, floor = percentile(matched, q), percentile(read, q)
        target, ok = (
            ("", None) if q == 50 else (f"<= {args.max_p99:g} ms", value * 1000 <= args.max_p99)
        )
        report.add(f"p{q} per answer", ms(value), ms(floor), ratio(value, floor), target, ok)
    report.add("max per answer", ms(max(matched)), ms(max(read)), ratio(max(matched), max(read)))
    for i, size in enumerate(LONG):
        value = statistics.median(samples["long"][i :: len(LONG)])
        floor = statistics.median(samples["long read"][i :: len(LONG)])
        report.add(f"{size:,}-character answer (median)", ms(value), ms(floor), ratio(value, floor))
    report.notes.append("baseline of the per-answer rows: reading the same answer into stems")


def _startup_rows(report: Report, args: argparse.Namespace, runs: list[dict[str, float]]) -> None:
    build = statistics.median(r["build"] for r in runs)
    load = statistics.median(r["load"] for r in runs)
    growth = statistics.median(r["after"] - r["before"] for r in runs)
    before = statistics.median(r["before"] for r in runs)
    report.add(
        "start-up: import + build index",
        secs(build),
        secs(load),
        ratio(build, load),
        f"<= +{args.max_build:g} s",
        build <= args.max_build,
    )
    report.add(
        "RSS growth from the index",
        mib(growth),
        mib(before),
        ratio(growth, before),
        f"<= +{args.max_rss:g} MiB",
        growth <= args.max_rss * MIB,
    )
    report.notes.append(
        "baseline of the start-up rows: the same fresh process after loading "
        "the bank, before the matcher is imported"
    )


def _quality_rows(report: Report, bank: Bank) -> None:
    labelled = load_set()
    pairs = score_pairs(EvidenceIndex.build(bank), labelled)
    held_out, thresholds = leave_one_question_out(pairs)
    shipped = flag_stats(pairs, THRESHOLD)
    report.add(
        "not-found flags right (held out)",
        f"{held_out.precision:.3f}",
        f"{shipped.precision:.3f}",
        "",
        f">= {MIN_PRECISION:g}",
        held_out.precision >= MIN_PRECISION,
    )
    report.add(
        "unmentioned points flagged (recall)", f"{held_out.recall:.3f}", f"{shipped.recall:.3f}"
    )
    report.add("flags per answer", f"{held_out.per_answer:.2f}", f"{shipped.per_answer:.2f}")
    folds = sorted(thresholds.values())
    report.notes += [
        f"quality: {len(pairs)} labelled pairs of {len(labelled)} answers to "
        f"{len(thresholds)} questions; value = leave-one-question-out, baseline column = the "
        f"shipped THRESHOLD {THRESHOLD:g} on the whole set",
        f"fold thresholds: {folds[0]:g} to {folds[-1]:g} (median {statistics.median(folds):g})",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run, print, exit 1 if a target was missed."""
    return finish([asyncio.run(measure(parse(argv)))])


if __name__ == "__main__":
    sys.exit(main())
