"""Core points weigh double everywhere a score is read, through the real flow and store: the
result, the FSRS rating, /stats, the leaderboard, mock rounds and their scorecards; stored
answers keep the weights they were graded with; the evidence index follows /admin reload."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.config import MockSettings
from bot.core.models import Bank, Rating
from bot.core.round_state import Round
from bot.domain.answers.evidence import NOT_FOUND, describe
from bot.domain.answers.service import Flow, Where
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.mock.scorecard import build, part_lines
from bot.domain.mock.service import MockService
from bot.domain.progress import review
from bot.domain.progress.service import Progress
from bot.store import Store
from bot.ui.progress.embeds import stats_embed

QUESTION = "cache-stampede"  # seven key points, the first three core: weights 2 2 2 1 1 1 1
PLAIN = [3, 4, 5, 6]  # every plain point and no core one: 4 of 10, where equal weights say 4/7
ANSWER = (
    "Add jitter to the TTL so keys written together do not expire together. "
    "A background job refreshes hot keys."
)
HERE = Where(source="followup", guild_id=5, channel_id=6)


@pytest.fixture
def progress(store: Store, bank: Bank, clock: FixedClock) -> Progress:
    return Progress(store, Library(DEFAULT_CONTENT, bank), clock, fuzz=False)


@pytest.fixture
def flow(store: Store, progress: Progress, clock: FixedClock) -> Flow:
    return Flow(store, progress.library, clock, 4000, progress=progress)


async def due_after(store: Store, user: int, rating: Rating, clock: FixedClock) -> None:
    """The user's card was reviewed with exactly this rating (a first review, no fuzz)."""
    card = await store.cards.get(user, QUESTION)
    assert card is not None and card.due == review.review(None, rating, clock.now(), False).due


async def test_the_score_weights_core_points_and_the_fsrs_rating_is_at_most_hard(
    flow: Flow, store: Store, clock: FixedClock
) -> None:
    attempt = await flow.answer(1, QUESTION, None, ANSWER, HERE)
    attempt, result = await flow.grade(1, attempt.id, PLAIN)
    assert result.percent == 40 and attempt.coverage == pytest.approx(0.4)
    assert result.rating is Rating.HARD and attempt.rating is Rating.HARD
    assert attempt.core == (0, 1, 2) and result.core_tally == (0, 3)
    assert [p.core for p in result.missed] == [True, True, True]  # core points named first
    assert result.unfound == (3,)  # the Redis lock was ticked, but the answer never said it
    await due_after(store, 1, Rating.HARD, clock)
    # Two of three core points and every plain one: 80% is Good, but a core point is missing.
    other = await flow.answer(2, QUESTION, None, ANSWER, HERE)
    other, capped = await flow.grade(2, other.id, [0, 1, *PLAIN])
    assert capped.percent == 80 and capped.rating is Rating.HARD and capped.capped
    await due_after(store, 2, Rating.HARD, clock)


async def test_a_stored_answer_is_re_scored_with_its_own_marks(
    flow: Flow, store: Store, clock: FixedClock, bank: Bank
) -> None:
    before = await flow.answer(3, QUESTION, None, ANSWER, HERE)
    await store.attempts.grade(before.id, PLAIN, Rating.GOOD, clock.now())  # as before 006
    again, result = await flow.grade(3, before.id, [0, 1, 2])  # a second submit keeps the first
    assert again.covered == tuple(PLAIN) and again.core is None
    assert result.coverage == again.coverage == pytest.approx(4 / 7)  # equal weights, as graded
    assert not result.missed_core and result.core_tally is None
    marked = await flow.answer(3, QUESTION, None, ANSWER, HERE)
    await flow.grade(3, marked.id, PLAIN)
    # An edited bank makes the plain points core: the answer keeps the marks it was graded with.
    question = bank.questions[QUESTION]
    moved = tuple(replace(p, core=i in PLAIN) for i, p in enumerate(question.key_points))
    edited = replace(
        bank, questions={**bank.questions, QUESTION: replace(question, key_points=moved)}
    )
    later = Flow(store, Library(DEFAULT_CONTENT, edited), clock, 4000)
    stored, shown = await later.grade(3, marked.id, [])
    assert stored.coverage == shown.coverage == pytest.approx(0.4)
    assert [p.label for p in shown.missed_core] == [p.label for p in question.key_points[:3]]


