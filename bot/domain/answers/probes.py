"""Which probe the interviewer asks next: one rule for /followup, DM rounds and the terminal."""

from __future__ import annotations

from collections.abc import Collection

from bot.core.models import Question


def probe_for_missed(question: Question, missed: Collection[int]) -> int | None:
    """After the main answer: the probe tied to the first missed key point (each point maps
    onto the probes in turn), or the first probe if nothing was missed; None if it has none."""
    if not question.probes:
        return None
    return (min(missed) if missed else 0) % len(question.probes)


def next_probe(question: Question, probe: int | None, covered: Collection[int]) -> int | None:
    """The probe to dig into after answering the question (probe None) or one of its probes:
    after the main answer, the one tied to the first missed point; after a probe, the next."""
    if probe is None:
        missed = [i for i in range(len(question.key_points)) if i not in covered]
        return probe_for_missed(question, missed)
    following = probe + 1
    return following if following < len(question.probes) else None
