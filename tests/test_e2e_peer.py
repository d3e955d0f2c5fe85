"""End to end: peer mock interviews through the real bot process and the fake Discord.

Time passes the way the daily and mock suites make it pass: the bot is stopped, the stored
deadline is moved into the past, and the restarted bot finds it due (restart-safety and expiry
in one)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import bot_process, poll
from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.driver import InteractionResult, UserDriver
from tests.fakediscord.messages import FakeMessage
from tests.fakediscord.models import PRIVATE_THREAD, FakeChannel

INVITE = "invites you to a **peer mock interview**"


def database(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "followup.sqlite3")


async def restart(fake: FakeDiscord, tmp_path: Path, config: Path) -> BotProcess:
    process = bot_process(fake, tmp_path, config)
    await process.start()
    await process.wait_ready()
    return process


def threads(fake: FakeDiscord) -> list[FakeChannel]:
    return [c for c in fake.state.channels.values() if c.type == PRIVATE_THREAD]


def past_due(tmp_path: Path, session_id: int) -> None:
    """Move a stopped bot's session deadline an hour into the past."""
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    with database(tmp_path) as db:
        (text,) = db.execute(
            "SELECT state FROM peer_sessions WHERE id = ?", (session_id,)
        ).fetchone()
        state = json.loads(text)
        state["deadline"] = earlier
        db.execute(
            "UPDATE peer_sessions SET state = ?, next_timer = ? WHERE id = ?",
            (json.dumps(state), earlier, session_id),
        )


async def invite_accepted(
    fake: FakeDiscord, alice: UserDriver, bob: UserDriver, channel: FakeChannel
) -> InteractionResult:
    sent = await alice.slash("mock pair", channel, partner=bob.id, questions=1, minutes=20)
    assert sent.ephemeral and "Invite sent" in sent.text
    invite = await fake.wait_for_message(channel, contains=INVITE)
    return await bob.click(invite, "Accept")


async def open_panel(user: UserDriver, notice: FakeMessage) -> FakeMessage:
    opened = await user.click(notice, "Open my panel")
    assert opened.ephemeral and "Key points" in opened.text, opened.text
    assert opened.message is not None
    return opened.message


async def send_feedback(user: UserDriver, panel: FakeMessage, signal: str, well: str) -> None:
    form = await user.click(panel, signal)
    assert form.modal is not None and "hire signal" in form.modal.title
    sent = await user.submit_modal(form.modal, {"well": well, "improve": "Say why, not only what."})
    assert "Feedback sent" in sent.text


def no_pings_but_the_invite(fake: FakeDiscord, invited: UserDriver) -> None:
    for message in fake.state.messages.values():
        if message.author.id != fake.bot.id or message.visible_to is not None:
            continue
        mentions = message.allowed_mentions or {}
        if INVITE in message.text and message.edits == 0:
            assert [int(u) for u in mentions.get("users", [])] == [invited.id]
            assert mentions.get("parse") == []
        else:
            assert mentions.get("parse") == [] and not mentions.get("users"), message.text


