"""Progress charts as PNG bytes: coverage over time and mastery per topic.

Built on matplotlib's object-oriented API with the Agg canvas and never pyplot, so there is no
global figure state: each call owns its Figure, and callers may run it in ``asyncio.to_thread``.
Nothing is written to disk; the PNG goes to memory.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

ROLLING = 10  # the rolling mean covers the last ten graded answers
MAX_POINTS = 400  # above this, one dot per UTC day: the eye cannot tell more dots apart anyway
SIZE = (8.0, 6.0)  # inches; at DPI this is 800 × 600, legible when Discord shrinks it
DPI = 100
BLURPLE = "#5865F2"
MUTED = "#99AAB5"
EMPTY = "no graded answers yet"
NO_TOPICS = "no topics reviewed yet"


def rolling_mean(values: np.ndarray, window: int = ROLLING) -> np.ndarray:
    """Mean of each value and up to ``window - 1`` before it (shorter at the start)."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def _seconds(when: datetime) -> float:
    """Epoch seconds of an aware time; a naive one would silently be read as server-local."""
    if when.tzinfo is None:
        raise ValueError(f"time must be timezone-aware: {when!r}")
    return when.timestamp()


def series(
    points: list[tuple[datetime, float]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted x (matplotlib date numbers), coverage % and its rolling mean %, per day if many."""
    # Epoch seconds → matplotlib day numbers by hand: date2num on 10,000 datetimes takes ~15 ms.
    seconds = np.fromiter((_seconds(when) for when, _ in points), float, len(points))
    order = np.argsort(seconds, kind="stable")
    epoch = date2num(datetime(1970, 1, 1, tzinfo=UTC))  # per call: rcParams["date.epoch"] may move
    x = seconds[order] / 86400 + epoch  # whole numbers fall on UTC midnights
    y = np.clip(np.fromiter((c for _, c in points), float, len(points))[order], 0.0, 1.0) * 100
    mean = rolling_mean(y)
    if len(points) <= MAX_POINTS:
        return x, y, mean
    days, first = np.unique(np.floor(x), return_index=True)
    last = np.append(first[1:], len(x)) - 1
    # The day's mean coverage as the dot; the rolling mean as it stood after the day's last answer.
    daily = np.add.reduceat(y, first) / np.diff(np.append(first, len(x)))
    return days + 0.5, daily, mean[last]


def _coverage_panel(ax: Axes, points: list[tuple[datetime, float]]) -> None:
    """Dots for coverage of each answer (or day) and a line for the rolling mean."""
    ax.set_ylim(-2, 102)
    ax.set_ylabel("coverage (%)")
    ax.grid(True, alpha=0.3)
    if not points:
        ax.text(0.5, 0.5, EMPTY, ha="center", va="center", transform=ax.transAxes, color=MUTED)
        ax.set_xticks([])
        return
    x, y, mean = series(points)
    dots = "per answer" if len(points) <= MAX_POINTS else "daily mean"
    ax.scatter(x, y, s=14, color=MUTED, alpha=0.7, label=f"coverage, {dots}", zorder=2)
    ax.plot(x, mean, color=BLURPLE, linewidth=2, label=f"mean of last {ROLLING}", zorder=3)
    if len(x) == 1:  # one day has no width; pad so the dot is not on the frame
        ax.set_xlim(x[0] - 1, x[0] + 1)
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.legend(loc="lower left", fontsize="small", framealpha=0.8)


def _mastery_panel(ax: Axes, mastery: dict[str, float]) -> None:
    """Horizontal bars of mastery per topic, weakest at the top where the eye starts."""
    ax.set_xlim(0, 100)
    ax.set_xlabel("mastery (%)")
    if not mastery:
        ax.text(0.5, 0.5, NO_TOPICS, ha="center", va="center", transform=ax.transAxes, color=MUTED)
        ax.set_yticks([])
        return
    ranked = sorted(mastery.items(), key=lambda item: (-item[1], item[0]))
    names = [name for name, _ in ranked]
    values = [min(1.0, max(0.0, value)) * 100 for _, value in ranked]
    bars = ax.barh(names, values, color=BLURPLE, height=0.6)
    ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize="small")
    ax.grid(True, axis="x", alpha=0.3)


def render_progress(
    points: list[tuple[datetime, float]], mastery: dict[str, float], title: str
) -> bytes:
    """A PNG of coverage (0–1) over time and mastery (0–1) per topic, with empty states."""
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)  # attaches itself to the figure; no pyplot, no global registry
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": (3, 2)})
    fig.subplots_adjust(left=0.17, right=0.95, top=0.92, bottom=0.08, hspace=0.35)
    fig.suptitle(title)
    _coverage_panel(top, points)
    _mastery_panel(bottom, mastery)
    buffer = io.BytesIO()
    # No metadata: the bytes then depend only on the data, which keeps output reproducible.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
