"""End to end: /stats with its chart, /review, settings, leaderboard, export and forget-me."""

from __future__ import annotations

import json

from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.driver import UserDriver

PNG = b"\x89PNG\r\n\x1a\n"


async def answer_and_grade(user: UserDriver, topic: str, ticks: list[str]) -> None:
    posted = await user.slash("followup", topic=topic)
    modal = (await user.click(posted.message, "Answer")).modal
    saved = await user.submit_modal(modal, {"answer": "An answer worth grading."})
    checklist = (await user.click(saved.message, "Grade myself")).modal
    await user.submit_modal(checklist, {"points": ticks})


async def test_stats_review_leaderboard_export_forget(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    alice, bob = fake.user("alice"), fake.user("bob")
    await answer_and_grade(alice, "cache", ["0"])
    await answer_and_grade(bob, "cache", ["0", "1", "2"])

    stats = await alice.slash("stats")
    assert stats.ephemeral and "1** graded answers" in stats.text
    (chart,) = stats.message.attachments
    assert chart.filename == "progress.png" and chart.data.startswith(PNG)
    private = await bob.slash("stats", user=alice.id)
    assert "keeps their stats private" in private.text
    await alice.slash("settings share-stats", state="on")
    shared = await bob.slash("stats", user=alice.id)
    assert shared.message.attachments

    review = await alice.slash("review")
    assert review.ephemeral and "Answer" in review.message.button_labels()

    empty = await alice.slash("leaderboard")
    assert "Nobody here is on the leaderboard" in empty.text
    await bob.slash("settings leaderboard", state="on")
    board = await alice.slash("leaderboard", period="all")
    assert f"<@{bob.id}>" in board.text and f"<@{alice.id}>" not in board.text

    zone = await alice.slash("settings timezone", zone="Europe/Berln")
    assert "Did you mean Europe/Berlin" in zone.text

    exported = await alice.slash("export")
    files = {a.filename: a.data for a in exported.message.attachments}
    assert files["followup-attempts.csv"].startswith(b"id,question_id")
    assert len(json.loads(files["followup-data.json"])["attempts"]) == 1

    confirm = await alice.slash("forget-me")
    done = await alice.click(confirm.message, "Delete my data")
    assert "Nothing about you is left" in done.text
    after = await alice.slash("stats")
    assert "0** graded answers" in after.text
