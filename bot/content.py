"""Load and validate the question bank in content/.

Every problem is collected (not just the first) and named as `file: id: field: what is wrong`,
so a contributor fixes a whole pull request in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.content_checks import Checker, read_yaml
from bot.models import TOPIC_IDS, Bank, Difficulty, KeyPoint, Probe, Question, Topic

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_PATTERN = ID_PATTERN
COLOUR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_ID = 48
LIMITS = {"title": 60, "scenario": 300, "question": 300, "label": 100, "why": 300, "red_flag": 200}
QUESTION_KEYS = {
    *("id", "aliases", "topic", "title", "difficulty", "checked", "reference", "scenario"),
    *("question", "key_points", "probes", "red_flags", "tags"),
}
CHECKED_PATTERN = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
MAX_CORE = 3
TOPIC_KEYS = {"id", "title", "emoji", "colour", "description"}


class ContentError(Exception):
    """The bank has problems; `problems` lists each as one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the question bank:\n" + "\n".join(problems)
        )
        self.problems = problems


def _key_points(check: Checker, raw: list[Any], field: str) -> tuple[KeyPoint, ...]:
    points = []
    for i, item in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            check.fail(where, "must be a mapping with 'label' and 'why'")
            continue
        check.unknown(item, {"label", "why", "core"}, f"{where}.")
        label = check.text(item, "label", f"{where}.label", LIMITS["label"])
        why = check.text(item, "why", f"{where}.why", LIMITS["why"])
        core = item.get("core", False)
        if type(core) is not bool:
            check.fail(f"{where}.core", f"must be true or false (got {core!r})")
            core = False
        points.append(KeyPoint(label, why, core))
    _core_first(check, points, field)
    return tuple(points)


def _core_first(check: Checker, points: list[KeyPoint], field: str) -> None:
    """Core points (what an interviewer must hear) come first, so the checklist leads with them."""
    flags = [p.core for p in points]
    if any(flags) and flags != sorted(flags, reverse=True):
        check.fail(field, "core points must be listed before the others")


def _core_count(check: Checker, points: tuple[KeyPoint, ...]) -> None:
    if points and not 1 <= (count := sum(p.core for p in points)) <= MAX_CORE:
        check.fail("key_points", f"mark 1 to {MAX_CORE} points 'core: true' (got {count})")


def _probes(check: Checker, raw: list[Any]) -> tuple[Probe, ...]:
    probes = []
    for i, item in enumerate(raw):
        where = f"probes[{i}]"
        if not isinstance(item, dict):
            check.fail(where, "must be a mapping with 'question' and 'key_points'")
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
    check: Checker, raw: list[Any], field: str, valid: Callable[[str], bool], rule: str
) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not valid(item):
            check.fail(f"{field}[{i}]", f"{item!r} {rule}")
        else:
            out.append(item)
    return tuple(out)


def _identity(check: Checker, data: dict[str, Any], topic_dir: str, stem: str) -> None:
    qid = data.get("id")
    check.qid = qid if isinstance(qid, str) else stem
    if qid != stem:
        check.fail("id", f"must equal the file name {stem!r} (got {qid!r})")
    elif not ID_PATTERN.match(qid) or len(qid) > MAX_ID:
        check.fail("id", f"use lowercase a-z, 0-9 and '-', at most {MAX_ID} characters")
    check.unknown(data, QUESTION_KEYS, "")
    if data.get("topic") != topic_dir:
        check.fail("topic", f"must equal the folder name {topic_dir!r} (got {data.get('topic')!r})")


def _optional(check: Checker, data: dict[str, Any]) -> tuple[int | None, str | None, list[str]]:
    """The optional fields: reference, checked month, aliases."""
    reference = data.get("reference")
    if reference is not None and (type(reference) is not int or reference < 1):
        check.fail("reference", f"must be a whole number from 1 (got {reference!r})")
    checked = data.get("checked")
    if checked is not None and not (isinstance(checked, str) and CHECKED_PATTERN.match(checked)):
        check.fail("checked", f"must be a month like '2026-12' (got {checked!r})")
    aliases = check.items(data, "aliases", "aliases", 1, 20) if "aliases" in data else []
    return (
        reference if type(reference) is int else None,
        checked if isinstance(checked, str) else None,
        aliases,
    )


