"""Server packs without Discord: one checker for bank and packs, the per-server library, the
pack service over a real SQLite file, and the suggestion queue with an injected clock."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta
from unittest import mock

import aiohttp
import pytest
import yaml

from bot.core.clock import FixedClock
from bot.core.errors import Gone, NotYours, UserError
from bot.core.models import Bank, Question
from bot.domain.answers.service import Flow, Where
from bot.domain.content.bankfile import FileChecker
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.content.questions import BUNDLED, check_question
from bot.domain.content.serverpack import server_question_id, split_server_id
from bot.domain.packs.forms import SuggestionForm, derived_title, question_data, slug_of
from bot.domain.packs.packfile import check_entry, check_pack, pack_yaml
from bot.domain.packs.reviews import SuggestionService
from bot.domain.packs.service import PackService, stored
from bot.domain.progress.service import Progress
from bot.store import Store
from bot.store.pack_reviews import Suggestion
from bot.ui.answers.buttons import AnswerButton
from bot.ui.answers.modals import ANSWER_MODAL
from bot.ui.kit.text import check_embed
from bot.ui.packs.embeds import review_embed
from bot.ui.packs.upload import _read_at_most

GUILD, OTHER = 111, 222
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def pack_question(qid: str, topic: str = "messaging", title: str = "Queue backlog") -> dict:
    return {
        "id": qid,
        "topic": topic,
        "title": title,
        "scenario": "A consumer fleet was down for an hour.",
        "question": "How do you drain the queue safely?",
        "key_points": [
            {
                "label": "Cap consumer concurrency",
                "why": "The database takes the load.",
                "core": True,
            },
            {"label": "Newest first when old work is stale", "why": "Stale work can wait."},
            {"label": "Watch lag and latency", "why": "The drain follows the database."},
            {"label": "Idempotent consumers", "why": "Redelivery repeats messages."},
        ],
    }


def pack_bytes(*questions: dict) -> bytes:
    return yaml.safe_dump({"questions": list(questions)}).encode()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def library(bank: Bank) -> Library:
    return Library(DEFAULT_CONTENT, bank)


@pytest.fixture
def packs(store: Store, library: Library, clock: FixedClock) -> PackService:
    return PackService(store, library, clock)


@pytest.fixture
def suggestions(store: Store, packs: PackService, clock: FixedClock) -> SuggestionService:
    return SuggestionService(store, packs, clock)


async def stored_pack(packs: PackService, *questions: dict, guild: int = GUILD) -> None:
    preview = await packs.preview_upload(guild, 7, "pack.yaml", pack_bytes(*questions))
    assert preview.check.problems == () and preview.upload_id
    await packs.confirm_upload(preview.upload_id, 7, guild)


def test_a_pack_and_the_bank_say_the_same_about_the_same_mistake(bank: Bank) -> None:
    path = next((DEFAULT_CONTENT / "cache").glob("*.yaml"))
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["title"] = 5
    raw["key_points"][0]["core"] = "yes please"
    raw["key_points"][1]["why"] = "x" * 301
    raw["colour"] = "red"
    check = FileChecker(path, DEFAULT_CONTENT)
    check_question(check, raw, BUNDLED, "cache", path.stem)
    in_bank = {line.split(": ", 2)[2] for line in check.lines()}
    in_pack = {line.split(": ", 2)[2] for line in check_pack(pack_bytes(raw), "p.yaml").problems}
    assert in_bank == in_pack and len(in_bank) == 5


def test_a_pack_file_is_read_as_warily_as_a_bank_file() -> None:
    assert "uses the alias *a" in check_pack(b"a: &a [1]\nb: [*a, *a]\n", "p").problems[0]
    assert "the limit is 262,144 bytes" in check_pack(b"#" * 300_000, "p").problems[0]
    assert "is not UTF-8" in check_pack(b"\xff\xfe", "p").problems[0]
    assert "is given twice" in check_pack(b"questions: []\nquestions: []\n", "p").problems[0]
    twice = check_pack(pack_bytes(pack_question("a"), pack_question("a")), "p")
    assert [q.id for q in twice.questions] == ["a"]
    assert twice.problems == ("p: a: id: is also the id of questions[0]; ids are unique",)
    unsafe = pack_question("b")
    unsafe["key_points"][2]["why"] = "Ask @everyone, see [here](https://x.test)"
    assert "must not mention anyone" in check_pack(pack_bytes(unsafe), "p").problems[0]
    one = check_pack(yaml.safe_dump(pack_question("c")).encode(), "q.yaml")
    assert one.problems == () and one.per_topic() == {"messaging": 1}


def test_server_ids_never_equal_bundled_ones_and_fit_custom_ids(bank: Bank) -> None:
    qid = server_question_id(2**64 - 1, "a" * 48)
    assert split_server_id(qid) == (2**64 - 1, "a" * 48)
    assert all(split_server_id(q) is None for q in bank.questions)
    button = AnswerButton.make(pack_question_model(qid), probe=2)
    custom_id = button.item.custom_id or ""
    assert len(custom_id) <= 100 and AnswerButton.pattern.fullmatch(custom_id)
    assert ANSWER_MODAL.fullmatch(f"fu:m:ans:{qid}:2")


def pack_question_model(qid: str) -> Question:
    [question] = check_pack(pack_bytes(pack_question("x")), "p").questions
    return dataclasses.replace(question, id=qid)


async def test_each_server_sees_its_own_pack_without_its_switched_off_topics(
    packs: PackService, library: Library, bank: Bank
) -> None:
    await stored_pack(packs, pack_question("backlog"))
    await packs.switch_topics(GUILD, ["messaging", "cache"], [])
    mine = library.bank_for(GUILD)
    qid = f"g{GUILD}/backlog"
    assert [q.id for q in mine.in_topics(["messaging"])] == [qid]
    assert mine.in_topics(["cache"]) == [] and mine.in_topics(["database"])
    assert qid not in library.bank_for(OTHER).questions
    assert library.bank_for(None) is bank and library.get(qid) is not None
    assert (await packs.switch_topics(GUILD, [], ["cache"])) == frozenset({"messaging"})


async def test_upload_replaces_the_pack_and_removed_questions_keep_their_text(
    store: Store, packs: PackService, library: Library, bank: Bank, clock: FixedClock
) -> None:
    await stored_pack(packs, pack_question("one"), pack_question("two", title="Second"))
    preview = await packs.preview_upload(GUILD, 7, "p.yaml", pack_bytes(pack_question("two")))
    assert (preview.added, preview.replaced, preview.removed) == (0, 1, 1)
    await packs.confirm_upload(preview.upload_id, 7, GUILD)
    gone = f"g{GUILD}/one"
    assert library.get(gone) is None
    found = library.history(gone)
    assert found is not None and found[1] is True and found[0].title == "Queue backlog"
    fresh = Library(DEFAULT_CONTENT, bank)  # after a restart: the database is the truth
    assert await PackService(store, fresh, clock).load_all() == 1
    assert set(fresh.server(GUILD).questions) == {f"g{GUILD}/two"}
    assert set(fresh.server(GUILD).removed) == {gone}
    exported = packs.export(GUILD)
    assert check_pack(exported.encode(), "again").questions[0].id == "two"
    assert exported == pack_yaml(list(library.server(GUILD).questions.values()))
    assert await packs.remove_pack(GUILD) == 1
    with pytest.raises(UserError, match="no questions of its own"):
        packs.export(GUILD)


async def test_an_upload_is_confirmed_once_by_its_uploader_within_the_hour(
    packs: PackService, clock: FixedClock
) -> None:
    data = pack_bytes(pack_question("one"))
    first = await packs.preview_upload(GUILD, 7, "p.yaml", data)
    with pytest.raises(NotYours):
        await packs.confirm_upload(first.upload_id, 8, GUILD)
    with pytest.raises(Gone):
        await packs.confirm_upload(first.upload_id, 7, OTHER)
    clock.advance(timedelta(hours=2))
    with pytest.raises(UserError, match="expired"):
        await packs.confirm_upload(first.upload_id, 7, GUILD)
    second = await packs.preview_upload(GUILD, 7, "p.yaml", data)
    await packs.confirm_upload(second.upload_id, 7, GUILD)
    with pytest.raises(UserError, match="stored already"):
        await packs.confirm_upload(second.upload_id, 7, GUILD)
    bad = await packs.preview_upload(GUILD, 7, "p.yaml", b"questions: 5\n")
    assert bad.upload_id == 0 and bad.check.problems


FORM = SuggestionForm(
    topic="Reliability",
    scenario="A payment API blips and every client retries at once.",
    question="What happens next, and how do you stop it? Think of the clients.",
    key_points="Retries multiply load\n*Backoff with jitter\nA retry budget\nCircuit breakers",
    why="Each client sends several requests.\nClients stop retrying in lockstep.",
)


def test_a_form_becomes_a_question_in_the_bank_format() -> None:
    data = question_data(FORM, "x")
    assert (
        data["topic"] == "reliability"
        and data["title"] == "What happens next, and how do you stop it?"
    )
    assert [p.get("core", False) for p in data["key_points"]] == [True, False, False, False]
    assert data["key_points"][0]["label"] == "Backoff with jitter"
    assert derived_title("word " * 30).endswith("…") and len(derived_title("word " * 30)) <= 60
    assert slug_of("Retry storm!", {"retry-storm", "retry-storm-2"}) == "retry-storm-3"
    assert SuggestionForm.from_yaml(FORM.to_yaml()) == FORM


async def test_suggestions_are_limited_per_day_and_decided_once(
    store: Store, suggestions: SuggestionService, library: Library, clock: FixedClock
) -> None:
    with pytest.raises(UserError, match="review channel"):
        await suggestions.suggest(GUILD, 5, FORM)
    await store.packs.set_review_channel(GUILD, 99, clock.now())
    draft, problems = await suggestions.suggest(GUILD, 5, SuggestionForm("x", "s", "q", "one"))
    assert draft.status == "draft" and any("topic: must be one of" in p for p in problems)
    sent = [(await suggestions.suggest(GUILD, 5, FORM))[0] for _ in range(5)]
    assert all(s.status == "pending" for s in sent)
    with pytest.raises(UserError, match="5 suggestions"):
        await suggestions.check_limit(GUILD, 5)
    await suggestions.check_limit(OTHER, 5)  # per server
    clock.advance(timedelta(days=1, seconds=1))
    await suggestions.check_limit(GUILD, 5)

    approved, question = await suggestions.approve(sent[0].id, GUILD, 9)
    assert (
        approved.status == "approved"
        and question.id == f"g{GUILD}/what-happens-next-and-how-do-you-stop-it"
    )
    assert library.bank_for(GUILD).get(question.id) is question
    with pytest.raises(UserError, match="approved already"):
        await suggestions.approve(sent[0].id, GUILD, 9)
    with pytest.raises(Gone):
        await suggestions.approve(sent[1].id, OTHER, 9)
    _, second = await suggestions.approve(sent[1].id, GUILD, 9)
    assert second.id.endswith("-2")  # ids are never shared
    edited, problems = await suggestions.edit(
        sent[2].id, GUILD, SuggestionForm("cache", "", "", "")
    )
    assert problems and edited.body == sent[2].body  # a failing edit is not kept
    rejected = await suggestions.reject(sent[2].id, GUILD, 9, " Duplicate ")
    assert rejected.status == "rejected" and rejected.reason == "Duplicate"
    assert await store.packs.forget_user(5) == 6  # the author's suggestions go
    assert {r.added_by for r in await store.packs.questions(GUILD)} == {0}  # questions stay


async def test_answers_to_server_questions_stay_in_their_server_and_in_the_export(
    store: Store, packs: PackService, library: Library, clock: FixedClock
) -> None:
    await stored_pack(packs, pack_question("backlog"))
    progress = Progress(store, library, clock, fuzz=False)
    flow = Flow(store, library, clock, 4000, progress=progress)
    qid = f"g{GUILD}/backlog"
    with pytest.raises(Gone):
        await flow.answer(3, qid, None, "answer", Where(guild_id=OTHER))
    attempt = await flow.answer(3, qid, None, "Cap concurrency.", Where(guild_id=GUILD))
    await flow.grade(3, attempt.id, [0])
    assert (await flow.answer(3, qid, None, "in a DM round", Where(source="mock"))).id
    await packs.remove_pack(GUILD)
    with pytest.raises(Gone):
        flow.question(qid, GUILD)
    csv_data, _ = await progress.export(3)
    rows = list(csv.DictReader(io.StringIO(csv_data.decode())))
    assert {(r["question_title"], r["question_status"]) for r in rows} == {
        ("Queue backlog", "removed")
    }
    stats = await progress.stats(3)
    assert next(t for t in stats.topics if t.topic == "messaging").attempts == 1
    assert stats.removed == 1


def test_the_review_card_fits_discord_at_its_largest() -> None:
    nasty = "_*`>|~@" * 60
    form = SuggestionForm(
        topic="cache",
        scenario=nasty[:300],
        question=nasty[:300],
        key_points="\n".join(f"*{nasty[:99]}" if i < 3 else nasty[:100] for i in range(8)),
        why="\n".join(nasty[:300] for _ in range(8)),
        title=nasty[:60],
    )
    suggestion = Suggestion(
        1, GUILD, 5, form.to_yaml(), "rejected", nasty[:300], None, None, None, 9, START
    )
    question = check_entry(FileChecker("t"), question_data(form, "x"))
    assert question is not None
    embed = review_embed(suggestion, question)
    assert check_embed(embed) == [] and len(embed.fields) == 10


async def test_a_pack_changed_by_another_process_reaches_this_one(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    """Two processes on one database: what one stores, the other reads at its next sync."""
    here, there = (PackService(store, Library(DEFAULT_CONTENT, bank), clock) for _ in range(2))
    await here.load_all()
    await there.load_all()
    assert await there.sync() == 0  # nothing changed yet
    question = bank.in_topics(["cache"])[0]
    await store.packs.add_question(7, stored(7, question), "upload", 1, clock.now())
    assert there.library.get(server_question_id(7, question.id)) is None
    assert await there.sync() == 1 and await there.sync() == 0
    assert there.library.get(server_question_id(7, question.id)) is not None
    await here.switch_topics(7, off=["cache"], on=[])
    assert await there.sync() == 1
    assert there.library.server(7).topics_off == frozenset({"cache"})


async def test_an_upload_arriving_in_pieces_is_read_whole_and_capped() -> None:
    """A download's body comes in chunks: the reader gathers them, up to the cap."""
    loop = asyncio.get_running_loop()
    protocol = mock.Mock(_reading_paused=False)
    stream = aiohttp.StreamReader(protocol, 2**16, loop=loop)
    reading = asyncio.create_task(_read_at_most(stream, 10_000))
    for piece in (b"a" * 3000, b"b" * 3000, b"c" * 3000):
        await asyncio.sleep(0)  # the reader takes each piece before the next arrives
        stream.feed_data(piece)
    stream.feed_eof()
    assert await reading == b"a" * 3000 + b"b" * 3000 + b"c" * 3000
    over = aiohttp.StreamReader(protocol, 2**16, loop=loop)
    over.feed_data(b"x" * 9000)
    over.feed_data(b"y" * 9000)
    over.feed_eof()
    assert await _read_at_most(over, 10_001) == b"x" * 9000 + b"y" * 1001
