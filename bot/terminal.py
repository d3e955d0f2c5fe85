"""`python -m bot practice`: a mock round in the terminal, offline, on the same engine and store."""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
import threading
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.config import Settings
from bot.content import ContentError, Library
from bot.errors import UserError
from bot.grading import bar
from bot.mock import MockService
from bot.models import TOPIC_IDS
from bot.rounds import Phase, Round
from bot.scorecard import Scorecard, build, minutes
from bot.services import Services
from bot.store import Store

LOCAL_USER = 0  # attempts made in the terminal are stored under this user id
WIDTH = 78


class LineReader:
    """Reads stdin in a thread so the round's timer can interrupt a wait for input."""

    def __init__(self, stream: TextIO, loop: asyncio.AbstractEventLoop) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.eof = False
        thread = threading.Thread(target=self._pump, args=(stream, loop), daemon=True)
        thread.start()

    def _pump(self, stream: TextIO, loop: asyncio.AbstractEventLoop) -> None:
        for line in stream:
            loop.call_soon_threadsafe(self.queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(self.queue.put_nowait, None)

    async def line(self, wait: float | None = None) -> str | None:
        """The next line; None at end of input; TimeoutError if none came within `wait` s."""
        if self.eof:
            return None
        line = await asyncio.wait_for(self.queue.get(), wait)
        self.eof = line is None
        return line


def say(text: str = "", indent: str = "", hang: str | None = None) -> None:
    """Print wrapped to 80 columns; `hang` indents continuation lines."""
    if not text:
        print()
        return
    for paragraph in text.split("\n"):
        wrapped = textwrap.fill(
            paragraph,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent if hang is None else hang,
        )
        print(wrapped or indent.rstrip())


async def _answer(mock: MockService, state: Round, reader: LineReader) -> Round:
    """Collect lines until two blank lines, end of input, or time's up."""
    lines: list[str] = []
    blanks = 0
    while True:
        assert state.deadline is not None
        wake = state.next_timer() or state.deadline
        timeout = max(0.0, (wake - mock.now()).total_seconds())
        try:
            line = await reader.line(timeout)
        except TimeoutError:
            if lines:
                state, _ = await mock.add_text(LOCAL_USER, "\n".join(lines))
                lines = []
            ticked, event = await mock.tick(state.id)
            assert ticked is not None
            if event == "warned":
                say("\n⏰ One minute left.")
            elif event == "timeout":
                say("\n⏰ Time's up: moving on with what you wrote.")
                return ticked
            state = ticked
            continue
        if line is not None and line.strip():
            lines.append(line)
            blanks = 0
            continue
        blanks += 1
        if line is None or blanks >= 2:
            if lines:
                state, cut = await mock.add_text(LOCAL_USER, "\n".join(lines))
                if cut:
                    say(f"(Your answer was cut at {mock.settings.max_answer_chars:,} characters.)")
            try:
                return await mock.done(LOCAL_USER, allow_empty=line is None)
            except UserError as exc:
                say(str(exc))
                blanks = 0


async def _checklist(mock: MockService, state: Round, reader: LineReader) -> Round:
    """Show the key points numbered; read the numbers the candidate covered."""
    points = mock.question(state).points(state.probe)
    say("\nWhich key points did your answer cover? Tick only what you said clearly.")
    for number, point in enumerate(points, start=1):
        say(f"{number}. {point.label}", indent="  ", hang="     ")
    while True:
        say("Numbers separated by spaces, 'all', or Enter for none:")
        line = await reader.line()
        words = (line or "").replace(",", " ").split()
        if [w.lower() for w in words] == ["all"]:
            words = [str(n) for n in range(1, len(points) + 1)]
        if all(w.isdigit() and 1 <= int(w) <= len(points) for w in words):
            ticked = sorted({int(w) - 1 for w in words})
            return await mock.grade(LOCAL_USER, state.id, state.seq, ticked)
        say(f"Use numbers from 1 to {len(points)}.")


def _ask(mock: MockService, state: Round) -> None:
    question = mock.question(state)
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
    say("\n(Write your answer. Two blank lines, or end of input, finish it.)")


def scorecard_lines(card: Scorecard) -> list[str]:
    """The scorecard as plain text lines of at most 80 columns."""
    head = "Round stopped early" if card.stopped else "Scorecard"
    lines = [f"══ {head}: {round(card.coverage * 100)}% of key points {bar(card.coverage)} ══"]
    for i, line in enumerate(card.lines, start=1):
        probe = f" · probe {line.probe_covered}/{line.probe_total}" if line.probe_total else ""
        late = " (time's up)" if line.timed_out else ""
        lines.append(f"{i}. {line.title[:40]:<40} {line.covered}/{line.total}{probe}")
        lines.append(f"   {line.topic} · {minutes(line.seconds)} of {minutes(line.limit)}{late}")
    per_topic = ", ".join(f"{t} {c}/{n}" for t, (c, n) in sorted(card.topics.items()))
    lines += textwrap.wrap(f"Per topic: {per_topic}", WIDTH)
    lines.append(f"Time: {minutes(card.seconds)} used of {minutes(card.limit)}")
    if card.missed:
        lines.append("Missed most:")
        for label in card.missed:
            lines += textwrap.wrap(label, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    if card.review_next:
        lines += textwrap.wrap("Review next: " + ", ".join(card.review_next), WIDTH)
    return lines


async def _round(mock: MockService, args: argparse.Namespace, settings: Settings) -> int:
    reader = LineReader(sys.stdin, asyncio.get_running_loop())
    state = await mock.active(LOCAL_USER)
    if state is not None:
        say("Resuming your unfinished round.")
    else:
        state = await mock.start(
            LOCAL_USER,
            args.topic or [],
            args.questions or settings.mock.questions,
            args.minutes or settings.mock.minutes,
        )
    while state.active:
        if state.phase is Phase.ANSWER:
            _ask(mock, state)
            state = await _answer(mock, state, reader)
        else:
            state = await _checklist(mock, state, reader)
    say()
    for line in scorecard_lines(build(state, mock.flow.library.bank)):
        print(line)
    return 0


async def _practise(settings: Settings, root: Path, args: argparse.Namespace) -> int:
    try:
        library = Library.load(root)
    except ContentError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    store = await Store.open(Path(settings.bot.database))
    try:
        services = Services.build(settings, store, library, SystemClock())
        mock = MockService(store, services.flow, services.clock, settings.mock)
        return await _round(mock, args, settings)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        await store.close()


def practise(settings: Settings, root: Path, args: argparse.Namespace) -> int:
    """Run one round in the terminal; return the exit status."""
    unknown = [t for t in args.topic or [] if t not in TOPIC_IDS]
    if unknown:
        print(
            f"error: unknown topic {unknown[0]!r}; topics: {', '.join(TOPIC_IDS)}", file=sys.stderr
        )
        return 2
    if args.questions is not None and not 1 <= args.questions <= 10:
        print("error: --questions must be between 1 and 10", file=sys.stderr)
        return 2
    if args.minutes is not None and not 1 <= args.minutes <= 60:
        print("error: --minutes must be between 1 and 60", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_practise(settings, root, args))
    except KeyboardInterrupt:
        print("\nStopped. Your round is saved; run practice again to resume.")
        return 130
