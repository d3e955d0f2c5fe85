"""What the terminal round prints: wrapped to the terminal's width, words never split."""

from __future__ import annotations

import shutil
import textwrap

from bot.domain.answers.grading import bar, core_summary
from bot.domain.mock.scorecard import Scorecard, minutes

NARROWEST = 20  # below this, wrapping would put one word per line anyway
TITLE_COLUMN = 40  # scorecard titles at most this wide, at most WIDTH - 22 on narrow terminals


def width() -> int:
    """Columns to wrap at: the terminal's, asked each time since windows are resized (COLUMNS,
    then 80, when output is not a terminal), less two so nothing touches the right edge."""
    return max(NARROWEST, shutil.get_terminal_size((80, 24)).columns - 2)


def wrap(text: str, indent: str = "", hang: str | None = None) -> list[str]:
    """Lines of `text` at the terminal's width. A word longer than a line stays whole (it runs
    past the edge): a split word, or one broken at its hyphens, reads as two words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(
            paragraph,
            width(),
            initial_indent=indent,
            subsequent_indent=indent if hang is None else hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines += wrapped or [indent.rstrip()]
    return lines


def say(text: str = "", indent: str = "", hang: str | None = None) -> None:
    """Print wrapped to the terminal's width; `hang` indents continuation lines."""
    print("\n".join(wrap(text, indent, hang)) if text else "", flush=True)


def clip(text: str, room: int) -> str:
    """`text` in at most `room` characters, ending with "…" when it had to be shortened."""
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def scorecard_lines(card: Scorecard) -> list[str]:
    """The scorecard as plain text lines at the terminal's width."""
    head = "Round stopped early" if card.stopped else "Scorecard"
    lines = [f"══ {head}: {round(card.coverage * 100)}% of key points {bar(card.coverage)} ══"]
    room = max(NARROWEST // 2, min(TITLE_COLUMN, width() - 22))
    for i, line in enumerate(card.lines, start=1):
        probe = f" · probe {line.probe_covered}/{line.probe_total}" if line.probe_total else ""
        late = " (time's up)" if line.timed_out else ""
        lines.append(f"{i}. {clip(line.title, room):<{room}} {line.covered}/{line.total}{probe}")
        lines.append(
            f"   {line.topic} · {round(line.coverage * 100)}% · "
            f"{minutes(line.seconds)} of {minutes(line.limit)}{late}"
        )
    per_topic = ", ".join(f"{t} {round(v * 100)}%" for t, v in sorted(card.topic_shares().items()))
    lines += wrap(f"Per topic: {per_topic}")
    covered, asked = card.core
    if asked:
        lines += wrap(f"{core_summary(covered, asked)} (core points count double)")
    lines.append(f"Time: {minutes(card.seconds)} used of {minutes(card.limit)}")
    if card.missed:
        lines.append("Missed most:")
        for label in card.missed:
            lines += wrap(label, indent="  - ", hang="    ")
    if card.review_next:
        lines += wrap("Review next: " + ", ".join(card.review_next))
    return lines
