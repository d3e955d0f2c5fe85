"""End to end: the core loop, through the real bot process and the fake Discord."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import bot_process
from tests.fakediscord import BotProcess, FakeDiscord


def attempts(tmp_path: Path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "followup.sqlite3") as db:
        return db.execute(
            "SELECT user_id, question_id, covered, revealed FROM attempts ORDER BY id"
        ).fetchall()


async def test_commands_are_synced_with_their_options(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    command = fake.command("followup")
    assert command is not None
    options = {o["name"]: o for o in command["options"]}
    assert [c["value"] for c in options["topic"]["choices"]][:2] == ["database", "cache"]
    assert options["question"]["autocomplete"] is True
    assert {"help", "daily", "mock"} <= {c["name"] for c in fake.commands.global_commands}


async def test_answer_grade_and_score(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    alice = fake.user("alice")
    posted = await alice.slash("followup", topic="cache")
    message = posted.message
    assert not posted.ephemeral and "Caching" in message.text
    assert message.button_labels() == ["Answer", "Reveal key points", "Another question"]
    answer = await alice.click(message, "Answer")
    assert answer.modal is not None
    saved = await alice.submit_modal(answer.modal, {"answer": "Use a lock and jitter @everyone"})
    assert saved.ephemeral and "Your answer" in saved.text
    assert "everyone" in saved.text and "@everyone" not in saved.text  # escaped
    assert saved.message.allowed_mentions == {"parse": []}
    grade = await alice.click(saved.message, "Grade myself")
    assert grade.modal is not None
    scored = await alice.submit_modal(grade.modal, {"points": ["0", "1"]})
    assert "Covered **2 of" in scored.text and "Missed:" in scored.text
    assert "Go deeper" in scored.message.button_labels()
    ((user, qid, covered, revealed),) = attempts(tmp_path)
    assert user == alice.id and qid.startswith("cache-") and covered == "[0, 1]" and not revealed

    deeper = await alice.click(scored.message, "Go deeper")
    assert deeper.modal is not None
    probe = await alice.submit_modal(deeper.modal, {"answer": "The lock has a TTL."})
    assert "Let me" not in probe.text and "Your answer" in probe.text


async def test_key_points_only_for_those_who_answer_or_reveal(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    alice, bob = fake.user("alice"), fake.user("bob")
    posted = await alice.slash("followup", question="cache-stampede")
    assert "single-flight" not in posted.message.text.lower()
    revealed = await bob.click(posted.message, "Reveal key points")
    assert revealed.ephemeral and "single-flight" in revealed.text.lower()
    assert all("single-flight" not in m.text.lower() for m in alice.ephemerals())
    assert attempts(tmp_path) == [(bob.id, "cache-stampede", None, 1)]


async def test_bad_input_gets_friendly_messages(fake: FakeDiscord, followup: BotProcess) -> None:
    alice = fake.user("alice")
    unknown = await alice.slash("followup", question="cache-stampeed")
    assert unknown.ephemeral and "No such question" in unknown.text
    assert "cache-stampede" in unknown.text
    posted = await alice.slash("followup", topic="security")
    answer = await alice.click(posted.message, "Answer")
    empty = await alice.submit_modal(answer.modal, {"answer": "   \n  "})
    assert empty.ephemeral and "empty" in empty.text
    choices = await alice.autocomplete("followup", "question", "stamp", topic="cache")
    assert [c["value"] for c in choices] == ["cache-stampede"]
    helped = await alice.slash("help")
    assert helped.ephemeral and "Grade myself" in helped.text


async def test_buttons_work_after_kill_and_restart(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    alice = fake.user("alice")
    posted = await alice.slash("followup", topic="database")
    answer = await alice.click(posted.message, "Answer")
    saved = await alice.submit_modal(answer.modal, {"answer": "Shard by a hashed key."})
    await followup.kill()
    restarted = bot_process(fake, tmp_path, bot_config)
    await restarted.start()
    await restarted.wait_ready()
    try:
        again = await alice.click(posted.message, "Answer")
        assert again.modal is not None
        grade = await alice.click(saved.message, "Grade myself")
        scored = await alice.submit_modal(grade.modal, {"points": []})
        assert "Covered **0 of" in scored.text
    finally:
        await restarted.kill()
    syncs = fake.requests_matching("PUT /applications/*/commands")
    assert len(syncs) == 1, "commands were synced again although they did not change"


async def test_reconnect_and_rate_limits_are_survived(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    alice = fake.user("alice")
    await fake.gateway_reconnect()
    await fake.wait_for(lambda: fake.resume_count >= 1, what="a RESUME")
    after_reconnect = await alice.slash("followup", topic="scale")
    assert "Scale" in after_reconnect.message.text
    await fake.gateway_drop()
    await fake.wait_for(lambda: fake.resume_count + fake.identify_count >= 3, what="reconnect")
    assert "Scale" in (await alice.slash("followup", topic="scale")).message.text
    fake.fail_next("POST /interactions/*/callback", status=429, retry_after=0.3, count=2)
    limited = await alice.slash("followup", topic="operations")
    assert "Operations" in limited.message.text
