"""One terminal round's conversation: ask, read the answer, tick the checklist, score.

The rules are the DM rounds' own (bot.mock, bot.rounds); this module only talks.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import Bank
from bot.core.round_state import Phase, Round
from bot.domain.answers.evidence import describe
from bot.domain.mock.scorecard import build, part_lines
from bot.domain.mock.service import MockService
from bot.terminal.prompt import Interrupted, Reader
from bot.terminal.text import say, scorecard_lines

LOCAL_USER = 0  # attempts made in the terminal are stored under this user id
PROMPT = "> "
STOPPED = "Stopped. Your round is saved: practice --resume goes on, --abandon drops it."
INPUT_ENDED = 2  # exit status when the input ends before the round does (the round is kept)


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
    question = term.mock.question(state)
    points = question.points(state.probe)
    evidence = term.mock.flow.evidence(question, state.probe, state.answer)
    say("\nWhich key points did your answer cover? Tick only what you said clearly.")
    say("Under each point: your own closest words, or a note that none were found.")
    for number, (point, found) in enumerate(zip(points, evidence, strict=True), start=1):
        say(f"{number}. {point.label}", indent="  ", hang="     ")
        say(describe(found), indent="     ", hang="       ")
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


async def play(term: Terminal, state: Round) -> int:
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
            for line in part_lines(after, build(after, term.bank)):
                say(line)
        state = after
    say()
    for line in scorecard_lines(build(state, term.bank)):
        print(line)
    return 0
