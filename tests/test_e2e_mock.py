"""End to end: a mock round in DMs through the real bot process and the fake Discord."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import bot_process, poll
from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.driver import UserDriver


def stored_rounds(tmp_path: Path) -> str:
    """Every round's stored state, as text."""
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        return " ".join(row[0] for row in db.execute("SELECT state FROM rounds"))


def checkbox_options(components: list[dict]) -> list[dict]:
    """The options of the checkbox group in a modal's components."""
    for component in components:
        inner = component.get("component", component)
        if "options" in inner:
            return inner["options"]
    raise AssertionError("no checkbox group in the modal")


async def grade_all(user: UserDriver, prompt_contains: str = "Grade yourself") -> None:
    prompt = await user.wait_dm(contains=prompt_contains)
    checklist = await user.click(prompt, "Grade myself")
    assert checklist.modal is not None
    points = [o["value"] for o in checkbox_options(checklist.modal.components)]
    await user.submit_modal(checklist.modal, {"points": points})


async def answer(user: UserDriver, *parts: str) -> None:
    for part in parts:
        await user.send_dm(part)


async def test_a_five_question_round_with_probe_and_scorecard(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    alice = fake.user("alice")
    started = await alice.slash("mock start", topics="cache,consistency", questions=5, minutes=8)
    assert started.ephemeral and "has started in our DMs" in started.text
    first = await alice.wait_dm(contains="Question 1 of 5")
    await answer(alice, "First I would look at the hit ratio.", "Then add jitter.")
    done = await alice.click(first, "Done")
    assert done.response_type in (5, 6)
    prompt = await alice.wait_dm(contains="Grade yourself")
    assert "hit ratio" in prompt.text and "jitter" in prompt.text
    checklist = await alice.click(prompt, "Grade myself")
    await alice.submit_modal(checklist.modal, {"points": ["0"]})  # thin: a probe follows
    probe = await alice.wait_dm(contains="Let me dig into that")
    await answer(alice, "A probe answer.", "done")
    await grade_all(alice)
    for number in range(2, 6):
        asked = await alice.wait_dm(contains=f"Question {number} of 5")
        await answer(alice, f"Answer {number}, part one.", f"Answer {number}, part two.")
        await alice.click(asked, "Done")
        await grade_all(alice)
    card = await alice.wait_dm(contains="Scorecard")
    assert "Per topic" in card.text and "Time" in card.text
    assert probe is not None
    history = await alice.slash("mock history")
    assert "5 of 5 questions" in history.text
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        sources = db.execute("SELECT DISTINCT source FROM attempts").fetchall()
        graded = db.execute("SELECT COUNT(*) FROM attempts WHERE covered IS NOT NULL").fetchone()
    assert sources == [("mock",)] and graded == (6,)


async def test_round_resumes_after_kill(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    alice = fake.user("alice")
    await alice.slash("mock start", questions=2, minutes=8)
    await alice.wait_dm(contains="Question 1 of 2")
    await answer(alice, "Written before the crash.")
    await poll(
        lambda: "Written before the crash." in stored_rounds(tmp_path),
        within=5,
        what="the answer saved in the round",
    )
    await followup.kill()
    restarted = bot_process(fake, tmp_path, bot_config)
    await restarted.start()
    await restarted.wait_ready()
    try:
        resumed = await alice.wait_dm(contains="your round continues")
        assert "Question 1 of 2" in resumed.text
        await answer(alice, "And after it.", "done")
        prompt = await alice.wait_dm(contains="Grade yourself")
        assert "Written before the crash." in prompt.text and "And after it." in prompt.text
        status = await alice.slash("mock status")
        assert "grading" in status.text
        stopped = await alice.slash("mock stop")
        assert "stopped" in stopped.text
        await alice.wait_dm(contains="Round stopped early")
    finally:
        await restarted.kill()


async def test_closed_dms_are_explained_and_remembered(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    bob = fake.user("bob")
    fake.close_dms_for(bob.user)
    refused = await bob.slash("mock start")
    assert refused.ephemeral and "Privacy Settings" in refused.text
    sends = len(fake.requests_matching("POST /channels/*/messages"))
    again = await bob.slash("mock start")
    assert "Privacy Settings" in again.text
    assert len(fake.requests_matching("POST /channels/*/messages")) == sends  # no new 403


async def test_idle_dm_gets_a_hint_and_second_start_offers_resume(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    carol = fake.user("carol")
    await carol.send_dm("hello?")
    hint = await carol.wait_dm(contains="No mock round is running")
    assert "/mock start" in hint.text
    await carol.slash("mock start", questions=1)
    await carol.wait_dm(contains="Question 1 of 1")
    offer = await carol.slash("mock start", questions=3)
    assert offer.message.button_labels() == ["Resume it", "Abandon it and start the new one"]
    fresh = await carol.click(offer.message, "Abandon it and start the new one")
    await fresh.wait()
    await carol.wait_dm(contains="Question 1 of 3")


async def test_done_right_after_the_last_answer_message_sees_it(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    """discord.py runs each event in a task of its own; a user's round events must still be
    handled in the order they arrived."""
    alice = fake.user("alice")
    await alice.slash("mock start", questions=1, minutes=8)
    first = await alice.wait_dm(contains="Question 1 of 1")
    parts = [f"Part {i} of my answer." for i in range(30)]
    for part in parts:
        await alice.send_dm(part)
    clicked = await alice.click(first, "Done")  # right behind the messages, no wait
    assert "Write your answer first" not in clicked.text
    await alice.wait_dm(contains="Grade yourself")
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        (state,) = db.execute("SELECT state FROM rounds").fetchone()
    assert "\\n".join(parts) in state  # every part, in order, before Done ended the answer


async def test_an_unexpected_error_in_a_dm_gets_an_apology(
    fake: FakeDiscord, tmp_path: Path, bot_config: Path
) -> None:
    process = bot_process(fake, tmp_path, bot_config)
    await process.start()
    await process.wait_ready()
    alice = fake.user("alice")
    await alice.slash("mock start", questions=1, minutes=8)
    await alice.wait_dm(contains="Question 1 of 1")
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        db.execute("ALTER TABLE rounds RENAME TO rounds_elsewhere")  # the store breaks under it
    await alice.send_dm("An answer the bot cannot store.")
    apology = await alice.wait_dm(contains="Sorry, something went wrong on our side")
    assert "Traceback" not in apology.text
    await process.wait_log("unexpected error handling a DM message=")
    assert f"user={alice.user.id}" in process.this_run_log()
    await process.kill()
