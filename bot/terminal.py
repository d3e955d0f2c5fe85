"""`python -m bot practice`: a mock round in the terminal, offline, on the same engine and store.

The candidate's round is saved after every step. Leaving mid-round (Ctrl-C, or the end of input
where there is nothing left to finish) pauses its clock; the next run asks to resume or abandon.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.content import ContentError, Library
from bot.errors import UserError
from bot.mock import MockService
from bot.models import TOPIC_IDS, Bank
from bot.rounds import Phase, Round
from bot.scorecard import build
from bot.services import Services
from bot.store import Store
from bot.terminal_io import Interrupted, Reader, open_reader
from bot.terminal_lock import PracticeBusy, PracticeLock
from bot.terminal_text import part_score, say, scorecard_lines

LOCAL_USER = 0  # attempts made in the terminal are stored under this user id
PROMPT = "> "
STOPPED = "Stopped. Your round is saved: practice --resume goes on, --abandon drops it."
INPUT_ENDED = 2  # exit status when the input ends before the round does (the round is kept)
INTERRUPTED = 130  # the shell's status for Ctrl-C


@dataclass(frozen=True, slots=True)
class Terminal:
    """The round's engine and where its lines come from."""

    mock: MockService
    reader: Reader

    @property
    def bank(self) -> Bank:
        """The question bank in use."""
        return self.mock.flow.library.bank


async def _add(term: Terminal, state: Round, text: str) -> Round:
    updated, cut = await term.mock.add_text(LOCAL_USER, text)
    if cut and not state.truncated:
        limit = term.mock.settings.max_answer_chars
        say(f"(Your answer was cut at {limit:,} characters, the longest answer kept.)")
    return updated


async def _timer(term: Terminal, state: Round) -> tuple[Round, str | None]:
    """The round's timer came due: the warning, or time's up with what was written so far."""
    assert state.deadline is not None
    if term.mock.now() >= state.deadline:
        typed = await term.reader.cut_short()
        if typed.strip():
            state = await _add(term, state, typed)
    ticked, event = await term.mock.tick(state.id)
    assert ticked is not None
    if event == "warned":
        await term.reader.show("⏰ One minute left.")
    elif event == "timeout":
        say("\n⏰ Time's up: moving on with what you wrote.")
    return ticked, event


async def _answer(term: Terminal, state: Round) -> Round | None:
    """Lines until two empty lines, the end of input, or time's up. None: the input ended with
    nothing written, so there is no answer to finish and the round stops there."""
    blanks = 0
    while True:
        wake = state.next_timer() or state.deadline
        assert wake is not None
        try:
            line = await term.reader.line(PROMPT, (wake - term.mock.now()).total_seconds())
        except TimeoutError:
            state, event = await _timer(term, state)
            if event == "timeout":
                return state
            continue
        except Interrupted as exc:  # Ctrl-C: the round stops, the half-typed line is kept
            if exc.typed.strip():
                await _add(term, state, exc.typed)
            raise
        if line is None:
            return await term.mock.done(LOCAL_USER) if state.answer.strip() else None
        if line.strip():
            state = await _add(term, state, "\n" + line if blanks else line)  # keep paragraphs
            blanks = 0
            continue
        blanks += 1
        if blanks == 2 and state.answer.strip():
            return await term.mock.done(LOCAL_USER)
        if blanks == 2:
            say("Write your answer first; two empty lines finish it.")
            blanks = 0


async def _checklist(term: Terminal, state: Round) -> Round | None:
    """Show the key points numbered; read the numbers covered. None: the input ended."""
    points = term.mock.question(state).points(state.probe)
    say("\nWhich key points did your answer cover? Tick only what you said clearly.")
    for number, point in enumerate(points, start=1):
        say(f"{number}. {point.label}", indent="  ", hang="     ")
    while True:
        say("Numbers separated by spaces, 'all', or Enter for none:")
        line = await term.reader.line(PROMPT)
        if line is None:
            return None
        words = line.replace(",", " ").split()
        if [w.lower() for w in words] == ["all"]:
            words = [str(n) for n in range(1, len(points) + 1)]
        if all(w.isdigit() and 1 <= int(w) <= len(points) for w in words):
            ticked = sorted({int(w) - 1 for w in words})
            return await term.mock.grade(LOCAL_USER, state.id, state.seq, ticked)
        say(f"Use numbers from 1 to {len(points)}.")


