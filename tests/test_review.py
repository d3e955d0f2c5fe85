"""FSRS scheduling: order of intervals, growth, persistence, due and mastery on a fixed clock."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import Rating
from bot.domain.progress.review import (
    MAX_INTERVAL_DAYS,
    ReviewError,
    due_at,
    from_fsrs,
    is_due,
    new_card,
    retrievability,
    review,
    to_fsrs,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def seasoned(goods: int = 3) -> tuple[str, datetime]:
    """A card answered Good ``goods`` times, each on its due date; returns it and its due time."""
    card, when = None, T0
    for _ in range(goods):
        result = review(card, Rating.GOOD, when, fuzz=False)
        card, when = result.card_json, result.due
    assert card is not None
    return card, when


def test_rating_mapping_round_trips() -> None:
    assert [to_fsrs(r) for r in Rating] == list(fsrs.Rating)
    assert all(from_fsrs(to_fsrs(r)) is r for r in Rating)


def test_first_review_orders_the_ratings() -> None:
    due = {r: review(None, r, T0, fuzz=False).due for r in Rating}
    assert due[Rating.AGAIN] <= due[Rating.HARD] < due[Rating.GOOD] < due[Rating.EASY]
    # Day-scale: no learning steps, so even Again comes back tomorrow, not in a minute.
    assert due[Rating.AGAIN] == T0 + timedelta(days=1)


def test_on_a_review_card_good_beats_hard_beats_again() -> None:
    card, when = seasoned()
    gap = {r: review(card, r, when, fuzz=False).due - when for r in Rating}
    assert gap[Rating.AGAIN] < gap[Rating.HARD] < gap[Rating.GOOD] < gap[Rating.EASY]
    assert gap[Rating.AGAIN] >= timedelta(days=1)


def test_again_lowers_stability_and_raises_difficulty() -> None:
    card, when = seasoned()
    good = review(card, Rating.GOOD, when, fuzz=False)
    again = review(card, Rating.AGAIN, when, fuzz=False)
    assert again.stability < good.stability
    assert again.difficulty > good.difficulty


def test_intervals_grow_on_repeated_good_up_to_the_cap() -> None:
    card, when, gaps = None, T0, []
    for _ in range(8):
        result = review(card, Rating.GOOD, when, fuzz=False)
        gaps.append((result.due - when).days)
        card, when = result.card_json, result.due
    growing = gaps[: gaps.index(MAX_INTERVAL_DAYS)]
    assert growing == sorted(set(growing)), gaps  # strictly increasing until capped
    assert len(growing) >= 3
    assert max(gaps) == MAX_INTERVAL_DAYS


def test_reviewed_card_reports_state_and_due_in_utc() -> None:
    result = review(None, Rating.GOOD, T0, fuzz=False)
    assert result.state == "review"
    assert result.due.tzinfo is UTC
    assert result.due == due_at(result.card_json)
    assert result.stability > 0 and 1 <= result.difficulty <= 10


def test_json_round_trips() -> None:
    card, _ = seasoned()
    again = fsrs.Card.from_json(card).to_json()
    assert json.loads(again) == json.loads(card)
    stored = json.loads(card)
    assert stored["state"] == fsrs.State.Review
    assert datetime.fromisoformat(stored["last_review"]) < datetime.fromisoformat(stored["due"])


def test_new_card_is_due_now_and_deterministic() -> None:
    card = new_card(T0)
    assert card == new_card(T0)  # no system clock inside: same instant, same card
    assert is_due(card, T0)
    assert not is_due(card, T0 - timedelta(seconds=1))
    assert retrievability(card, T0) == 0.0
    assert is_due(None, T0) and retrievability(None, T0) == 0.0


def test_due_and_retrievability_on_a_fixed_clock() -> None:
    result = review(None, Rating.GOOD, T0, fuzz=False)
    card = result.card_json
    assert not is_due(card, result.due - timedelta(seconds=1))
    assert is_due(card, result.due)
    assert retrievability(card, T0) == pytest.approx(1.0)
    # FSRS schedules the next review for when recall has decayed to the desired 90 %.
    assert retrievability(card, result.due) == pytest.approx(0.9, abs=0.02)
    later = [retrievability(card, T0 + timedelta(days=d)) for d in (1, 5, 30, 300)]
    assert later == sorted(later, reverse=True)
    assert 0.0 < later[-1] < later[0] < 1.0


def test_fuzz_off_is_deterministic() -> None:
    card, when = seasoned(4)
    dues = {review(card, Rating.GOOD, when, fuzz=False).due for _ in range(20)}
    assert len(dues) == 1


def test_fuzz_on_stays_near_the_unfuzzed_due_date() -> None:
    card, when = seasoned(4)
    plain = review(card, Rating.GOOD, when, fuzz=False).due - when
    fuzzed = {review(card, Rating.GOOD, when, fuzz=True).due - when for _ in range(50)}
    assert all(abs(f - plain) <= plain * 0.15 + timedelta(days=1) for f in fuzzed)
    assert len(fuzzed) > 1  # 50 draws over a range of several days: all equal is ~impossible


def test_any_aware_zone_works_and_naive_is_refused() -> None:
    in_utc = review(None, Rating.GOOD, T0, fuzz=False)
    for tz in (ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-5))):
        assert review(None, Rating.GOOD, T0.astimezone(tz), fuzz=False).due == in_utc.due
    with pytest.raises(ReviewError):
        review(None, Rating.GOOD, T0.replace(tzinfo=None), fuzz=False)


def test_garbage_card_is_a_review_error() -> None:
    for bad in ("", "not json", "{}", '{"card_id": 1}'):
        with pytest.raises(ReviewError):
            review(bad, Rating.GOOD, T0, fuzz=False)


@settings(max_examples=50, deadline=None)
@given(
    ratings=st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=12),
    waits=st.lists(st.integers(min_value=0, max_value=400), min_size=12, max_size=12),
)
def test_any_history_keeps_the_card_sane(ratings: list[Rating], waits: list[int]) -> None:
    card, when = None, T0
    for rating, wait in zip(ratings, waits, strict=False):
        result = review(card, rating, when, fuzz=False)
        assert timedelta(days=1) <= result.due - when <= timedelta(days=MAX_INTERVAL_DAYS)
        assert 1.0 <= result.difficulty <= 10.0
        assert 0.0 <= retrievability(result.card_json, when + timedelta(days=wait)) <= 1.0
        card, when = result.card_json, when + timedelta(days=wait, hours=1)


def test_new_domain_modules_import_without_discord_or_pyplot() -> None:
    modules = [
        f"bot.domain.progress.{name}" for name in ("review", "streaks", "leaderboard", "charts")
    ]
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'discord' or name == 'matplotlib.pyplot':\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"import importlib\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
