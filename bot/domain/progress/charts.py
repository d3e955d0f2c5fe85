"""Progress charts as PNG bytes: coverage over time and mastery per topic.

Built on matplotlib's object-oriented API with the Agg canvas and never pyplot, so there is no
global figure state: each call owns its Figure, and callers may run it in ``asyncio.to_thread``.
Nothing is written to disk; the PNG goes to memory.

The background is transparent, so the chart sits on Discord's own dark (#313338) or light
(#FFFFFF) theme. Every colour has a relative luminance near 0.25, the value whose contrast
against both of those backgrounds is the same (about 3.5:1), so nothing fades on either.

Drawing is what /stats waits for, so the chart is lean: lines and texts placed straight on the
figure, without Axes (whose tick machinery cost more than the whole chart), and few texts
(about a millisecond each): three coverage ticks, a few dates, one label per topic.
"""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox, BboxTransform, Transform

from bot.domain.progress.stats import ROLLING_ANSWERS, ROLLING_DAYS, Trend

SIZE = (6.4, 4.8)  # inches; at DPI this is 640 × 480, about what Discord shows without shrinking
DPI = 100
TEXT = "#7F8C9A"  # slate grey: 3.7:1 on dark, 3.4:1 on light
LINE = "#727FF2"  # light blurple: 3.6:1 on dark, 3.5:1 on light
DOTS = "#C77C2E"  # amber, so dots and line differ in hue too: 3.8:1 on dark, 3.3:1 on light
EMPTY = "no graded answers yet"
NO_TOPICS = "no topics reviewed yet"
# Unhinted glyphs draw a third faster and look the same at this size. matplotlib reads this at
# every draw, from global settings; this module is the process's only matplotlib user.
matplotlib.rcParams["text.hinting"] = "no_hinting"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Where things go, in fractions of the figure: the coverage plot (left, bottom, width, height)
# and the band (bottom, top) of the mastery bars, both right of the labels.
LEFT, RIGHT = 0.25, 0.96
COVERAGE = (LEFT, 0.50, RIGHT - LEFT, 0.36)
BARS = (0.03, 0.35)
Y_RANGE = (-4.0, 104.0)  # percent; a little room so 0 % and 100 % dots are not cut
PERCENTS = (0, 50, 100)


def _heading(trend: Trend) -> str:
    if not trend.days:
        return "coverage"
    dots = "daily mean" if trend.per_day else "each answer"
    line = f"last {ROLLING_DAYS} days" if trend.per_day else f"last {ROLLING_ANSWERS} answers"
    return f"coverage: dots {dots}, line mean of {line}"


def _coverage_frame(fig: Figure) -> None:
    """The left and bottom edges and the 0 / 50 / 100 % labels."""
    left, bottom, width, height = COVERAGE
    edges = Line2D([left, left, left + width], [bottom + height, bottom, bottom], color=TEXT)
    fig.add_artist(edges)
    for percent in PERCENTS:
        y = bottom + height * (percent - Y_RANGE[0]) / (Y_RANGE[1] - Y_RANGE[0])
        fig.text(left - 0.012, y, f"{percent}%", ha="right", va="center", color=TEXT, fontsize=10)


def _date_labels(fig: Figure, start: float, end: float) -> None:
    """A few dates under the plot, as matplotlib would choose them for an axis."""
    left, bottom, width, _ = COVERAGE
    locator = AutoDateLocator(minticks=3, maxticks=5)
    ticks = [t for t in locator.tick_values(num2date(start), num2date(end)) if start <= t <= end]
    formatter = ConciseDateFormatter(locator)
    for tick, label in zip(ticks, formatter.format_ticks(ticks), strict=True):
        x = left + width * (tick - start) / (end - start)
        fig.text(x, bottom - 0.015, label, ha="center", va="top", color=TEXT, fontsize=10)
    if offset := formatter.get_offset():  # what the labels leave out, such as the year
        fig.text(left + width, bottom - 0.06, offset, ha="right", va="top", color=TEXT, fontsize=10)


