"""`python -m bot practice`: a mock round in the terminal, offline, on the same engine and store.

The candidate's round is saved after every step. Leaving mid-round (Ctrl-C, or the end of input
where there is nothing left to finish) pauses its clock; the next run asks to resume or abandon.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.errors import UserError
from bot.core.models import TOPIC_IDS, Bank
from bot.core.round_state import Round
from bot.domain.content.loader import ContentError, Library
from bot.domain.services import Services
from bot.store import Store
from bot.store.postgres import is_postgres_url
from bot.terminal.lock import PracticeBusy, PracticeLock
from bot.terminal.prompt import Interrupted, open_reader
from bot.terminal.round import LOCAL_USER, PROMPT, STOPPED, Terminal, play
from bot.terminal.text import say

INTERRUPTED = 130  # the shell's status for Ctrl-C
# A terminal round is the practiser's own: it never writes into a community's shared store.
PRACTICE_NEEDS_FILE = (
    "practice keeps its rounds in an SQLite file, and bot.database is a PostgreSQL URL; "
    "run it with a config whose bot.database is a file"
)


def _describe(bank: Bank, state: Round) -> str:
    topics = sorted({known.topic for q in state.question_ids if (known := bank.get(q))})
    return (
        f"{', '.join(topics) or 'questions no longer in the bank'} · question "
        f"{state.index + 1} of {len(state.question_ids)} · {state.minutes:g} min a question"
    )


def _mismatches(bank: Bank, state: Round, args: argparse.Namespace) -> list[str]:
    """The options given that the saved round does not match."""
    found = []
    topics = {known.topic for q in state.question_ids if (known := bank.get(q))}
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
    if any(bank.get(q) is None for q in saved.question_ids[saved.index :]):
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
        return await play(term, state)
    finally:  # however the session ends, a round left running waits with its clock stopped
        await term.mock.pause(LOCAL_USER)


def _lock(database: Path) -> PracticeLock | None:
    """The database's practice lock, or None once it has said why it cannot be had."""
    lock = PracticeLock(database)
    try:
        lock.acquire()
    except PracticeBusy as busy:
        holder = f" (process {busy.holder})" if busy.holder else ""
        print(
            f"error: a practice round is open in another terminal{holder} on {database}; "
            "finish it there first",
            file=sys.stderr,
        )
        return None
    except OSError as exc:
        print(f"error: cannot lock {lock.path}: {exc.strerror or exc}", file=sys.stderr)
        return None
    return lock


async def _practise(settings: Settings, root: Path, args: argparse.Namespace) -> int:
    try:
        library = Library.load(root)
    except ContentError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    if is_postgres_url(settings.bot.database):
        print(f"error: {PRACTICE_NEEDS_FILE}", file=sys.stderr)
        return 2
    database = Path(settings.bot.database)
    store = await Store.open(database)  # before the lock: it explains a path that cannot work
    lock = _lock(database)
    if lock is None:
        await store.close()
        return 2
    reader = open_reader(asyncio.get_running_loop())
    try:
        services = Services.build(settings, store, library, SystemClock())
        return await _session(Terminal(services.mock, reader), args, settings)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Interrupted:
        say(f"\n{STOPPED}")
        return INTERRUPTED
    finally:
        await reader.close()
        await store.close()
        lock.release()


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
    try:
        return asyncio.run(_practise(settings, root, args))
    except KeyboardInterrupt:  # the lock goes with the process; the round was paused
        say(f"\n{STOPPED}")
        return INTERRUPTED
    except BrokenPipeError:  # `practice | head`: whoever read the output has gone
        # Point stdout at nowhere, or Python's own flush at exit fails the same way again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(
            "error: the output was closed mid-round; your round is saved: practice --resume "
            "goes on",
            file=sys.stderr,
        )
        return 2
