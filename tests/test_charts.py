"""Progress charts: real PNGs for empty, small and huge histories, transparent and legible on
both Discord themes, reproducible, safe to run in threads; and the trends they draw."""

from __future__ import annotations

import io
import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from random import Random

import pytest
from PIL import Image

from bot.domain.progress.charts import DOTS, DPI, LINE, SIZE, TEXT, render_progress
from bot.domain.progress.stats import (
    MAX_POINTS,
    ROLLING_ANSWERS,
    ROLLING_DAYS,
    Trend,
    answer_trend,
    daily_trend,
)
from bot.store.cards import DayScores

PNG = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
MASTERY = {"cache": 0.8, "database": 0.35, "messaging": 1.0, "security": 0.0}
DARK, LIGHT = "#313338", "#FFFFFF"  # Discord's message backgrounds


def answers(n: int, seed: int = 1) -> list[tuple[datetime, float]]:
    """``n`` answers spread over a year, with coverage 0..1."""
    rng = Random(seed)
    return [(T0 + timedelta(minutes=rng.randrange(0, 525_600)), rng.random()) for _ in range(n)]


def per_day(points: list[tuple[datetime, float]]) -> list[DayScores]:
    """What the store's score_days table holds for these answers (all in UTC)."""
    days: dict[date, list[tuple[datetime, float]]] = {}
    for when, score in sorted(points):
        days.setdefault(when.date(), []).append((when, score))
    return [
        DayScores(day, len(rows), total, rows[0][0], rows[-1][0], weighted=total)
        for day, rows in sorted(days.items())
        for total in [sum(s for _, s in rows)]
    ]


def trend_of(n: int) -> Trend:
    """The trend /stats would draw for ``n`` answers: each one, or one dot a day when many."""
    points = answers(n)
    return answer_trend(points) if n <= MAX_POINTS else daily_trend(per_day(points))


def png_header(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour type from the IHDR chunk (6 is RGBA)."""
    assert data.startswith(PNG)
    assert data[12:16] == b"IHDR"
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("count", "mastery"),
    [(0, {}), (1, {}), (0, MASTERY), (10, MASTERY), (10_000, MASTERY)],
    ids=["empty", "one-answer", "mastery-only", "ten", "ten-thousand"],
)
def test_renders_a_transparent_png(count: int, mastery: dict[str, float]) -> None:
    data = render_progress(trend_of(count), mastery, "Progress of tester")
    assert png_header(data) == (int(SIZE[0] * DPI), int(SIZE[1] * DPI), 6)
    assert 5_000 < len(data) < 500_000
    assert data.endswith(b"IEND\xaeB`\x82")
    image = Image.open(io.BytesIO(data))
    assert image.getpixel((0, image.height - 1))[3] == 0  # the theme shows through
    assert image.getchannel("A").getextrema() == (0, 255)  # and something is drawn on it


def test_chart_colours_have_contrast_on_both_themes() -> None:
    for colour in (TEXT, LINE, DOTS):
        assert contrast(colour, DARK) >= 3.0, colour
        assert contrast(colour, LIGHT) >= 3.0, colour


def test_drawn_pixels_differ_from_both_backgrounds() -> None:
    image = Image.open(io.BytesIO(render_progress(trend_of(50), MASTERY, "t"))).convert("RGBA")
    for background in (DARK, LIGHT):
        base = Image.new("RGBA", image.size, background)
        base.alpha_composite(image)
        grey = base.convert("L")
        plain = Image.new("RGBA", (1, 1), background).convert("L").getpixel((0, 0))
        darkest, lightest = grey.getextrema()
        assert max(abs(darkest - plain), abs(lightest - plain)) > 60, background


def test_output_depends_only_on_the_data() -> None:
    trend = trend_of(50)
    first = render_progress(trend, MASTERY, "same")
    assert render_progress(trend, dict(reversed(MASTERY.items())), "same") == first
    assert render_progress(trend, MASTERY, "different title") != first
    assert render_progress(trend_of(51), MASTERY, "same") != first


def test_answer_trend_is_sorted_with_the_mean_of_the_last_ten() -> None:
    points = [(T0 + timedelta(hours=h), (h % 4) / 4) for h in range(12)]
    trend = answer_trend(list(reversed(points)))
    assert not trend.per_day
    assert list(trend.coverage) == [score for _, score in points]
    assert trend.days[1] - trend.days[0] == pytest.approx(1 / 24)
    assert trend.days[0] == pytest.approx(T0.timestamp() / 86400)
    scores = [score for _, score in points]
    assert trend.mean[0] == scores[0]
    assert trend.mean[1] == pytest.approx(sum(scores[:2]) / 2)
    assert trend.mean[11] == pytest.approx(sum(scores[2:12]) / ROLLING_ANSWERS)
    assert answer_trend([]) == Trend((), (), (), per_day=False)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        answer_trend([(datetime(2026, 1, 1), 0.5)])  # noqa: DTZ001


def test_daily_trend_is_one_dot_a_day_and_a_weekly_mean() -> None:
    # Three answers a day for 20 days, every other day left out: 10 active days.
    points = [
        (T0 + timedelta(days=d, hours=h), (d % 3) / 3) for d in range(0, 20, 2) for h in (1, 2, 3)
    ]
    trend = daily_trend(per_day(points))
    assert trend.per_day and len(trend.days) == 10
    assert trend.days[0] == (T0.date() - date(1970, 1, 1)).days + 0.5  # noon of the UTC day
    assert list(trend.coverage) == pytest.approx([(d % 3) / 3 for d in range(0, 20, 2)])
    # On day 10 the last week holds days 4, 6, 8 and 10: their answers' mean.
    week = [d for d in range(0, 20, 2) if 10 - ROLLING_DAYS < d <= 10]
    assert trend.mean[5] == pytest.approx(sum((d % 3) / 3 for d in week) / len(week))


def test_threads_render_independently() -> None:
    jobs = [(trend_of(200 + seed), MASTERY, f"user {seed}") for seed in range(8)]
    alone = [render_progress(*job) for job in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda job: render_progress(*job), jobs))
    assert together == alone
