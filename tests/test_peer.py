"""Peer mock interviews below Discord: the session state machine, pairing, the invites' races,
feedback recorded as peer-graded attempts, timers, and every layout within Discord's limits."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.config import PeerSettings
from bot.core.errors import UserError
from bot.core.models import Bank
from bot.core.peer_state import PeerError, PeerFeedback, PeerInvite, PeerPhase, PeerSession
from bot.domain.answers.service import Flow
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.peer import session
from bot.domain.peer.invites import AlreadyWaiting, Pairing
from bot.domain.peer.pairing import best_match, pick_halves, session_topics
from bot.domain.peer.scorecard import build_card
from bot.domain.peer.service import PeerService
from bot.domain.progress.service import Progress
from bot.store import Store
from bot.store.peer import SeatTaken
from bot.ui.kit.text import check_embed
from bot.ui.peer.buttons import feedback_modal, panel_view, session_view
from bot.ui.peer.embeds import half_embed, panel_embed, scorecard_embed
from tests.test_ui_limits import check_modal, check_view

A, B, C = 11, 22, 33
BIG = 10**18 - 1


def peer(store: Store, bank: Bank, clock: FixedClock) -> PeerService:
    library = Library(DEFAULT_CONTENT, bank)
    flow = Flow(store, library, clock, 4000, progress=Progress(store, library, clock, fuzz=False))
    return PeerService(store, flow, clock, PeerSettings())


def started(bank: Bank, clock: FixedClock) -> PeerSession:
    first, second = pick_halves(bank, ("cache",), 2, random.Random(1))
    return session.begin(5, (1, 2, 3), (A, B), (first, second), 20, clock.now())


# -- the state machine (pure) --------------------------------------------------------------
def test_only_the_interviewer_of_the_current_half_works_the_panel(
    bank: Bank, clock: FixedClock
) -> None:
    state = started(bank, clock)
    state = session.toggle(state, A, (0, 0), None, 1, 7)
    state = session.toggle(state, A, (0, 0), None, 3, 7)
    state = session.toggle(state, A, (0, 0), None, 1, 7)  # ticked twice: unticked
    assert state.current.ticked(0, None) == (3,)
    for who, half, text in ((B, 0, "Only the interviewer"), (C, 0, "two other members")):
        with pytest.raises(PeerError, match=text):
            session.toggle(state, who, (half, 0), None, 0, 7)
    with pytest.raises(PeerError, match="earlier part"):
        session.toggle(state, A, (1, 0), None, 0, 7)  # a button of the other half
    with pytest.raises(PeerError, match="earlier part"):
        session.toggle(state, A, (0, 0), None, 7, 7)  # no such point
    state = session.show(state, A, (0, 0), 1)
    assert state.current.asked == ("0:1",) and state.current.showing == 1
    state = session.next_question(state, A, (0, 0))
    assert state.current.index == 1 and state.current.showing is None
    with pytest.raises(PeerError, match="earlier part"):
        session.toggle(state, A, (0, 0), None, 0, 7)  # the previous question's panel


def test_halves_swap_after_feedback_and_silence_closes_a_half(
    bank: Bank, clock: FixedClock
) -> None:
    state = started(bank, clock)
    state = session.feedback_given(state, 1, clock.now())
    assert state.half == 1 and state.current.interviewer == B and state.phase is PeerPhase.INTERVIEW
    with pytest.raises(PeerError, match="Only the interviewer"):
        session.interviewer_half(state, A)
    state = session.time_up(state, clock.now(), timedelta(minutes=10))
    assert state.phase is PeerPhase.FEEDBACK and state.deadline == clock.now() + timedelta(
        minutes=10
    )
    state = session.silent(state, clock.now())
    assert state.phase is PeerPhase.DONE and not state.active and state.next_timer() is None
    assert state.halves[0].feedback_id == 1 and state.halves[1].feedback_id is None
    again = PeerSession.from_json(state.to_json())
    assert again == state
    with pytest.raises(PeerError):
        session.end(state, A)


def test_pairing_prefers_shared_topics_then_who_waited_longest(clock: FixedClock) -> None:
    def waiting(user: int, topics: tuple[str, ...], minutes: int) -> PeerInvite:
        at = clock.now() - timedelta(minutes=minutes)
        return PeerInvite(user, "queue", 1, 2, user, None, topics, 1, 20, "open", None, at, at)

    queue = [waiting(1, ("scale",), 9), waiting(2, ("cache",), 3), waiting(3, (), 5)]
    assert [w.user_id for w in best_match(9, ("cache",), queue)] == [2, 3, 1]
    assert [w.user_id for w in best_match(9, (), queue)] == [1, 3, 2]  # open to all: oldest
    assert session_topics(("cache", "scale"), ("scale",)) == ("scale",)
    assert session_topics(("cache",), ("scale",)) == ("cache", "scale")
    assert session_topics((), ("scale",)) == ()


def test_each_half_gets_its_own_questions(bank: Bank) -> None:
    first, second = pick_halves(bank, ("cache",), 3, random.Random(2))
    assert len(first) == len(second) == 3 and not set(first) & set(second)
    assert all(bank.questions[q].topic == "cache" for q in (*first, *second))


# -- the service on a real store -----------------------------------------------------------
async def test_feedback_records_peer_graded_attempts_and_reviews(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    svc = peer(store, bank, clock)
    invite = await svc.invites.invite((1, 2), A, B, ("cache",), 1, 20)
    with pytest.raises(UserError, match="for someone else"):
        await svc.invites.accept(invite.id, C)
    pairing = await svc.invites.accept(invite.id, B)
    state = await svc.open(pairing, thread_id=99, rng=random.Random(3))
    with pytest.raises(UserError, match="one at a time"):
        await svc.invites.invite((1, 2), A, C, (), 1, 20)
    total = svc.points(state, None)
    await svc.change(state.id, lambda s: session.toggle(s, A, (0, 0), None, 0, total))
    await svc.change(state.id, lambda s: session.show(s, A, (0, 0), 0))
    with pytest.raises(UserError, match="one thing done well"):
        await svc.feedback(state.id, A, 0, 2, ("  ", "more"))
    state, card = await svc.feedback(state.id, A, 0, 2, ("Clear.", "Name the trade-off."))
    assert state.half == 1 and card.feedback.signal == "yes" and len(card.lines) == 1
    with pytest.raises(UserError, match="earlier part"):
        await svc.feedback(state.id, A, 0, 2, ("again", "again"))  # a second submit of half 1
    with pytest.raises(UserError, match="Only the interviewer"):
        await svc.feedback(state.id, A, 1, 2, ("mine", "mine"))  # A is the candidate now
    attempts = await store.attempts.for_user(B)
    assert [(a.source, a.probe, a.covered) for a in attempts] == [
        ("peer", None, (0,)),
        ("peer", 0, ()),
    ]
    assert await store.cards.get(B, attempts[0].question_id) is not None
    stats = await svc.flow.progress.stats(B) if svc.flow.progress else None
    assert stats is not None and stats.peer_attempts == 2 and stats.self_graded[0] == 0
    [history] = await svc.history(B)
    assert history.feedback.well == "Clear." and history.lines[0].covered == 1


async def test_an_accept_racing_the_expiry_has_one_winner(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    svc = peer(store, bank, clock)
    invite = await svc.invites.invite((1, 2), A, B, (), 1, 20)
    assert await svc.invites.expire(invite.id) is None  # not due yet
    clock.advance(timedelta(minutes=11))
    assert (await svc.invites.expire(invite.id)) is not None
    assert await svc.invites.expire(invite.id) is None  # only once
    with pytest.raises(UserError, match="no longer open"):
        await svc.invites.accept(invite.id, B)
    assert await store.peer.session_of(B) is None
    declined = await svc.invites.invite((1, 2), A, B, (), 1, 20)
    assert (await svc.invites.decline(declined.id, B)).status == "declined"
    withdrawn = await svc.invites.invite((1, 2), A, B, (), 1, 20)
    assert (await svc.invites.decline(withdrawn.id, A)).status == "cancelled"


async def test_the_queue_matches_once_and_expired_places_never(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    svc = peer(store, bank, clock)
    old = await svc.invites.find((1, 2), C, ("scale",))
    assert isinstance(old, PeerInvite)
    clock.advance(timedelta(minutes=31))  # C's place is past its time, not yet swept
    first = await svc.invites.find((1, 2), A, ("cache",))
    assert isinstance(first, PeerInvite)
    with pytest.raises(AlreadyWaiting):
        await svc.invites.find((1, 2), A, ())
    other_server = await svc.invites.find((7, 8), B, ("cache",))
    assert isinstance(other_server, PeerInvite)  # queues are per server
    await svc.invites.leave(other_server.id, B)
    matched = await svc.invites.find((1, 2), B, ("cache",))
    assert isinstance(matched, Pairing) and (matched.first, matched.second) == (A, B)
    assert matched.topics == ("cache",)
    closed = await store.peer.invite(first.id)
    assert closed is not None and closed.status == "matched"


async def test_timers_move_a_silent_session_along(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    svc = peer(store, bank, clock)
    pairing = await svc.invites.accept((await svc.invites.invite((1, 2), A, B, (), 1, 20)).id, B)
    state = await svc.open(pairing, None)
    assert await svc.tick(state.id) == (state, None)  # not due
    clock.advance(timedelta(minutes=20))
    state, event = await svc.tick(state.id)
    assert event == "time_up" and state is not None and state.phase is PeerPhase.FEEDBACK
    clock.advance(timedelta(minutes=10))
    state, event = await svc.tick(state.id)
    assert event == "silent" and state is not None and state.half == 1
    ended = await svc.end(state.id, B)
    assert ended.phase is PeerPhase.ENDED and await store.peer.session_of(A) is None
    assert [s.id for s in await svc.running()] == []


# -- layouts -------------------------------------------------------------------------------
def test_every_panel_notice_form_and_scorecard_fits_discord(bank: Bank, clock: FixedClock) -> None:
    for question in bank.questions.values():
        for probe in (None, *range(len(question.probes))):
            state = session.begin(
                BIG, (1, 2, 3), (A, B), ((question.id,), (question.id,)), 60, clock.now()
            )
            half = replace(state.current, showing=probe, question_ids=(question.id,) * 5)
            state = replace(state, halves=(half, state.halves[1]), seq=999999)
            assert check_embed(panel_embed(state, question)) == []
            check_view(panel_view(state, question))
    check_view(session_view(state))
    assert check_embed(half_embed(state, True)) == []
    for signal in range(4):
        check_modal(feedback_modal(BIG, 1, signal))
    long = "**x** " * 400
    feedback = PeerFeedback(1, 1, 0, A, B, "strong yes", long, long, (), clock.now())
    assert check_embed(scorecard_embed(build_card(feedback, [], bank))) == []


async def test_the_store_seats_a_member_once_and_forgets_them(
    store: Store, bank: Bank, clock: FixedClock
) -> None:
    first = await store.peer.add_session(1, (A, B), clock.now())
    with pytest.raises(SeatTaken):
        await store.peer.add_session(1, (B, C), clock.now())  # B sits in the first already
    assert await store.peer.add_session(1, (C, 44), clock.now()) > first  # nothing half-made
    svc = peer(store, bank, clock)
    await svc.invites.invite((1, 2), 55, 66, (), 1, 20)
    removed = await store.users.forget(66)
    assert removed["peer_invites"] == 1 and await store.peer.open_of(55) is None