async def test_two_members_interview_each_other_through_a_restart(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    channel = fake.default_guild.channel("interviews")
    alice, bob, carol = fake.user("alice"), fake.user("bob"), fake.user("carol")
    sent = await alice.slash("mock pair", channel, partner=bob.id, questions=1, minutes=20)
    assert "Invite sent" in sent.text
    invite = await fake.wait_for_message(channel, contains=INVITE)
    no_pings_but_the_invite(fake, bob)
    stranger = await carol.click(invite, "Accept")
    assert stranger.ephemeral and "for someone else" in stranger.text
    accepted = await bob.click(invite, "Accept")
    told = await accepted.wait_followup()
    assert told.ephemeral and "Your peer session" in told.text
    [thread] = threads(fake)
    assert thread.thread_members == {alice.id, bob.id} and not thread.invitable
    assert "accepted" in fake.state.messages[invite.id].text
    notice = await fake.wait_for_message(thread, contains="half 1 of 2")
    refused = await bob.click(notice, "Open my panel")
    assert refused.ephemeral and "Only the interviewer" in refused.text
    assert "Key points" not in refused.text
    outsider = await carol.click(notice, "Open my panel")
    assert "two other members" in outsider.text
    panel = await open_panel(alice, notice)
    await alice.click(panel, "1")
    await alice.click(panel, "2")
    assert "✓ 1" in fake.state.messages[panel.id].button_labels()
    await alice.click(panel, "Probe 1")
    await alice.click(panel, "1")  # the probe's first point

    await followup.kill()
    again = await restart(fake, tmp_path, bot_config)
    try:
        await alice.click(panel, "Question")  # the panel from before the restart still works
        labels = fake.state.messages[panel.id].button_labels()
        assert "✓ 1" in labels and "✓ 2" in labels
        await send_feedback(alice, panel, "Yes", "Clear **trade-offs** @everyone <@1>")
        card = await fake.wait_for_message(thread, contains="Scorecard from your peer")
        assert "\\*\\*trade-offs\\*\\*" in card.text and "@\u200beveryone" in card.text
        assert "hire signal **yes**" in card.text
        second = await fake.wait_for_message(thread, contains="half 2 of 2")
        late = await alice.click(panel, "3")  # the first half's panel is closed now
        assert "earlier part of the session" in late.text
        assert "Only the interviewer" in (await alice.click(second, "Open my panel")).text
        panel_two = await open_panel(bob, second)
        await bob.click(panel_two, "1")
        await send_feedback(bob, panel_two, "Strong yes", "Calm and structured.")
        await fake.wait_for_message(thread, contains="Both halves are over")
        await poll(lambda: thread.archived and thread.locked, within=30, what="thread archived")

        with database(tmp_path) as db:
            rows = db.execute(
                "SELECT user_id, probe, covered FROM attempts WHERE source = 'peer' ORDER BY id"
            ).fetchall()
            cards = db.execute("SELECT user_id FROM cards ORDER BY user_id").fetchall()
            seats = db.execute("SELECT COUNT(*) FROM peer_seats").fetchone()
        assert rows == [(bob.id, None, "[0, 1]"), (bob.id, 0, "[0]"), (alice.id, None, "[0]")]
        assert sorted(c[0] for c in cards) == sorted([alice.id, bob.id]) and seats == (0,)
        stats = await bob.slash("stats")
        assert "Graded by a peer (/mock pair): **2**" in stats.text
        history = await bob.slash("mock history")
        assert "Peer interviews" in history.text and "hire signal yes" in history.text
        no_pings_but_the_invite(fake, bob)
    finally:
        await again.kill()


async def test_declined_invite_self_invite_and_invites_turned_off(
    fake: FakeDiscord, followup: BotProcess
) -> None:
    channel = fake.default_guild.channel("interviews")
    alice, bob, carol = fake.user("alice"), fake.user("bob"), fake.user("carol")
    await alice.slash("mock pair", channel, partner=bob.id)
    invite = await fake.wait_for_message(channel, contains=INVITE)
    declined = await bob.click(invite, "Decline")
    assert declined.response_type == 7
    assert "declined" in fake.state.messages[invite.id].text
    assert fake.state.messages[invite.id].button_labels() == []
    itself = await alice.slash("mock pair", channel, partner=alice.id)
    assert "Invite someone else" in itself.text
    turned = await carol.slash("settings peer-invites", state="off")
    assert "Nobody can invite you" in turned.text
    refused = await alice.slash("mock pair", channel, partner=carol.id)
    assert "turned peer interview invites off" in refused.text
    again = await alice.slash("mock pair", channel, partner=bob.id)
    assert "Invite sent" in again.text
    twice = await alice.slash("mock pair", channel, partner=bob.id)
    assert "already have an open invite" in twice.text


async def test_the_queue_pairs_members_and_an_entry_expires_across_a_restart(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    channel = fake.default_guild.channel("interviews")
    dave, erin, carol, frank = (fake.user(n) for n in ("dave", "erin", "carol", "frank"))
    waiting = await dave.slash("mock find", channel, topics="cache")
    assert "in this server's queue" in waiting.text
    matched = await erin.slash("mock find", channel, topics="cache,messaging")
    assert "Your peer session with <@" in matched.text
    told = await dave.wait_dm(contains="You have a peer interview partner")
    [thread] = threads(fake)
    assert f"<#{thread.id}>" in told.text
    notice = await fake.wait_for_message(thread, contains="half 1 of 2")
    assert f"<@{dave.id}> interviews <@{erin.id}>" in notice.text  # who waited goes first

    queued = await carol.slash("mock find", channel)
    assert "in this server's queue" in queued.text
    await followup.kill()
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    with database(tmp_path) as db:
        db.execute("UPDATE peer_invites SET expires_at = ? WHERE user_id = ?", (earlier, carol.id))
    again = await restart(fake, tmp_path, bot_config)
    try:
        await carol.wait_dm(contains="your place in the queue expired")
        alone = await frank.slash("mock find", channel)
        assert "in this server's queue" in alone.text  # not paired with the expired entry
        assert "already in a peer session" in (await dave.slash("mock find", channel)).text
        left = await frank.click(alone.message, "Leave the queue")
        assert "You left the queue" in left.text
        with database(tmp_path) as db:
            statuses = dict(db.execute("SELECT user_id, status FROM peer_invites").fetchall())
        assert statuses == {dave.id: "matched", carol.id: "expired", frank.id: "left"}
    finally:
        await again.kill()


async def test_no_private_threads_means_dms_and_a_silent_half_closes(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    channel = fake.default_guild.channel("interviews")
    fake.forbid_private_threads(channel)
    alice, bob = fake.user("alice"), fake.user("bob")
    accepted = await invite_accepted(fake, alice, bob, channel)
    assert "in our DMs" in (await accepted.wait_followup()).text
    for member in (alice, bob):
        await member.wait_dm(contains="can't create private threads")
        await member.wait_dm(contains="half 1 of 2")
    assert threads(fake) == []
    with database(tmp_path) as db:
        (session_id,) = db.execute("SELECT id FROM peer_sessions").fetchone()

    await followup.kill()
    past_due(tmp_path, session_id)  # the half's time ran out while the bot was down
    again = await restart(fake, tmp_path, bot_config)
    try:
        await alice.wait_dm(contains="Time's up for this half")
        await again.kill()
        past_due(tmp_path, session_id)  # and nobody sent feedback in the time for it
        again = await restart(fake, tmp_path, bot_config)
        await bob.wait_dm(contains="closes without a scorecard")
        second = await bob.wait_dm(contains="half 2 of 2")
        ended = await alice.click(second, "End session")  # the candidate ends it early
        assert ended.response_type == 6
        for member in (alice, bob):
            await member.wait_dm(contains=f"<@{alice.id}> ended the peer session")
        with database(tmp_path) as db:
            status = db.execute("SELECT status FROM peer_sessions").fetchone()
            peer = db.execute("SELECT COUNT(*) FROM attempts WHERE source = 'peer'").fetchone()
        assert status == ("ended",) and peer == (0,)
        queued = await alice.slash("mock find", channel)
        assert "in this server's queue" in queued.text  # her seat is free again
        stale = await bob.click(second, "Open my panel")
        assert "over" in stale.text
    finally:
        await again.kill()
