"""Ids are forever: a merged or renamed question answers to its old id everywhere a stored id
is read back (attempts, review cards, daily rotations, old buttons, /followup question:)."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.models import Rating
from bot.domain.content.loader import DEFAULT_CONTENT, Library, load_bank
from bot.domain.content.picking import resolve
from bot.domain.daily.rules import next_daily_question
from bot.domain.services import Services
from bot.store import Store
from tests.test_content import edit

OLD = "cache-thundering-herd"  # say, the id the stampede question had before a rename


@pytest.fixture
def renamed(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, root)
    target = sorted((root / "cache").glob("*.yaml"))[0]
    edit(target, aliases=[OLD])
    return root, target.stem


def test_the_old_id_resolves_to_the_question_that_took_it(renamed: tuple[Path, str]) -> None:
    root, new = renamed
    bank = load_bank(root)
    assert bank.get(OLD) is bank.questions[new]
    assert resolve(bank, OLD) is bank.questions[new]  # /followup question:old-id
    assert OLD not in {q.id for q in bank.in_topics()}  # never listed twice


def test_a_daily_rotation_counts_the_old_id_as_the_question(renamed: tuple[Path, str]) -> None:
    root, new = renamed
    bank = load_bank(root)
    cache = [q.id for q in bank.in_topics(["cache"])]
    history = [OLD if qid == new else qid for qid in cache[:-1]]  # all but one, old id used
    assert next_daily_question(bank, ("cache",), history, random.Random(1)).id == cache[-1]


async def test_stored_attempts_and_cards_under_the_old_id_still_work(
    renamed: tuple[Path, str], tmp_path: Path
) -> None:
    root, new = renamed
    clock = FixedClock(datetime(2026, 12, 1, 12, tzinfo=UTC))
    store = await Store.open(tmp_path / "db.sqlite3")
    services = Services.build(Settings(), store, Library.load(root), clock)
    try:
        assert services.flow.question(OLD).id == new  # an old button's custom_id
        await services.progress.record(1, OLD, Rating.AGAIN, None)  # a card made before
        clock.advance(timedelta(days=3))
        due = await services.progress.next_for(1)
        assert due.question.id == new and due.reason == "due"
    finally:
        await store.close()