def _coverage_panel(fig: Figure, trend: Trend) -> None:
    """Dots for coverage of each answer (or day) and a line for the rolling mean."""
    _coverage_frame(fig)
    if not trend.days:
        middle = (LEFT + RIGHT) / 2, COVERAGE[1] + COVERAGE[3] / 2
        fig.text(*middle, EMPTY, ha="center", va="center", color=TEXT)
        return
    # Days since the Unix epoch → matplotlib's day numbers (per call: rcParams may move the epoch).
    epoch = date2num(datetime(1970, 1, 1, tzinfo=UTC))
    x = [day + epoch for day in trend.days]
    pad = (x[-1] - x[0]) * 0.03 or 1.0  # a single point gets a day either side
    start, end = x[0] - pad, x[-1] + pad
    data = _data_to_figure(fig, (start, Y_RANGE[0], end, Y_RANGE[1]))
    grid = [[(start, p), (end, p)] for p in PERCENTS]
    fig.add_artist(LineCollection(grid, colors=TEXT, alpha=0.3, linewidths=0.8, transform=data))
    dots = [_percent(v) for v in trend.coverage]
    size = 3.5 if trend.per_day else 5.0  # days are many; single answers here are few
    dotted: dict[str, Any] = {"linestyle": "none", "marker": "o", "markersize": size, "mew": 0}
    fig.add_artist(Line2D(x, dots, color=DOTS, transform=data, **dotted))
    mean = [_percent(v) for v in trend.mean]
    fig.add_artist(Line2D(x, mean, color=LINE, linewidth=2, transform=data))
    _date_labels(fig, start, end)


def _data_to_figure(fig: Figure, limits: tuple[float, float, float, float]) -> Transform:
    """Where (day, percent) goes on the figure: the limits fill the coverage plot's box."""
    x0, y0, x1, y1 = limits
    return BboxTransform(Bbox([[x0, y0], [x1, y1]]), Bbox.from_bounds(*COVERAGE)) + fig.transFigure


def _mastery_panel(fig: Figure, mastery: dict[str, float]) -> None:
    """Bars of mastery per topic on a faint 100 % track, weakest at the top."""
    if not mastery:
        middle = (LEFT + RIGHT) / 2, (BARS[0] + BARS[1]) / 2
        fig.text(*middle, NO_TOPICS, ha="center", va="center", color=TEXT)
        return
    # Strongest at the bottom, weakest at the top where the eye starts.
    ranked = sorted(mastery.items(), key=lambda item: (-item[1], item[0]))[::-1]
    pitch = (BARS[1] - BARS[0]) / len(ranked)
    rows = [BARS[1] - (i + 0.5) * pitch for i in range(len(ranked))]
    values = [_percent(value) for _, value in ranked]
    ends = [LEFT + (RIGHT - LEFT) * value / 100 for value in values]
    # Bars as thick lines, 70 % of a row high: two line collections instead of a patch a bar.
    bars: dict[str, Any] = {"linewidths": 0.7 * pitch * SIZE[1] * 72, "capstyle": "butt"}
    tracks = [[(LEFT, y), (RIGHT, y)] for y in rows]
    fig.add_artist(LineCollection(tracks, colors=TEXT, alpha=0.2, **bars))
    filled = [[(LEFT, y), (end, y)] for y, end in zip(rows, ends, strict=True)]
    fig.add_artist(LineCollection(filled, colors=LINE, **bars))
    for y, (name, _), value in zip(rows, ranked, values, strict=True):
        label = f"{name} {value:.0f}%"
        fig.text(LEFT - 0.012, y, label, ha="right", va="center", color=TEXT, fontsize=10)


def _percent(value: float) -> float:
    return min(1.0, max(0.0, value)) * 100


def _png(canvas: FigureCanvasAgg) -> bytes:
    """The drawn canvas as an RGBA PNG, written here rather than by Pillow: unfiltered rows and
    zlib's fastest level. Choosing row filters cost Pillow more than compressing does, and this
    picture, mostly transparent, shrinks well anyway. No metadata: the bytes depend only on
    what is drawn."""
    width, height = canvas.get_width_height()
    rows = np.asarray(canvas.buffer_rgba()).reshape(height, width * 4)
    unfiltered = np.hstack([np.zeros((height, 1), np.uint8), rows])  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    chunks = [(b"IHDR", header), (b"IDAT", zlib.compress(unfiltered.tobytes(), 1)), (b"IEND", b"")]
    return PNG_SIGNATURE + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in chunks
    )


def render_progress(trend: Trend, mastery: dict[str, float], title: str) -> bytes:
    """A PNG of coverage (0–1) over time and mastery (0–1) per topic, with empty states."""
    fig = Figure(figsize=SIZE, dpi=DPI, facecolor="none")  # transparent: the theme shows
    canvas = FigureCanvasAgg(fig)  # attaches itself to the figure; no pyplot, no registry
    fig.text(LEFT, 0.955, title, color=TEXT, fontsize=13, fontweight="bold")
    fig.text(LEFT, COVERAGE[1] + COVERAGE[3] + 0.025, _heading(trend), color=TEXT, fontsize=11)
    _coverage_panel(fig, trend)
    fig.text(LEFT, BARS[1] + 0.025, "mastery: chance of recall today", color=TEXT, fontsize=11)
    _mastery_panel(fig, mastery)
    canvas.draw()
    return _png(canvas)
