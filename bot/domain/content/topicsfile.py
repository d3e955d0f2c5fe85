"""topics.yaml: the eight topics of the bank, checked like a question file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.core.models import TOPIC_IDS, Topic
from bot.domain.content.bankfile import MAX_ID, FileChecker, shown, shown_id

COLOUR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")
TOPIC_KEYS = {"id", "title", "emoji", "colour", "description"}


def _topic(check: FileChecker, entry: Any, i: int) -> Topic | None:
    if not isinstance(entry, dict):
        check.qid = "-"
        check.fail(f"topics[{i}]", f"must be a mapping (got {shown(entry)})")
        return None
    check.qid = shown_id(entry.get("id"), f"topics[{i}]")
    check.unknown(entry, TOPIC_KEYS, "")
    colour = entry.get("colour")
    if not isinstance(colour, str) or not COLOUR_PATTERN.match(colour):
        check.fail("colour", f"must be a hex colour like '#3B82F6' (got {shown(colour)})")
        colour = "#000000"
    return Topic(
        id=check.text(entry, "id", "id", MAX_ID),
        title=check.text(entry, "title", "title", 60),
        emoji=check.text(entry, "emoji", "emoji", 8),
        colour=int(colour[1:], 16),
        description=check.text(entry, "description", "description", 200),
    )


def load_topics(root: Path, problems: list[str]) -> dict[str, Topic]:
    """The topics root/topics.yaml lists, by id; each problem is added to problems."""
    path = root / "topics.yaml"
    check = FileChecker(path, root)
    data, notes = check.read(path) if path.exists() else (None, [])
    if not path.exists():
        check.fail("file", "is missing")
    check.report(notes)
    entries = data.get("topics") if isinstance(data, dict) else None
    topics: dict[str, Topic] = {}
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        topic = _topic(check, entry, i)
        if topic and topic.id in topics:
            check.fail("id", "is listed twice")
        if topic:
            topics[topic.id] = topic
    check.qid = "-"
    if topics and set(topics) != set(TOPIC_IDS):
        got = shown(", ".join(t for t in topics if t))
        check.fail("topics", f"must list exactly these ids: {', '.join(TOPIC_IDS)} (got {got})")
    if not topics:
        check.fail("topics", "must list the topics")
    problems.extend(check.lines())
    return topics