def _question(check: Checker, data: dict[str, Any], topic_dir: str, stem: str) -> Question:
    _identity(check, data, topic_dir, stem)
    difficulty = data.get("difficulty")
    if difficulty not in {d.value for d in Difficulty}:
        check.fail("difficulty", f"must be easy, medium or hard (got {difficulty!r})")
    reference, checked, aliases = _optional(check, data)
    built = Question(
        id=check.qid,
        topic=topic_dir,
        title=check.text(data, "title", "title", LIMITS["title"]),
        difficulty=Difficulty(difficulty)
        if difficulty in {"easy", "medium", "hard"}
        else Difficulty.MEDIUM,
        scenario=check.text(data, "scenario", "scenario", LIMITS["scenario"]),
        question=check.text(data, "question", "question", LIMITS["question"]),
        key_points=_key_points(
            check, check.items(data, "key_points", "key_points", 4, 8), "key_points"
        ),
        probes=_probes(check, check.items(data, "probes", "probes", 2, 3)),
        red_flags=_strings(
            check,
            check.items(data, "red_flags", "red_flags", 1, 4),
            "red_flags",
            lambda s: bool(s.strip()) and len(s) <= LIMITS["red_flag"],
            f"must be non-empty text of at most {LIMITS['red_flag']} characters",
        ),
        tags=_strings(
            check,
            check.items(data, "tags", "tags", 1, 8),
            "tags",
            lambda s: bool(TAG_PATTERN.match(s)),
            "must be a lowercase kebab-case word",
        ),
        reference=reference,
        aliases=_strings(
            check,
            aliases,
            "aliases",
            lambda s: bool(ID_PATTERN.match(s)) and len(s) <= MAX_ID,
            "must be an old question id",
        ),
        checked=checked,
    )
    _core_count(check, built.key_points)
    return built


def _topics(root: Path, problems: list[str]) -> dict[str, Topic]:
    path = root / "topics.yaml"
    check = Checker(path, root)
    data = read_yaml(path, check) if path.exists() else None
    if not path.exists():
        check.fail("file", "is missing")
    entries = data.get("topics") if isinstance(data, dict) else None
    topics: dict[str, Topic] = {}
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        check.qid = str(entry.get("id", f"topics[{i}]")) if isinstance(entry, dict) else "-"
        if not isinstance(entry, dict):
            check.fail(f"topics[{i}]", "must be a mapping")
            continue
        check.unknown(entry, TOPIC_KEYS, "")
        colour = entry.get("colour")
        if not isinstance(colour, str) or not COLOUR_PATTERN.match(colour):
            check.fail("colour", f"must be a hex colour like '#3B82F6' (got {colour!r})")
            colour = "#000000"
        topic = Topic(
            id=check.text(entry, "id", "id", MAX_ID),
            title=check.text(entry, "title", "title", 60),
            emoji=check.text(entry, "emoji", "emoji", 8),
            colour=int(colour[1:], 16),
            description=check.text(entry, "description", "description", 200),
        )
        if topic.id in topics:
            check.fail("id", "is listed twice")
        topics[topic.id] = topic
    if topics and set(topics) != set(TOPIC_IDS):
        check.qid = "-"
        check.fail(
            "topics",
            f"must list exactly these ids: {', '.join(TOPIC_IDS)} (got {', '.join(topics)})",
        )
    if not topics:
        check.fail("topics", "must list the topics")
    problems.extend(check.problems)
    return topics


def load_bank(root: Path = DEFAULT_CONTENT) -> Bank:
    """Load every topic and question under root; raise ContentError listing all problems."""
    root = Path(root)
    if not root.is_dir():
        raise ContentError([f"{root}: -: file: the content folder does not exist"])
    problems: list[str] = []
    topics = _topics(root, problems)
    questions: dict[str, Question] = {}
    for path in sorted(root.glob("*/*.y*ml")):
        check = Checker(path, root)
        if path.parent.name not in topics:
            check.fail("topic", f"folder {path.parent.name!r} is not a topic in topics.yaml")
        data = read_yaml(path, check)
        if data is not None and not isinstance(data, dict):
            check.fail("file", "must hold one mapping (a question), not a list or a scalar")
        elif isinstance(data, dict):
            question = _question(check, data, path.parent.name, path.stem)
            if question and question.id in questions:
                check.fail("id", "is used by another file too; ids must be unique")
            elif question:
                questions[question.id] = question
        problems.extend(check.problems)
    aliases = _aliases(questions, problems)
    if problems:
        raise ContentError(problems)
    return Bank(topics=topics, questions=questions, aliases=aliases)


def _aliases(questions: dict[str, Question], problems: list[str]) -> dict[str, str]:
    """Old ids of merged or renamed questions; ids are forever, so none may be reused."""
    aliases: dict[str, str] = {}
    for question in questions.values():
        for old in question.aliases:
            where = f"{question.topic}/{question.id}.yaml: {question.id}: aliases"
            if old in questions:
                problems.append(f"{where}: {old!r} is a current question's id")
            elif old in aliases:
                problems.append(f"{where}: {old!r} is an alias of {aliases[old]!r} too")
            else:
                aliases[old] = question.id
    return aliases


class Library:
    """Holds the current bank so it can be swapped (admin reload) without a restart."""

    def __init__(self, root: Path, bank: Bank) -> None:
        self.root = root
        self.bank = bank

    @classmethod
    def load(cls, root: Path) -> Library:
        """Load the bank at root, raising ContentError if it is bad."""
        return cls(root, load_bank(root))

    def reload(self) -> Bank:
        """Load the bank again; on error keep the old one and raise ContentError."""
        self.bank = load_bank(self.root)
        return self.bank


def content_root(settings: Settings) -> Path:
    """The content folder the settings name, or the bundled one."""
    return Path(settings.bot.content) if settings.bot.content else DEFAULT_CONTENT
