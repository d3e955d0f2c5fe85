"""Load and validate the question bank in content/.

Every problem is collected (not just the first) and named as `file: id: field: what is wrong`,
so a contributor fixes a whole pull request in one go.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings
from bot.models import TOPIC_IDS, Bank, Difficulty, KeyPoint, Probe, Question, Topic

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_PATTERN = ID_PATTERN
COLOUR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_ID = 48
LIMITS = {"title": 60, "scenario": 300, "question": 300, "label": 100, "why": 300, "red_flag": 200}
QUESTION_KEYS = {
    "id",
    "topic",
    "title",
    "difficulty",
    "reference",
    "scenario",
    "question",
    "key_points",
    "probes",
    "red_flags",
    "tags",
    "aliases",
    "checked",
}
CHECKED_PATTERN = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
MAX_CORE = 3
LABEL_SOFT_LIMIT = 80
TOPIC_KEYS = {"id", "title", "emoji", "colour", "description"}


class ContentError(Exception):
    """The bank has problems; `problems` lists each as one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the question bank:\n" + "\n".join(problems)
        )
        self.problems = problems


class _Checker:
    """Collects problems for one file while fields are read."""

    def __init__(self, path: Path, root: Path) -> None:
        self.where = str(
            path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
        )
        self.qid = "-"
        self.problems: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(f"{self.where}: {self.qid}: {field}: {message}")

    def text(self, data: dict[str, Any], key: str, field: str, limit: int) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            got = "missing" if value is None else f"got {type(value).__name__} {value!r}"
            self.fail(field, f"must be non-empty text ({got})")
            return ""
        if len(value) > limit:
            self.fail(field, f"is {len(value)} characters; the limit is {limit}")
        return value.strip()

    def items(self, data: dict[str, Any], key: str, field: str, low: int, high: int) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            self.fail(field, "must be a list")
            return []
        if not low <= len(value) <= high:
            self.fail(field, f"has {len(value)} item(s); expected {low} to {high}")
        return value

    def unknown(self, data: dict[str, Any], allowed: set[str], field: str) -> None:
        for key in sorted(set(data) - allowed, key=str):
            hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.fail(f"{field}{key}", f"unknown key{extra}")


def _key_points(check: _Checker, raw: list[Any], field: str) -> tuple[KeyPoint, ...]:
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


def _core_first(check: _Checker, points: list[KeyPoint], field: str) -> None:
    """Core points (what an interviewer must hear) come first, so the checklist leads with them."""
    flags = [p.core for p in points]
    if any(flags) and flags != sorted(flags, reverse=True):
        check.fail(field, "core points must be listed before the others")


def _core_count(check: _Checker, points: tuple[KeyPoint, ...]) -> None:
    count = sum(p.core for p in points)
    if points and not 1 <= count <= MAX_CORE:
        check.fail("key_points", f"mark 1 to {MAX_CORE} points 'core: true' (got {count})")


def _probes(check: _Checker, raw: list[Any]) -> tuple[Probe, ...]:
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
    check: _Checker, raw: list[Any], field: str, valid: Callable[[str], bool], rule: str
) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not valid(item):
            check.fail(f"{field}[{i}]", f"{item!r} {rule}")
        else:
            out.append(item)
    return tuple(out)


def _question(check: _Checker, data: dict[str, Any], topic_dir: str, stem: str) -> Question | None:
    qid = data.get("id")
    check.qid = qid if isinstance(qid, str) else stem
    if qid != stem:
        check.fail("id", f"must equal the file name {stem!r} (got {qid!r})")
    elif not ID_PATTERN.match(qid) or len(qid) > MAX_ID:
        check.fail("id", f"use lowercase a-z, 0-9 and '-', at most {MAX_ID} characters")
    check.unknown(data, QUESTION_KEYS, "")
    if data.get("topic") != topic_dir:
        check.fail("topic", f"must equal the folder name {topic_dir!r} (got {data.get('topic')!r})")
    difficulty = data.get("difficulty")
    if difficulty not in {d.value for d in Difficulty}:
        check.fail("difficulty", f"must be easy, medium or hard (got {difficulty!r})")
    reference = data.get("reference")
    if reference is not None and (type(reference) is not int or reference < 1):
        check.fail("reference", f"must be a whole number from 1 (got {reference!r})")
    checked = data.get("checked")
    if checked is not None and not (isinstance(checked, str) and CHECKED_PATTERN.match(checked)):
        check.fail("checked", f"must be a month like '2026-12' (got {checked!r})")
    aliases = _strings(
        check,
        data.get("aliases") or [] if isinstance(data.get("aliases") or [], list) else [None],
        "aliases",
        lambda s: bool(ID_PATTERN.match(s)) and len(s) <= MAX_ID,
        "must be an old question id",
    )
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
        reference=reference if type(reference) is int else None,
        aliases=aliases,
        checked=checked if isinstance(checked, str) else None,
    )
    # core marks become required once the bank has them (issue 13)
    return built


def _read_yaml(path: Path, check: _Checker) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        check.fail("file", f"cannot be read: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        check.fail("file", f"is not valid YAML{at}: {getattr(exc, 'problem', exc)}")
    return None


def _topics(root: Path, problems: list[str]) -> dict[str, Topic]:
    path = root / "topics.yaml"
    check = _Checker(path, root)
    data = _read_yaml(path, check) if path.exists() else None
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
        check = _Checker(path, root)
        if path.parent.name not in topics:
            check.fail("topic", f"folder {path.parent.name!r} is not a topic in topics.yaml")
        data = _read_yaml(path, check)
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