def _ask(term: Terminal, state: Round) -> None:
    question = term.mock.question(state)
    limit = int(state.limit.total_seconds() // 60)
    if state.probe is None:
        say(
            f"\n── Question {state.index + 1} of {len(state.question_ids)} · "
            f"{question.topic} · {question.difficulty} ── {limit} min"
        )
        say(question.scenario)
        say()
        say(question.question)
    else:
        say(f"\n── Let me dig into that ── {limit} min")
        say(question.probes[state.probe].question)
    say("\n(Write your answer. Two empty lines, or Ctrl-D / the end of input, finish it.)")


async def _play(term: Terminal, state: Round) -> int:
    """Ask, read and grade until the round is over or the input ends; the exit status."""
    while state.active:
        if state.phase is Phase.ANSWER:
            _ask(term, state)
            after = await _answer(term, state)
        else:
            after = await _checklist(term, state)
        if after is None:
            say(f"\n{STOPPED}")
            return INPUT_ENDED
        if len(after.steps) > len(state.steps):
            say(part_score(after, build(after, term.bank)))
        state = after
    say()
    for line in scorecard_lines(build(state, term.bank)):
        print(line)
    return 0


def _describe(bank: Bank, state: Round) -> str:
    topics = sorted({bank.questions[q].topic for q in state.question_ids if q in bank.questions})
    return (
        f"{', '.join(topics) or 'questions no longer in the bank'} · question "
        f"{state.index + 1} of {len(state.question_ids)} · {state.minutes:g} min a question"
    )


def _mismatches(bank: Bank, state: Round, args: argparse.Namespace) -> list[str]:
    """The options given that the saved round does not match."""
    found = []
    topics = {bank.questions[q].topic for q in state.question_ids if q in bank.questions}
    if args.topic and not topics <= set(args.topic):
        found.append("--topic " + " ".join(args.topic))
    if args.questions and args.questions != len(state.question_ids):
        found.append(f"--questions {args.questions}")
    if args.minutes and args.minutes != state.minutes:
        found.append(f"--minutes {args.minutes:g}")
    return found


async def _choose(term: Terminal, saved: Round, mismatches: list[str]) -> bool:
    """Ask whether to resume the saved round; False: abandon it."""
    say(f"You have a saved round: {_describe(term.bank, saved)}.")
    if mismatches:
        say(f"It is not the round you asked for ({', '.join(mismatches)}).")
    while True:
        say("Resume it, or abandon it and start a new one? Type resume or abandon:")
        line = await term.reader.line(PROMPT)
        if line is None:
            raise UserError("a saved round is waiting: run practice --resume or --abandon")
        word = line.strip().lower()
        if word in ("r", "resume", "a", "abandon"):
            return word.startswith("r")


def _refuse_to_resume(bank: Bank, saved: Round, args: argparse.Namespace) -> None:
    """UserError if the saved round cannot be resumed as asked; --abandon always works."""
    if args.abandon:
        return
    if any(q not in bank.questions for q in saved.question_ids[saved.index :]):
        raise UserError(
            "the saved round asks questions that are no longer in the question bank: "
            "run practice --abandon to drop it"
        )
    mismatches = _mismatches(bank, saved, args)
    if args.resume and mismatches:
        raise UserError(
            f"the saved round is {_describe(bank, saved)}, not {', '.join(mismatches)}:"
            " resume it without those options, or --abandon it"
        )


async def _open_round(term: Terminal, args: argparse.Namespace, settings: Settings) -> Round:
    """The saved round, resumed, or a new one; never the saved one without saying so."""
    saved = await term.mock.active(LOCAL_USER)
    if saved is not None:
        _refuse_to_resume(term.bank, saved, args)
        mismatches = _mismatches(term.bank, saved, args)
        resume = args.resume or (not args.abandon and await _choose(term, saved, mismatches))
        if resume:
            say(f"Resuming your saved round: {_describe(term.bank, saved)}.")
            return await term.mock.resume(LOCAL_USER)
        await term.mock.abandon(saved.id)
        say("Abandoned your saved round; starting a new one.")
    elif args.resume:
        raise UserError("there is no saved round to resume; run practice without --resume")
    return await term.mock.start(
        LOCAL_USER,
        args.topic or [],
        args.questions or settings.mock.questions,
        args.minutes or settings.mock.minutes,
    )


async def _session(term: Terminal, args: argparse.Namespace, settings: Settings) -> int:
    state = await _open_round(term, args, settings)
    try:
        return await _play(term, state)
    finally:  # however the session ends, a round left running waits with its clock stopped
        await term.mock.pause(LOCAL_USER)


async def _practise(settings: Settings, root: Path, args: argparse.Namespace) -> int:
    try:
        library = Library.load(root)
    except ContentError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    store = await Store.open(Path(settings.bot.database))
    reader = open_reader(asyncio.get_running_loop())
    try:
        services = Services.build(settings, store, library, SystemClock())
        mock = MockService(store, services.flow, services.clock, settings.mock)
        return await _session(Terminal(mock, reader), args, settings)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Interrupted:
        say(f"\n{STOPPED}")
        return INTERRUPTED
    finally:
        await reader.close()
        await store.close()


def _bad_option(args: argparse.Namespace) -> str | None:
    unknown = [t for t in args.topic or [] if t not in TOPIC_IDS]
    if unknown:
        return f"unknown topic {unknown[0]!r}; topics: {', '.join(TOPIC_IDS)}"
    if args.questions is not None and not 1 <= args.questions <= 10:
        return "--questions must be between 1 and 10"
    if args.minutes is not None and not 1 <= args.minutes <= 60:
        return "--minutes must be between 1 and 60"
    return None


def practise(settings: Settings, root: Path, args: argparse.Namespace) -> int:
    """Run one round in the terminal; return the exit status."""
    problem = _bad_option(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    lock = PracticeLock(Path(settings.bot.database))
    try:
        lock.acquire()
    except PracticeBusy as busy:
        holder = f" (process {busy.holder})" if busy.holder else ""
        print(
            f"error: a practice round is open in another terminal{holder} on "
            f"{settings.bot.database}; finish it there first",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        print(f"error: cannot lock {lock.path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_practise(settings, root, args))
    except KeyboardInterrupt:
        say(f"\n{STOPPED}")
        return INTERRUPTED
    finally:
        lock.release()
