"""The rules one question must meet, wherever it comes from: a file of the bundled bank, an
entry of a server's uploaded pack, or a member's suggestion. One checker, so a server's own
question is held to the same limits, types and messages as a bundled one.

A server pack leaves out only what a member cannot be asked to write in a short form (deeper
probes, red flags, tags, aliases); every field it does give is checked exactly as in the bank.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.models import TOPIC_IDS, Difficulty, KeyPoint, Probe, Question
from bot.domain.content.bankfile import (
    ID_PATTERN,
    MAX_ID,
    FileChecker,
    is_id,
    printable,
    shown,
    shown_id,
)

TAG_PATTERN = ID_PATTERN
LIMITS = {"title": 60, "scenario": 300, "question": 300, "label": 100, "why": 300, "red_flag": 200}
QUESTION_KEYS = {"id", "topic", "title", "difficulty", "reference", "scenario", "question"}
QUESTION_KEYS |= {"key_points", "probes", "red_flags", "tags", "aliases", "checked"}
DIFFICULTIES = {d.value for d in Difficulty}
CHECKED_PATTERN = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
MAX_CORE = 3


@dataclass(frozen=True, slots=True)
class Rules:
    """How many of each list a question needs; which lists may be left out altogether."""

    probes: tuple[int, int] = (2, 3)
    red_flags: tuple[int, int] = (1, 4)
    tags: tuple[int, int] = (1, 8)
    optional: frozenset[str] = frozenset()
    aliases: bool = True  # old ids of merged questions: the bundled bank's, not a pack's


BUNDLED = Rules()
PACK = Rules(
    probes=(0, 3),
    red_flags=(0, 4),
    tags=(0, 8),
    optional=frozenset({"probes", "red_flags", "tags", "difficulty"}),
    aliases=False,
)


def _key_points(check: FileChecker, raw: list[Any], field: str) -> tuple[KeyPoint, ...]:
    points = []
    for i, item in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            check.fail(where, f"must be a mapping with 'label' and 'why' (got {shown(item)})")
            continue
        check.unknown(item, {"label", "why", "core"}, f"{where}.")
        label = check.text(item, "label", f"{where}.label", LIMITS["label"])
        why = check.text(item, "why", f"{where}.why", LIMITS["why"])
        core = item.get("core", False)
        if type(core) is not bool:
            check.fail(f"{where}.core", f"must be true or false (got {shown(core)})")
            core = False
        points.append(KeyPoint(label, why, core))
    _core_first(check, points, field)
    return tuple(points)


def _core_first(check: FileChecker, points: list[KeyPoint], field: str) -> None:
    """Core points (what an interviewer must hear) come first, so the checklist leads with them."""
    flags = [p.core for p in points]
    if any(flags) and flags != sorted(flags, reverse=True):
        check.fail(field, "core points must be listed before the others")


def _core_count(check: FileChecker, points: tuple[KeyPoint, ...]) -> None:
    count = sum(p.core for p in points)
    if points and not 1 <= count <= MAX_CORE:
        check.fail("key_points", f"mark 1 to {MAX_CORE} points 'core: true' (got {count})")


def _probes(check: FileChecker, raw: list[Any]) -> tuple[Probe, ...]:
    probes = []
    for i, item in enumerate(raw):
        where = f"probes[{i}]"
        if not isinstance(item, dict):
            got = shown(item)
            check.fail(where, f"must be a mapping with 'question' and 'key_points' (got {got})")
            continue
        check.unknown(item, {"question", "key_points"}, f"{where}.")
        text = check.text(item, "question", f"{where}.question", LIMITS["question"])
        points = _key_points(
            check,
            check.items(item, "key_points", f"{where}.key_points", 2, 5),
            f"{where}.key_points",
        )
        probes.append(Probe(text, points))
    return tuple(probes)


def _strings(
    check: FileChecker, raw: list[Any], field: str, valid: Callable[[str], bool], rule: str
) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not valid(item):
            check.fail(f"{field}[{i}]", f"{shown(item)} {rule}")
        else:
            out.append(item)
    return tuple(out)


def _list(
    check: FileChecker, data: dict[Any, Any], key: str, counts: tuple[int, int], rules: Rules
) -> list[Any]:
    """A list field; one the rules make optional may be left out (an empty list)."""
    if key in rules.optional and data.get(key) is None:
        return []
    return check.items(data, key, key, *counts)


def _identity(
    check: FileChecker, data: dict[Any, Any], topic_dir: str | None, stem: str | None
) -> str:
    """Check the id and topic: in the bank they must equal the file's name and folder; in a
    pack (no file of its own) the id must be a valid id and the topic one of the topics."""
    qid = data.get("id")
    topic = data.get("topic")
    check.qid = shown_id(qid, printable(stem) if stem is not None else check.qid)
    if stem is not None and qid != stem:
        check.fail("id", f"must equal the file name {shown(stem)} (got {shown(qid)})")
    elif not is_id(qid):
        check.fail("id", f"use lowercase a-z, 0-9 and '-', at most {MAX_ID} characters")
    check.unknown(data, QUESTION_KEYS, "")
    if topic_dir is not None and topic != topic_dir:
        got = shown(topic)
        check.fail("topic", f"must equal the folder name {shown(topic_dir)} (got {got})")
    if topic_dir is None and topic not in TOPIC_IDS:
        check.fail("topic", f"must be one of {', '.join(TOPIC_IDS)} (got {shown(topic)})")
        return TOPIC_IDS[0]
    return str(topic)


def _header(
    check: FileChecker, data: dict[Any, Any], rules: Rules
) -> tuple[Difficulty, Any, Any, tuple[str, ...]]:
    """Check the one-value fields; return difficulty, reference, checked, aliases."""
    difficulty = data.get("difficulty")
    if difficulty is None and "difficulty" in rules.optional:
        difficulty = Difficulty.MEDIUM.value
    if not isinstance(difficulty, str) or difficulty not in DIFFICULTIES:
        check.fail("difficulty", f"must be easy, medium or hard (got {shown(difficulty)})")
        difficulty = Difficulty.MEDIUM
    reference = data.get("reference")
    if reference is not None and (type(reference) is not int or not 1 <= reference <= 99):
        check.fail("reference", f"must be a whole number from 1 to 99 (got {shown(reference)})")
    checked = data.get("checked")
    if checked is not None and not (isinstance(checked, str) and CHECKED_PATTERN.match(checked)):
        check.fail("checked", f"must be a month like '2026-12' (got {shown(checked)})")
    aliases = data.get("aliases")
    if aliases is not None and not rules.aliases:
        check.fail("aliases", "are not used in a server pack; a question keeps its id")
        aliases = None
    if aliases is not None and not isinstance(aliases, list):
        check.fail("aliases", f"must be a list of old question ids (got {shown(aliases)})")
    old_ids = _strings(
        check, aliases if isinstance(aliases, list) else [], "aliases", is_id, "must be an old id"
    )
    return Difficulty(difficulty), reference, checked, old_ids


def check_question(
    check: FileChecker,
    data: dict[Any, Any],
    rules: Rules = BUNDLED,
    topic_dir: str | None = None,
    stem: str | None = None,
) -> Question:
    """The question a mapping describes; every problem goes to `check` (the question is only
    usable when none was found)."""
    topic = _identity(check, data, topic_dir, stem)
    difficulty, reference, checked, aliases = _header(check, data, rules)
    built = Question(
        id=check.qid,
        topic=topic,
        title=check.text(data, "title", "title", LIMITS["title"]),
        difficulty=difficulty,
        scenario=check.text(data, "scenario", "scenario", LIMITS["scenario"]),
        question=check.text(data, "question", "question", LIMITS["question"]),
        key_points=_key_points(
            check, check.items(data, "key_points", "key_points", 4, 8), "key_points"
        ),
        probes=_probes(check, _list(check, data, "probes", rules.probes, rules)),
        red_flags=_strings(
            check,
            _list(check, data, "red_flags", rules.red_flags, rules),
            "red_flags",
            lambda s: bool(s.strip()) and len(s) <= LIMITS["red_flag"],
            f"must be non-empty text of at most {LIMITS['red_flag']} characters",
        ),
        tags=_strings(
            check,
            _list(check, data, "tags", rules.tags, rules),
            "tags",
            lambda s: bool(TAG_PATTERN.match(s)),
            "must be a lowercase kebab-case word",
        ),
        reference=reference if type(reference) is int else None,
        aliases=aliases,
        checked=checked if isinstance(checked, str) else None,
    )
    _core_count(check, built.key_points)
    return built


def question_mapping(question: Question, question_id: str) -> dict[str, Any]:
    """A question in the bank's file format (what check_question reads back), under an id."""

    def points(block: tuple[KeyPoint, ...]) -> list[dict[str, Any]]:
        return [
            {"label": p.label, "why": p.why, **({"core": True} if p.core else {})} for p in block
        ]

    data: dict[str, Any] = {
        "id": question_id,
        "topic": question.topic,
        "title": question.title,
        "difficulty": question.difficulty.value,
        "scenario": question.scenario,
        "question": question.question,
        "key_points": points(question.key_points),
    }
    if question.probes:
        data["probes"] = [
            {"question": p.question, "key_points": points(p.key_points)} for p in question.probes
        ]
    for key, value in (("red_flags", question.red_flags), ("tags", question.tags)):
        if value:
            data[key] = list(value)
    if question.reference is not None:
        data["reference"] = question.reference
    if question.checked is not None:
        data["checked"] = question.checked
    return data
