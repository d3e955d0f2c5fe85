"""The one rule for the next probe, shared by /followup, DM rounds and the terminal."""

from __future__ import annotations

from bot.core.models import Bank
from bot.domain.answers.probes import next_probe, probe_for_missed


def test_after_the_main_answer_the_first_missed_point_picks_the_probe(bank: Bank) -> None:
    question = next(q for q in bank.in_topics() if len(q.probes) == 3)
    assert probe_for_missed(question, [4, 1]) == 1
    assert probe_for_missed(question, [5]) == 2
    assert probe_for_missed(question, []) == 0  # all covered: still one to dig into
    everything_but_point_4 = [i for i in range(len(question.key_points)) if i != 4]
    assert next_probe(question, None, everything_but_point_4) == 4 % 3


def test_after_a_probe_comes_the_next_one_then_none(bank: Bank) -> None:
    question = next(q for q in bank.in_topics() if len(q.probes) == 2)
    assert next_probe(question, 0, ()) == 1
    assert next_probe(question, 1, ()) is None
