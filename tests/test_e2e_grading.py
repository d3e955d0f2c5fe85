"""End to end: self-grading with core points and evidence, through the real bot process and the
fake Discord, in a server (a /followup and a daily post) and in a DM round.

Expected quotes come from the same matcher over the same bank, so the tests read what the
candidate sees: their own words or the not-found note under each point, none pre-ticked."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from bot.core.models import Bank, Question
from bot.domain.answers.evidence import NOT_FOUND, EvidenceIndex, describe
from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.driver import UserDriver
from tests.test_e2e_mock import checkbox_options

QUESTION = "cache-stampede"  # seven key points, the first three core: weights 2 2 2 1 1 1 1
ANSWER = (
    "Add jitter to the TTL so keys written together do not expire together. "
    "A background job refreshes hot keys."
)


@pytest.fixture(scope="module")
def index(bank: Bank) -> EvidenceIndex:
    return EvidenceIndex.build(bank)


def plain_points(question: Question) -> list[str]:
    """The values of the checklist's plain (not core) points."""
    return [str(i) for i, p in enumerate(question.key_points) if not p.core]


def weighted_percent(question: Question) -> int:
    """The score for ticking every plain point and no core one: core points weigh double."""
    plain = len(plain_points(question))
    return round(100 * plain / (plain + 2 * (len(question.key_points) - plain)))


async def open_checklist(user: UserDriver, message: object, answer: str) -> tuple[object, list]:
    """Answer the question on a posted message and open its checklist: (modal, options)."""
    opened = await user.click(message, "Answer")
    saved = await user.submit_modal(opened.modal, {"answer": answer})
    assert saved.ephemeral
    checklist = await user.click(saved.message, "Grade myself")
    assert checklist.modal is not None and checklist.modal.user_id == user.id
    return checklist.modal, checkbox_options(checklist.modal.components)


def public_text(fake: FakeDiscord) -> str:
    """Everything anyone but its one recipient can read in the servers' channels."""
    return "\n".join(
        m.text
        for m in fake.state.messages.values()
        if m.guild_id is not None and m.visible_to is None and not m.deleted
    )


async def test_followup_checklist_shows_own_words_and_core_points_weigh_double(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, index: EvidenceIndex
) -> None:
    alice, bob = fake.user("alice"), fake.user("bob")
    posted = await alice.slash("followup", question=QUESTION)
    modal, options = await open_checklist(alice, posted.message, ANSWER)
    expected = [describe(e) for e in index.match(QUESTION, None, ANSWER)]
    assert [o["description"] for o in options] == expected
    assert expected[:4] == [NOT_FOUND] * 4 and expected[6].startswith("You: “Add jitter")
    assert not any(o.get("default") for o in options), "a box was pre-ticked"
    scored = await alice.submit_modal(modal, {"points": ["3", "4", "5", "6"]})  # no core point
    text = scored.text
    assert scored.ephemeral and "Covered **4 of 7** key points" in text
    assert "`▰▰▰▰▱▱▱▱▱▱` 40% (core points count double)" in text  # 4/7 with equal weights
    assert "Core points: 0 of 3 covered" in text and "Suggested **Hard**" in text
    assert "1 of the points you ticked was not found in your answer: fine if you said it" in text
    names = [f["name"] for f in scored.message.embeds[0]["fields"]]
    assert [n.split(":")[0] for n in names[:3]] == ["Missed core point"] * 3
    # Two of three core points and every plain one: 80% would be Good; a core point is missing.
    again = await bob.slash("followup", question=QUESTION)
    modal, _ = await open_checklist(bob, again.message, "I would use single-flight.")
    capped = await bob.submit_modal(modal, {"points": ["0", "1", "3", "4", "5", "6"]})
    assert "80%" in capped.text and "Suggested **Hard**" in capped.text
    assert "at most Hard while a core point is missed" in capped.text
    shown = public_text(fake)
    assert "Add jitter" not in shown and "single-flight." not in shown  # answers stay private
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        rows = db.execute("SELECT user_id, rating, core, weighted FROM attempts ORDER BY id")
        assert [tuple(r) for r in rows] == [
            (alice.id, "hard", "[0, 1, 2]", pytest.approx(0.4)),
            (bob.id, "hard", "[0, 1, 2]", pytest.approx(0.8)),
        ]


async def test_a_daily_post_grades_the_same_way(
    fake: FakeDiscord, followup: BotProcess, index: EvidenceIndex, bank: Bank
) -> None:
    admin, bob = fake.user("ada", manage_guild=True), fake.user("bob")
    channel = fake.default_guild.channel("interviews")
    await admin.slash("daily set", options={"channel": channel}, time="00:00", timezone="UTC")
    await admin.slash("daily preview", options={"channel": channel})
    (post,) = [m for m in fake.messages(channel) if "Daily question" in m.text]
    found = re.search(r"id: ([a-z0-9-]+) · Answer", post.text)
    assert found is not None
    qid = found[1]
    question = bank.questions[qid]
    answer = f"{question.key_points[-1].label}. The rest I would work out on the day."
    modal, options = await open_checklist(bob, post, answer)
    assert [o["description"] for o in options] == [
        describe(e) for e in index.match(qid, None, answer)
    ]
    assert not any(o.get("default") for o in options)
    scored = await bob.submit_modal(modal, {"points": plain_points(question)})
    assert f"` {weighted_percent(question)}% (core points count double)" in scored.text
    assert "Suggested **Hard**" in scored.text or "Suggested **Again**" in scored.text
    assert answer not in public_text(fake)


async def test_a_dm_round_shows_own_words_and_weights_core_points(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, index: EvidenceIndex, bank: Bank
) -> None:
    alice = fake.user("alice")
    await alice.slash("mock start", topics="cache", questions=1, minutes=8)
    asked = await alice.wait_dm(contains="Question 1 of 1")
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        (state,) = db.execute("SELECT state FROM rounds").fetchone()
    question = bank.questions[json.loads(state)["question_ids"][0]]
    answer = f"{question.key_points[-1].label}. Beyond that I am not sure."
    await alice.send_dm(answer)
    await alice.click(asked, "Done")
    prompt = await alice.wait_dm(contains="Grade yourself")
    checklist = await alice.click(prompt, "Grade myself")
    options = checkbox_options(checklist.modal.components)
    expected = [describe(e) for e in index.match(question.id, None, answer)]
    assert [o["description"] for o in options] == expected
    assert expected[-1].startswith("You: “")  # the words of the last point, quoted back
    assert not any(o.get("default") for o in options)
    await alice.submit_modal(checklist.modal, {"points": plain_points(question)})
    scored = await alice.wait_dm(contains="Question score:")
    percent = weighted_percent(question)
    core = sum(p.core for p in question.key_points)
    assert f"{percent}% · round so far {percent}%" in scored.text
    assert f"Core points: 0 of {core} covered · Suggested rating: " in scored.text
    assert scored.text.split("Suggested rating: ")[1].split()[0] in ("Again", "Hard")
    probe = await alice.wait_dm(contains="Let me dig into that")
    await alice.send_dm("The lock has a TTL.")
    await alice.click(probe, "Done")
    prompt = await alice.wait_dm(contains="Grade yourself")
    checklist = await alice.click(prompt, "Grade myself")
    await alice.submit_modal(checklist.modal, {"points": []})
    card = await alice.wait_dm(contains="Scorecard")
    assert f"Scorecard · {percent}% of key points" in card.text
    assert f"Core points: 0 of {core} covered" in card.text and "(core) " in card.text
