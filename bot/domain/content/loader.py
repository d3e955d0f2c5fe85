"""Load and validate the question bank in content/.

Every problem is collected (not just the first) and named as `file: id: field: what is wrong`,
so a contributor fixes a whole pull request in one go.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.core.config import Settings
from bot.core.models import TOPIC_IDS, Bank, Difficulty, KeyPoint, Probe, Question, Topic
from bot.domain.answers.evidence import EvidenceIndex
from bot.domain.content.bankfile import (
    ID_PATTERN,
    MAX_ID,
    FileChecker,
    is_id,
    printable,
    shown,
    shown_id,
)
from bot.domain.content.topicsfile import load_topics

DEFAULT_CONTENT = Path(__file__).resolve().parents[3] / "content"
TAG_PATTERN = ID_PATTERN
LIMITS = {"title": 60, "scenario": 300, "question": 300, "label": 100, "why": 300, "red_flag": 200}
QUESTION_KEYS = {"id", "topic", "title", "difficulty", "reference", "scenario", "question"}
QUESTION_KEYS |= {"key_points", "probes", "red_flags", "tags", "aliases", "checked"}
DIFFICULTIES = {d.value for d in Difficulty}
CHECKED_PATTERN = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
MAX_CORE = 3


class ContentError(Exception):
    """The bank has problems; `problems` lists each as one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the question bank:\n" + "\n".join(problems)
        )
        self.problems = problems


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


def _header(
    check: FileChecker, data: dict[Any, Any], topic_dir: str, stem: str
) -> tuple[Difficulty, Any, Any, tuple[str, ...]]:
    """Check the id and the one-value fields; return difficulty, reference, checked, aliases."""
    qid = data.get("id")
    check.qid = shown_id(qid, printable(stem))
    if qid != stem:
        check.fail("id", f"must equal the file name {shown(stem)} (got {shown(qid)})")
    elif not is_id(qid):
        check.fail("id", f"use lowercase a-z, 0-9 and '-', at most {MAX_ID} characters")
    check.unknown(data, QUESTION_KEYS, "")
    if data.get("topic") != topic_dir:
        got = shown(data.get("topic"))
        check.fail("topic", f"must equal the folder name {shown(topic_dir)} (got {got})")
    difficulty = data.get("difficulty")
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
    if aliases is not None and not isinstance(aliases, list):
        check.fail("aliases", f"must be a list of old question ids (got {shown(aliases)})")
    old_ids = _strings(
        check, aliases if isinstance(aliases, list) else [], "aliases", is_id, "must be an old id"
    )
    return Difficulty(difficulty), reference, checked, old_ids


def _question(check: FileChecker, data: dict[Any, Any], topic_dir: str, stem: str) -> Question:
    difficulty, reference, checked, aliases = _header(check, data, topic_dir, stem)
    built = Question(
        id=check.qid,
        topic=topic_dir,
        title=check.text(data, "title", "title", LIMITS["title"]),
        difficulty=difficulty,
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
    _core_count(check, built.key_points)
    return built


def _question_file(check: FileChecker, path: Path) -> Question | None:
    if path.parent.name not in TOPIC_IDS:  # not topics.yaml's list: it may be the broken file
        name = shown(path.parent.name)
        check.fail("topic", f"folder {name} is not a topic (one of {', '.join(TOPIC_IDS)})")
    data, notes = check.read(path)
    if isinstance(data, dict):
        check.qid = shown_id(data.get("id"), printable(path.stem))
    elif data is not None:
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
        check.fail("file", f"must hold one mapping (a question), not {kind}")
    check.report(notes)
    return _question(check, data, path.parent.name, path.stem) if isinstance(data, dict) else None


def _questions(
    root: Path, problems: list[str]
) -> tuple[dict[str, Question], dict[str, str], Counter[str]]:
    """Every question file under root: the questions, the file each came from, files per folder."""
    questions: dict[str, Question] = {}
    sources: dict[str, str] = {}
    found: Counter[str] = Counter()
    for path in sorted(root.glob("*/*.y*ml")):
        found[path.parent.name] += 1
        check = FileChecker(path, root)
        question = _question_file(check, path)
        if question and question.id in sources:
            check.fail("id", f"is also the id in {sources[question.id]}; ids must be unique")
        elif question:
            questions[question.id] = question
            sources[question.id] = check.where
        problems.extend(check.lines())
    return questions, sources, found


def _coverage(
    root: Path, topics: dict[str, Topic], found: Counter[str], problems: list[str]
) -> None:
    """A bank, and each of its topics, needs at least one question file."""
    if not found:
        where = printable(str(root))
        problems.append(f"{where}: -: questions: no question files; add <topic>/<id>.yaml")
        return
    for topic in topics:
        if is_id(topic) and not found[topic]:
            problems.append(f"topics.yaml: {topic}: questions: none; add {topic}/<id>.yaml")


def load_bank(root: Path = DEFAULT_CONTENT) -> Bank:
    """Load every topic and question under root; raise ContentError listing all problems."""
    root = Path(root)
    if not root.is_dir():
        where = printable(str(root))
        raise ContentError([f"{where}: -: file: the content folder does not exist"])
    problems: list[str] = []
    topics = load_topics(root, problems)
    questions, sources, found = _questions(root, problems)
    _coverage(root, topics, found, problems)
    aliases = _aliases(questions, sources, problems)
    if problems:
        raise ContentError(problems)
    return Bank(topics=topics, questions=questions, aliases=aliases)


def _aliases(
    questions: dict[str, Question], sources: dict[str, str], problems: list[str]
) -> dict[str, str]:
    """Old ids of merged or renamed questions; ids are forever, so none may be reused."""
    aliases: dict[str, str] = {}
    for question in questions.values():
        for old in question.aliases:
            where = f"{sources[question.id]}: {question.id}: aliases"
            if old in questions:
                problems.append(f"{where}: {old!r} is a current question's id")
            elif old in aliases:
                problems.append(f"{where}: {old!r} is an alias of {aliases[old]!r} too")
            else:
                aliases[old] = question.id
    return aliases


class Library:
    """Holds the current bank and its evidence index, swapped together (admin reload) without a
    restart: the pair is one attribute, so a reader never sees a bank with another's index."""

    def __init__(self, root: Path, bank: Bank, evidence: EvidenceIndex | None = None) -> None:
        self.root = root
        self._loaded: tuple[Bank, EvidenceIndex | None] = (bank, evidence)

    @property
    def bank(self) -> Bank:
        """The question bank in use."""
        return self._loaded[0]

    @property
    def evidence(self) -> EvidenceIndex:
        """The bank's key points indexed for the checklist's evidence lines. Built at load and
        on reload; a library made from a bank in hand (tests) builds it on first use."""
        bank, index = self._loaded
        if index is None:
            index = EvidenceIndex.build(bank)
            self._loaded = (bank, index)
        return index

    @classmethod
    def load(cls, root: Path) -> Library:
        """Load the bank at root and index it, raising ContentError if it is bad."""
        bank = load_bank(root)
        return cls(root, bank, EvidenceIndex.build(bank))

    def reload(self) -> Bank:
        """Load the bank again and index it; on error keep the old one and raise ContentError."""
        bank = load_bank(self.root)
        self._loaded = (bank, EvidenceIndex.build(bank))
        return bank


def content_root(settings: Settings) -> Path:
    """The content folder the settings name, or the bundled one."""
    return Path(settings.bot.content) if settings.bot.content else DEFAULT_CONTENT
