"""A server pack as a file: checked by the bank's own reader and rules, and written back.

An upload is read exactly as a question file of the bundled bank is (size, UTF-8, no aliases,
no deep nesting, no repeated keys), and each of its questions is checked by the same rules, so
`content check` and an upload say the same thing about the same mistake. On top, a pack's
text may not mention anyone or hide a link: it is shown in servers by the bot.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.models import Question
from bot.domain.content.bankfile import FileChecker, shown
from bot.domain.content.questions import PACK, check_question, question_mapping
from bot.domain.content.serverpack import split_server_id

MAX_QUESTIONS = 200  # per server: a 256 KiB file holds about that many
PACK_KEYS = {"questions"}
# Mentions (users, roles, channels, commands, @everyone/@here) and masked links [text](url).
UNSAFE = re.compile(r"@everyone|@here|<(?:@[!&]?|#|/)[^>]*>|\]\(")
FORMAT_HINT = "a mapping with 'questions:', a list of questions in the bank's format"


@dataclass(frozen=True, slots=True)
class PackCheck:
    """What a pack file holds (ids as the file gives them), or every problem found."""

    questions: tuple[Question, ...]
    problems: tuple[str, ...]

    def per_topic(self) -> dict[str, int]:
        """Questions per topic, for the preview."""
        return dict(sorted(Counter(q.topic for q in self.questions).items()))


def _entries(check: FileChecker, data: Any) -> list[Any]:
    """The question mappings of a pack: `questions: [...]`, or one question file as it is."""
    if isinstance(data, dict) and "questions" not in data and "id" in data:
        return [data]
    if not isinstance(data, dict):
        if data is not None:
            check.fail("file", f"must hold {FORMAT_HINT} (got {shown(data)})")
        return []
    check.unknown(data, PACK_KEYS, "")
    return check.items(data, "questions", "questions", 1, MAX_QUESTIONS)


def _texts(question: Question) -> list[tuple[str, str]]:
    """(field, text) of everything a question shows."""
    out = [("title", question.title), ("scenario", question.scenario)]
    out.append(("question", question.question))
    blocks = [("key_points", question.key_points)]
    blocks += [(f"probes[{i}].key_points", p.key_points) for i, p in enumerate(question.probes)]
    out += [(f"probes[{i}].question", p.question) for i, p in enumerate(question.probes)]
    for field, points in blocks:
        for i, point in enumerate(points):
            out += [(f"{field}[{i}].label", point.label), (f"{field}[{i}].why", point.why)]
    out += [(f"red_flags[{i}]", flag) for i, flag in enumerate(question.red_flags)]
    return out


def check_safe(check: FileChecker, question: Question) -> None:
    """A pack's text mentions nobody and hides no link."""
    for field, text in _texts(question):
        if found := UNSAFE.search(text):
            check.fail(field, f"must not mention anyone or hide a link (found {shown(found[0])})")


def check_entry(check: FileChecker, entry: Any) -> Question | None:
    """One pack question, checked; None when it has problems (they are in `check`)."""
    if not isinstance(entry, dict):
        check.fail("file", f"must be a mapping (a question), not {shown(entry)}")
        return None
    before = len(check.problems) + check.hidden
    question = check_question(check, entry, PACK)
    check_safe(check, question)
    return question if len(check.problems) + check.hidden == before else None


def check_pack(data: bytes, filename: str) -> PackCheck:
    """Every question of a pack file and every problem, as `file: id: field: what is wrong`."""
    check = FileChecker(filename)
    raw, notes = check.parse(data)
    check.report(notes)
    entries = _entries(check, raw)
    problems = check.lines()
    questions: list[Question] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        one = FileChecker(filename)
        one.qid = f"questions[{i}]"
        question = check_entry(one, entry)
        if question is not None and question.id in first:
            one.fail("id", f"is also the id of questions[{first[question.id]}]; ids are unique")
        elif question is not None:
            first[question.id] = i
            questions.append(question)
        problems += one.lines()
    return PackCheck(tuple(questions), tuple(problems))


def question_yaml(question: Question) -> str:
    """One server question as stored: the bank's format, under its id within the pack."""
    return _dump(question_mapping(question, pack_id(question.id)))


def pack_yaml(questions: list[Question]) -> str:
    """A whole pack as a file that uploads back as it is."""
    return _dump({"questions": [question_mapping(q, pack_id(q.id)) for q in questions]})


def read_stored(body: str, question_id: str) -> tuple[Question | None, list[str]]:
    """A stored question read back through the same checks (the rules may have grown since),
    under its namespaced id; None and the problems when it no longer passes."""
    check = FileChecker(f"stored {question_id}")
    check.qid = question_id
    raw, notes = check.parse(body.encode("utf-8"))
    check.report(notes)
    question = check_entry(check, raw) if raw is not None else None
    if question is None:
        return None, check.lines()
    return dataclasses.replace(question, id=question_id), []


def pack_id(question_id: str) -> str:
    """A question's id within its pack (the part after `g<guild>/`)."""
    server = split_server_id(question_id)
    return server[1] if server else question_id


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
