"""End to end: community questions through the real bot process and the fake Discord.

Suggest → approve → served in that server only; uploads with errors store nothing; a good
upload survives a restart between preview and confirmation and feeds the daily post; a removed
question's old buttons say it is gone while its answers stay readable.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import bot_process
from tests.fakediscord import BotProcess, CommandNotVisible, FakeDiscord
from tests.fakediscord.driver import UserDriver

BUNDLED_OFF = "database,cache,messaging,consistency,scale,reliability,security,operations,product"
FORM = {
    "topic": "reliability",
    "scenario": "A payment API blips for two seconds and every client retries at once.",
    "question": "What happens next, and how do you stop it?",
    "key_points": (
        "* Retries multiply load on a service that is already failing\n"
        "Exponential backoff with jitter spreads the retries out\n"
        "A retry budget caps retries as a share of requests\n"
        "Circuit breakers stop calling a dependency that keeps failing"
    ),
    "why": "Each client sends several requests for one.\nClients stop retrying in lockstep.",
}
GOOD_PACK = b"""questions:
  - id: queue-backlog
    topic: messaging
    title: Queue backlog after an outage
    scenario: A consumer fleet was down for an hour and the queue holds ten million messages.
    question: How do you drain it without taking the database down?
    key_points:
      - label: Cap consumer concurrency to what the database can absorb
        why: Draining at full speed moves the outage downstream.
        core: true
      - label: Process the newest messages first when old ones lost their value
        why: Stale work can be dropped or parked.
      - label: Watch consumer lag and database latency while draining
        why: The drain rate follows what the database can take.
      - label: Make consumers idempotent before replaying anything
        why: Redelivery during the drain repeats messages.
"""
BAD_PACK = b"""questions:
  - id: Bad Id
    topic: cachee
    title: 5
    scenario: "Ping <@123> here"
    question: What now?
    key_points: [one, two]
  - id: fine-but-short
    topic: cache
    title: Short
    scenario: s
    question: q
    key_points:
      - {label: a, why: b, core: yes please}
