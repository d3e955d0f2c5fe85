"""``python -m bench [NAME ...] [--quick]``: run the benchmarks (all by default),
print every figure, exit 1 if any target was missed."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time

from bench.common import Report, finish

NAMES = ("latency", "stats", "memory", "fanout", "shards", "evidence", "postgres")


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks one after the other with their default (or quick) sizes."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run, of {', '.join(NAMES)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r} (choose from {', '.join(NAMES)})")
    reports: list[Report] = []
    for name in args.names or NAMES:
        module = importlib.import_module(f"bench.{name}")
        options = module.parse(["--quick"] if args.quick else [])
        began = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        report: Report = asyncio.run(module.measure(options))
        report.notes.append(f"benchmark wall time: {time.monotonic() - began:.0f} s")
        reports.append(report)
    return finish(reports)


if __name__ == "__main__":
    sys.exit(main())
