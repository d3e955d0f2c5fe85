"""What `content check` reports besides errors: the per-topic summary and style warnings."""

from __future__ import annotations

import re

from bot.core.models import Bank

LABEL_SOFT_LIMIT = 80  # a label longer than this is hard to tick at a glance (hard cap: 100)

COMPOUND = re.compile(r";|, and |\band also\b|\bas well as\b|(?:\band\b.*){2,}")


def style_warnings(bank: Bank) -> list[str]:
    """Soft rules a reviewer would raise: labels too long to tick at a glance, or two ideas."""
    warnings = []
    for question in bank.in_topics():
        blocks = [("key_points", question.key_points)] + [
            (f"probes[{i}].key_points", probe.key_points) for i, probe in enumerate(question.probes)
        ]
        for field, points in blocks:
            for i, point in enumerate(points):
                where = f"{question.topic}/{question.id}.yaml: {question.id}: {field}[{i}].label"
                if len(point.label) > LABEL_SOFT_LIMIT:
                    warnings.append(
                        f"{where}: is {len(point.label)} characters; aim for {LABEL_SOFT_LIMIT}"
                    )
                if COMPOUND.search(point.label):
                    warnings.append(f"{where}: may hold two ideas; split it or move one to why")
    return warnings


def summary(bank: Bank) -> list[str]:
    """One line per topic with its question count, then the total."""
    lines = []
    for topic in bank.topics.values():
        questions = bank.in_topics([topic.id])
        refs = sum(1 for q in questions if q.reference is not None)
        lines.append(
            f"{topic.id:<12} {len(questions):>3} questions ({refs} from the reference list)"
        )
    lines.append(f"{'total':<12} {len(bank.questions):>3} questions in {len(bank.topics)} topics")
    labels = [p.label for q in bank.questions.values() for p in q.key_points]
    labels += [p.label for q in bank.questions.values() for pr in q.probes for p in pr.key_points]
    if labels:
        long = sum(len(label) > LABEL_SOFT_LIMIT for label in labels)
        mean = sum(map(len, labels)) / len(labels)
        lines.append(
            f"labels: {len(labels)}, mean {mean:.0f} characters, {long} over {LABEL_SOFT_LIMIT}"
        )
    return lines
