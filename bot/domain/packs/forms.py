"""A suggestion as a member writes it in a form, and the question mapping it stands for.

The form has what a member remembers being asked: the topic, the scenario, the follow-up, the
key points one per line (a leading `*` marks a core point; with none marked, the first is core)
and, optionally, why each matters, one line per point. The title is drawn from the follow-up
until a moderator edits it. The mapping is then checked like any pack question.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import yaml

from bot.core.models import Difficulty
from bot.domain.content.bankfile import MAX_ID
from bot.domain.content.questions import LIMITS

NO_WHY = "Suggested by a member of this server without a reason yet."
SLUG_WORDS = re.compile(r"[a-z0-9]+")
SLUG_LENGTH = 40  # leaves room for "-99" within the bank's 48


@dataclass(frozen=True, slots=True)
class SuggestionForm:
    """The fields of the suggestion form, as typed (a moderator's edit may set the title)."""

    topic: str
    scenario: str
    question: str
    key_points: str
    why: str = ""
    title: str = ""

    def to_yaml(self) -> str:
        """As stored with the suggestion, so a draft or an edit reopens the form as it was."""
        return yaml.safe_dump(asdict(self), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls, text: str) -> SuggestionForm:
        """Read back what to_yaml stored (the bot's own text, never an upload)."""
        data = yaml.safe_load(text)
        fields = {key: str(data.get(key) or "") for key in asdict(cls("", "", "", ""))}
        return cls(**fields)


def derived_title(question: str) -> str:
    """A title from the follow-up itself: its first sentence, or its first words."""
    text = " ".join(question.split())
    first = re.split(r"(?<=[?.!])\s", text, maxsplit=1)[0]
    limit = LIMITS["title"]
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def slug_of(title: str, taken: set[str]) -> str:
    """An id within the pack from the title, not yet taken (ids are never reused)."""
    words = SLUG_WORDS.findall(title.lower())
    base = "-".join(words)[:SLUG_LENGTH].strip("-") or "question"
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"[:MAX_ID]
        n += 1
    return slug


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def question_data(form: SuggestionForm, slug: str) -> dict[str, Any]:
    """The form as a question mapping in the bank's format, for the pack's checker."""
    labels = _lines(form.key_points)
    whys = _lines(form.why)
    marked = [label.startswith("*") for label in labels]
    if not any(marked) and labels:
        marked[0] = True
    points: list[dict[str, Any]] = []
    for i, label in enumerate(labels):
        point: dict[str, Any] = {
            "label": label.lstrip("*").strip(),
            "why": whys[i] if i < len(whys) else NO_WHY,
        }
        if marked[i]:
            point["core"] = True
        points.append(point)
    points.sort(key=lambda p: not p.get("core", False))  # core first, as the bank wants
    return {
        "id": slug,
        "topic": form.topic.strip().lower(),
        "title": form.title.strip() or derived_title(form.question),
        "difficulty": Difficulty.MEDIUM.value,
        "scenario": form.scenario.strip(),
        "question": form.question.strip(),
        "key_points": points,
    }


def extra_whys(form: SuggestionForm) -> str | None:
    """A problem the mapping cannot show: more why lines than key points."""
    labels, whys = len(_lines(form.key_points)), len(_lines(form.why))
    if whys > labels:
        return f"why: has {whys} lines for {labels} key point(s); give one line per key point"
    return None