async def test_stats_and_leaderboard_read_the_weighted_share_and_core_points_apart(
    flow: Flow, progress: Progress, store: Store, clock: FixedClock, bank: Bank
) -> None:
    await store.users.set_setting(4, "leaderboard", True)
    first = await flow.answer(4, QUESTION, None, ANSWER, HERE)
    await flow.grade(4, first.id, PLAIN)  # 4/10
    clock.advance(timedelta(hours=1))
    second = await flow.answer(4, QUESTION, None, ANSWER, HERE)
    await flow.grade(4, second.id, [0, 1, 2, 3])  # 7/10
    stats = await progress.stats(4)
    assert stats.coverage == pytest.approx(0.55)
    assert (stats.core_covered, stats.core_total) == (3, 6)
    cache = next(t for t in stats.topics if t.topic == "cache")
    assert (cache.core_covered, cache.core_total) == (3, 6)
    shown = stats_embed("dana", stats, bank.topics).to_dict()
    assert "Core points: 3 of 6 covered" in shown["description"]
    assert "coverage **55%**" in shown["description"]
    assert "core 3/6" in shown["fields"][0]["value"]
    assert await progress.leaderboard(5, "all") == [(4, 11)]  # 4 + 7 points; equal weights: 12


async def test_a_mock_round_weighs_each_step_by_its_stored_marks(
    store: Store, flow: Flow, clock: FixedClock, bank: Bank
) -> None:
    mock = MockService(store, flow, clock, MockSettings())
    state = await mock.start(7, ["cache"], 1, 8)
    await store.rounds.save(
        Round.from_json(state.to_json().replace(state.question_id, QUESTION)), clock.now()
    )
    await mock.add_text(7, ANSWER)
    graded = await mock.grade(7, state.id, (await mock.done(7)).seq, PLAIN)
    step = graded.steps[-1]
    assert step.core == (0, 1, 2) and step.unfound == 1
    card = build(graded, bank)
    assert card.coverage == pytest.approx(0.4) and card.core == (0, 3)
    assert card.missed[0].startswith("(core) ")
    lines = part_lines(graded, card)
    assert lines[0].startswith("Question score: 4/7 key points ▰▰▰▰▱▱▱▱▱▱ 40%")
    assert lines[1] == "Core points: 0 of 3 covered · Suggested rating: Hard"
    assert lines[2].startswith("1 of the points you ticked was not found in your answer")
    assert Round.from_json(graded.to_json()) == graded  # the marks survive the store
    old = graded.to_json().replace('"core": [0, 1, 2], ', "")  # a step saved before 006
    assert Round.from_json(old).steps[-1].core is None
    assert build(Round.from_json(old), bank).coverage == pytest.approx(4 / 7)


async def test_reload_rebuilds_the_evidence_index(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, root)
    library = Library.load(root)
    answer = "Quorum reads with sloppy hinted handoff and a merkle anti-entropy sweep."
    before = [describe(e) for e in library.evidence.match(QUESTION, None, answer)]
    assert set(before) == {NOT_FOUND}
    path = root / "cache" / f"{QUESTION}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("TTL jitter stops keys written together from expiring together", answer[:-1]),
        encoding="utf-8",
    )
    old_index = library.evidence
    library.reload()
    assert library.evidence is not old_index
    after = [describe(e) for e in library.evidence.match(QUESTION, None, answer)]
    assert after[-1].startswith("You: “") and after[:-1] == before[:-1]
