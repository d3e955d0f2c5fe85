"""Progress charts: real PNGs, empty states, daily aggregation, safe to run in threads."""

from __future__ import annotations

import struct
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from random import Random

import numpy as np
import pytest

from bot.charts import DPI, MAX_POINTS, SIZE, render_progress, rolling_mean, series

PNG = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
MASTERY = {"cache": 0.8, "database": 0.35, "messaging": 1.0, "security": 0.0}


def answers(n: int, seed: int = 1) -> list[tuple[datetime, float]]:
    """``n`` answers spread over a year, with coverage 0..1."""
    rng = Random(seed)
    return [(T0 + timedelta(minutes=rng.randrange(0, 525_600)), rng.random()) for _ in range(n)]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk."""
    assert data.startswith(PNG)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    ("points", "mastery"),
    [([], {}), (answers(1), {}), ([], MASTERY), (answers(30), MASTERY)],
    ids=["empty", "one-answer", "mastery-only", "normal"],
)
def test_renders_a_png(points: list[tuple[datetime, float]], mastery: dict[str, float]) -> None:
    data = render_progress(points, mastery, "Progress of tester")
    assert data.startswith(PNG)
    assert png_size(data) == (int(SIZE[0] * DPI), int(SIZE[1] * DPI))
    assert 5_000 < len(data) < 500_000
    assert data.endswith(b"IEND\xaeB`\x82")


def test_output_depends_only_on_the_data() -> None:
    points = answers(50)
    first = render_progress(points, MASTERY, "same")
    assert render_progress(list(reversed(points)), dict(reversed(MASTERY.items())), "same") == first
    assert render_progress(points, MASTERY, "different title") != first


def test_rolling_mean_covers_the_last_ten() -> None:
    values = np.arange(1.0, 13.0)  # 1..12
    mean = rolling_mean(values)
    assert mean[0] == 1.0
    assert mean[1] == 1.5
    assert mean[9] == pytest.approx(5.5)  # mean of 1..10
    assert mean[11] == pytest.approx(7.5)  # mean of 3..12
    assert rolling_mean(np.array([])).size == 0


def test_series_is_sorted_and_in_percent() -> None:
    points = [(T0 + timedelta(days=2), 0.5), (T0, 1.0), (T0 + timedelta(days=1), 0.0)]
    x, y, mean = series(points)
    assert list(np.diff(x)) == pytest.approx([1.0, 1.0])
    assert list(y) == [100.0, 0.0, 50.0]
    assert list(mean) == [100.0, 50.0, 50.0]


def test_many_points_are_aggregated_per_utc_day() -> None:
    # Three answers a day for 200 days: 600 points, over the limit.
    points = [(T0 + timedelta(days=d, hours=h), h / 10) for d in range(200) for h in (1, 2, 3)]
    assert len(points) > MAX_POINTS
    x, y, mean = series(points)
    assert len(x) == len(y) == len(mean) == 200
    assert y == pytest.approx(np.full(200, 20.0))  # mean of 10 %, 20 %, 30 %
    assert np.all(np.diff(x) == 1.0)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        render_progress([(datetime(2026, 1, 1), 0.5)], {}, "naive")  # noqa: DTZ001


def test_ten_thousand_points_render_quickly() -> None:
    points = answers(10_000)
    render_progress(points, MASTERY, "warm-up")  # the first call loads fonts
    start = time.perf_counter()
    data = render_progress(points, MASTERY, "timed")
    elapsed = time.perf_counter() - start
    assert data.startswith(PNG)
    # The target is < 100 ms on the dev machine; the bound is loose so CI noise cannot flake it.
    assert elapsed < 1.0, f"{elapsed * 1000:.0f} ms"


def test_threads_render_independently() -> None:
    jobs = [(answers(200, seed), MASTERY, f"user {seed}") for seed in range(8)]
    alone = [render_progress(*job) for job in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda job: render_progress(*job), jobs))
    assert together == alone
