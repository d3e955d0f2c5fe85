"""Shared pieces: the bot process on a temp config, percentiles, log evidence, the result table."""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.fakediscord import BotProcess, FakeDiscord

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
# discord.py's start-up warnings about optional voice libraries: not the bot's doing.
NOISE = ("voice will NOT be supported",)
TomlValue = str | int | float | bool | list[int]


@dataclass
class Row:
    """One figure: its value, the same-run baseline, the ratio, and the target it must meet."""

    metric: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None


@dataclass
class Report:
    """What one benchmark measured."""

    name: str
    title: str = ""
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        metric: str,
        value: str,
        baseline: str = "",
        ratio: str = "",
        target: str = "",
        ok: bool | None = None,
    ) -> None:
        """Append a row."""
        self.rows.append(Row(metric, value, baseline, ratio, target, ok))

    @property
    def missed(self) -> list[Row]:
        """Rows whose target was missed."""
        return [r for r in self.rows if r.ok is False]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(value: float, baseline: float) -> str:
    """``value / baseline`` as ``1.23x`` (``-`` when undefined)."""
    if not baseline or math.isnan(value) or math.isnan(baseline):
        return "-"
    return f"{value / baseline:.2f}x"


def ms(seconds: float) -> str:
    """Seconds shown as milliseconds."""
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    """Seconds with two decimals."""
    return "-" if math.isnan(seconds) else f"{seconds:.2f} s"


def mib(nbytes: float) -> str:
    """Bytes shown as MiB."""
    return f"{nbytes / MIB:.1f} MiB"


def _toml(value: TomlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def write_config(
    folder: Path, bot: dict[str, TomlValue] | None = None, daily: dict[str, TomlValue] | None = None
) -> Path:
    """A config file with the database in ``folder/data`` (plus the given settings)."""
    sections = {
        "bot": {
            "database": str(folder / "data" / "followup.sqlite3"),
            "log_level": "INFO",
            **(bot or {}),
        },
        "daily": daily or {},
    }
    lines: list[str] = []
    for name, values in sections.items():
        if values:
            lines.append(f"[{name}]")
            lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bot_process(fake: FakeDiscord, folder: Path, config: Path) -> BotProcess:
    """The real, unmodified ``python -m bot`` on ``config``, logging to ``folder/bot.log``."""
    return BotProcess(
        fake,
        module="bot",
        args=["--config", str(config)],
        cwd=ROOT,
        log_path=folder / "bot.log",
        python=sys.executable,
    )


@contextlib.asynccontextmanager
async def started(process: BotProcess) -> AsyncIterator[BotProcess]:
    """Start the process; SIGKILL and reap it whatever happens."""
    await process.start()
    try:
        yield process
    finally:
        if process.running:
            await process.kill()


def rss(process: BotProcess) -> int:
    """Resident memory of the bot process and any children, in bytes."""
    assert process.proc is not None
    proc = psutil.Process(process.proc.pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])


def log_problems(path: Path, limit: int = 4) -> tuple[int, list[str]]:
    """How many WARNING/ERROR/Traceback lines the log holds, and the first few."""
    if not path.exists():
        return 0, []
    bad = [
        line
        for line in path.read_text(errors="replace").splitlines()
        if (" WARNING " in line or " ERROR " in line or "Traceback" in line)
        and not any(noise in line for noise in NOISE)
    ]
    return len(bad), [line[:200] for line in bad[:limit]]


def add_log_evidence(report: Report, label: str, path: Path) -> None:
    """Note the warnings and errors of a bot log."""
    count, first = log_problems(path)
    report.notes.append(
        f"{label} log: {count} WARNING/ERROR/Traceback line(s) (voice-library warnings ignored)"
    )
    report.notes += [f"  | {line}" for line in first]


def tree_state() -> str:
    """The commit the bot runs from, and how many files under bot/ differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    dirty = [line for line in git("status", "--porcelain", "--", "bot").splitlines() if line]
    return f"bot at {git('rev-parse', '--short', 'HEAD') or '?'}" + (
        f" + {len(dirty)} uncommitted file(s) under bot/" if dirty else " (clean)"
    )


def print_report(report: Report) -> None:
    """The compact table, then the notes."""
    head = ("metric", "value", "baseline", "ratio", "target", "ok")
    cells = [head] + [
        (
            r.metric,
            r.value,
            r.baseline,
            r.ratio,
            r.target,
            "" if r.ok is None else ("yes" if r.ok else "MISSED"),
        )
        for r in report.rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    print(f"\n== {report.name}" + (f": {report.title}" if report.title else "") + " ==")
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for note in report.notes:
        print(f"  {note}")


def finish(reports: Sequence[Report]) -> int:
    """Print every report and the missed targets; 1 if any target was missed."""
    for report in reports:
        print_report(report)
    missed = [(r.name, row) for r in reports for row in r.missed]
    print()
    for name, row in missed:
        print(f"TARGET MISSED [{name}] {row.metric}: {row.value} (target {row.target})")
    if not missed:
        print("all targets met")
    return 1 if missed else 0