"""


def database(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "followup.sqlite3")


def pack_rows(tmp_path: Path) -> list[tuple]:
    with database(tmp_path) as db:
        return db.execute(
            "SELECT question_id, removed_at IS NULL FROM pack_questions ORDER BY id"
        ).fetchall()


async def review_channel(fake: FakeDiscord, admin: UserDriver) -> object:
    channel = fake.add_channel(fake.default_guild, "suggestions")
    chosen = await admin.slash("content review-channel", options={"channel": channel})
    assert chosen.ephemeral and "now go to" in chosen.text
    return channel


async def suggest(user: UserDriver, values: dict[str, str]) -> object:
    opened = await user.slash("suggest")
    assert opened.modal is not None, opened.text
    return await user.submit_modal(opened.modal, values)


async def test_suggest_approve_and_serve_in_that_server_only(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    alice, bob = fake.user("alice"), fake.user("bob")
    refused = await alice.slash("suggest")
    assert refused.ephemeral and "review channel" in refused.text and refused.modal is None
    channel = await review_channel(fake, admin)

    draft = await suggest(alice, {**FORM, "key_points": "Only one point"})
    assert "has problems" in draft.text and "key_points: has 1 item(s); expected 4 to 8" in (
        draft.text
    )
    assert fake.messages(channel) == []
    fixed = await alice.click(draft.message, "Fix and send")
    assert fixed.modal is not None
    sent = await alice.submit_modal(fixed.modal, {**FORM, "scenario": FORM["scenario"] + " @here"})
    assert "must not mention anyone" in sent.text
    fixed = await alice.click(sent.message, "Fix and send")
    sent = await alice.submit_modal(fixed.modal, FORM)
    assert "with the moderators" in sent.text
    card = await fake.wait_for_message(channel, contains="Suggestion #")
    assert card.button_labels() == ["Approve", "Edit", "Reject"]
    assert card.allowed_mentions == {"parse": []}

    not_allowed = await bob.click(card, "Approve")
    assert not_allowed.ephemeral and "Manage Guild permission" in not_allowed.text
    edit = await admin.click(card, "Edit")
    assert edit.modal is not None
    edited = await admin.submit_modal(edit.modal, {"title": "Retry storm"})
    assert "Retry storm" in edited.message.text
    approved = await admin.click(card, "Approve")
    assert "Approved" in approved.message.text and approved.message.button_labels() == []
    told = await alice.wait_dm(contains="approved")
    assert "retry-storm" in told.text
    ((qid, current),) = pack_rows(tmp_path)
    assert qid == f"g{fake.default_guild.id}/retry-storm" and current

    served = await alice.slash("followup", question=qid)
    assert not served.ephemeral and "Retry storm" in served.message.text
    answer = await alice.click(served.message, "Answer")
    saved = await alice.submit_modal(answer.modal, {"answer": "Backoff with jitter, a budget."})
    grade = await alice.click(saved.message, "Grade myself")
    scored = await alice.submit_modal(grade.modal, {"points": ["0", "1"]})
    assert "Covered **2 of 4" in scored.text
    switched = await admin.slash("content topics", off=BUNDLED_OFF)
    assert "`reliability` bundled questions off · 1 of this server's own" in switched.text
    only = await alice.slash("followup", topic="reliability")
    assert "Retry storm" in only.message.text
    choices = await alice.autocomplete("followup", "question", "retry")
    assert qid in [c["value"] for c in choices]

    beta = fake.guild("Beta")
    elsewhere = alice.in_guild(beta)
    missing = await elsewhere.slash("followup", question=qid)
    assert missing.ephemeral and "No such question" in missing.text
    bundled = await elsewhere.slash("followup", topic="reliability")
    # A bundled question here (the bank has "Retry storms across service layers" too, so the
    # title alone proves nothing): the buttons name the question it is.
    assert qid not in str(bundled.message.components)
    assert not bundled.message.embeds[0]["title"].endswith("· Retry storm")
    offered = await elsewhere.autocomplete("followup", "question", "retry")
    assert offered and qid not in [c["value"] for c in offered]


async def test_uploads_check_everything_and_feed_the_daily_post(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path, bot_config: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    bob = fake.user("bob")
    with pytest.raises(CommandNotVisible):
        await bob.slash("content pack upload", file=("pack.yaml", GOOD_PACK))
    bad = await admin.slash("content pack upload", file=("pack.yaml", BAD_PACK))
    assert bad.ephemeral and "nothing was stored" in bad.text
    for expected in (
        "pack.yaml: questions[0]: id: use lowercase a-z",
        "pack.yaml: questions[0]: topic: must be one of",
        "pack.yaml: questions[0]: title: must be non-empty text (got int 5)",
        "pack.yaml: questions[0]: scenario: must not mention anyone",
        "pack.yaml: questions[0]: key_points: has 2 item(s); expected 4 to 8",
        "pack.yaml: fine-but-short: key_points[0].core: must be true or false",
    ):
        assert expected in bad.text
    bomb = await admin.slash("content pack upload", file=("b.yaml", b"a: &a [1]\nb: [*a, *a]\n"))
    assert "b.yaml: -: file: uses the alias *a" in bomb.text
    big = await admin.slash("content pack upload", file=("big.yaml", b"#" * (256 * 1024 + 1)))
    assert "at most 262,144 bytes" in big.text
    assert pack_rows(tmp_path) == []

    preview = await admin.slash("content pack upload", file=("pack.yaml", GOOD_PACK))
    assert "passes every check: 1 question(s)" in preview.text and "`messaging` 1" in preview.text
    assert preview.message.button_labels() == ["Store this pack", "Cancel"]
    assert pack_rows(tmp_path) == []
    await followup.kill()  # the confirmation survives a restart
    again = bot_process(fake, tmp_path, bot_config)
    await again.start()
    await again.wait_ready()
    try:
        stored = await admin.click(preview.message, "Store this pack")
        assert "now holds 1 question(s)" in stored.text
        qid = f"g{fake.default_guild.id}/queue-backlog"
        assert pack_rows(tmp_path) == [(qid, 1)]
        await admin.slash("content topics", off=BUNDLED_OFF)
        channel = fake.default_guild.channel("interviews")
        await admin.slash(
            "daily set",
            options={"channel": channel},
            time="23:59",
            timezone="UTC",
            topics="messaging",
        )
        previewed = await admin.slash("daily preview", options={"channel": channel})
        assert "Posted a preview" in previewed.text
        post = await fake.wait_for_message(channel, contains="Queue backlog")
        assert post.button_labels() == ["Answer", "Reveal key points", "Another question"]
        exported = await admin.slash("content pack export")
        assert exported.message.attachments and "pack.yaml" in exported.text + str(
            exported.message.attachments[0].filename
        )
    finally:
        await again.kill()


async def test_removed_questions_keep_history_and_old_buttons_say_so(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    alice = fake.user("alice")
    preview = await admin.slash("content pack upload", file=("pack.yaml", GOOD_PACK))
    await admin.click(preview.message, "Store this pack")
    qid = f"g{fake.default_guild.id}/queue-backlog"
    posted = await alice.slash("followup", question=qid)
    answer = await alice.click(posted.message, "Answer")
    saved = await alice.submit_modal(answer.modal, {"answer": "Cap concurrency."})
    grade = await alice.click(saved.message, "Grade myself")
    await alice.submit_modal(grade.modal, {"points": ["0"]})
    status = await fake.user("guild-owner").slash("admin status")
    assert "1 questions in 1 servers" in status.text
    removed = await admin.slash("content pack remove")
    assert "Removed 1 question(s)" in removed.text and removed.message.attachments
    assert pack_rows(tmp_path) == [(qid, 0)]
    stale = await alice.click(posted.message, "Answer")
    assert stale.ephemeral and "no longer available" in stale.text and stale.modal is None
    exported = await alice.slash("export")
    csv = next(a for a in exported.message.attachments if a.filename.endswith(".csv"))
    text = fake.state.attachments[csv.id].data.decode()
    assert "Queue backlog after an outage,removed" in text
    stats = await alice.slash("stats")
    assert "1 of them answer server questions since removed" in stats.text


async def test_reject_with_a_reason_closed_dms_and_the_daily_limit(
    fake: FakeDiscord, followup: BotProcess, tmp_path: Path
) -> None:
    admin = fake.user("ada", manage_guild=True)
    alice = fake.user("alice")
    channel = await review_channel(fake, admin)
    await suggest(alice, FORM)
    card = await fake.wait_for_message(channel, contains="Suggestion #")
    fake.close_dms_for(alice)
    reject = await admin.click(card, "Reject")
    assert reject.modal is not None
    done = await admin.submit_modal(reject.modal, {"reason": "We have **this** one <@&1>"})
    assert "Rejected" in done.message.text and done.message.button_labels() == []
    assert "\\*\\*this\\*\\*" in done.message.text  # the reason is escaped, not formatted
    with database(tmp_path) as db:
        assert db.execute("SELECT status, reason FROM suggestions").fetchall() == [
            ("rejected", "We have **this** one <@&1>")
        ]
    assert alice.dms() == []  # closed DMs: nobody told, nothing broken
    fake.open_dms_for(alice)

    for _ in range(4):  # five sent in all: the most for a day
        await suggest(alice, FORM)
    refused = await alice.slash("suggest")
    assert refused.modal is None and "5 suggestions in the last 24 hours" in refused.text
    with database(tmp_path) as db:  # a day passes for every one of them
        rows = db.execute("SELECT id, created_at FROM suggestions").fetchall()
        for row_id, created in rows:
            db.execute(
                "UPDATE suggestions SET created_at = ? WHERE id = ?",
                (created.replace(created[:4], str(int(created[:4]) - 1), 1), row_id),
            )
    reopened = await alice.slash("suggest")
    assert reopened.modal is not None
    assert len(fake.messages(channel)) == 5
    assert all(m.allowed_mentions == {"parse": []} for m in fake.messages(channel))
