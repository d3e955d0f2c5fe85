"""The answer and checklist modals, and reading what a modal submit carried.

Modals are built here and read back from the raw submit payload by custom_id, so a submit still
works when the bot restarted while the modal was open (discord.py forgets open modals).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.core.models import Attempt, KeyPoint, Question
from bot.domain.answers.evidence import Evidence, describe
from bot.domain.answers.grading import MAX_ANSWER
from bot.domain.content.serverpack import QID_PATTERN
from bot.ui.kit.text import clip

ANSWER_MODAL = re.compile(rf"fu:m:ans:(?P<qid>{QID_PATTERN})(?::(?P<probe>[0-9]))?")
GRADE_MODAL = re.compile(r"fu:m:grade:(?P<aid>[0-9]{1,18})")
MOCK_MODAL = re.compile(r"fu:m:mock:(?P<rid>[0-9]{1,18}):(?P<seq>[0-9]{1,6})")
ANSWER_FIELD = "answer"
POINTS_FIELD = "points"
MODAL_TITLE = 45


def answer_modal(question: Question, probe: int | None) -> discord.ui.Modal:
    """A modal with the question on top and one long text box for the answer."""
    suffix = "" if probe is None else f":{probe}"
    modal = discord.ui.Modal(
        title=clip(f"Answer · {question.title}", MODAL_TITLE),
        custom_id=f"fu:m:ans:{question.id}{suffix}",
    )
    modal.add_item(discord.ui.TextDisplay(f"**{question.prompt(probe)}**"))
    modal.add_item(
        discord.ui.Label(
            text="Your answer",
            description="What you would say to the interviewer. Up to 4,000 characters.",
            component=discord.ui.TextInput(
                custom_id=ANSWER_FIELD,
                style=discord.TextStyle.paragraph,
                max_length=MAX_ANSWER,
                required=True,
            ),
        )
    )
    return modal


def checklist_modal_for(
    points: tuple[KeyPoint, ...], prompt: str, custom_id: str, evidence: Sequence[Evidence]
) -> discord.ui.Modal:
    """A modal listing key points as checkboxes to tick (up to 10 fit; questions have ≤ 8).

    Under each point, its evidence: the candidate's own closest words, or a note that none
    were found. Every box starts unticked: the matcher cannot tell "I would not add jitter"
    from "add jitter", so ticking stays the candidate's call. Only the answer's author is ever
    shown this modal, so the quotes never reach anyone else."""
    modal = discord.ui.Modal(title="Tick what your answer covered", custom_id=custom_id)
    modal.add_item(discord.ui.TextDisplay(clip(f"**{prompt}**", 1000)))
    notes = [describe(e) for e in evidence]
    group: discord.ui.CheckboxGroup[discord.ui.Modal] = discord.ui.CheckboxGroup(
        custom_id=POINTS_FIELD,
        required=False,
        min_values=0,
        max_values=len(points),
        options=[
            discord.CheckboxGroupOption(
                label=clip(p.label, 100),
                value=str(i),
                description=clip(notes[i], 100) if i < len(notes) else None,
            )
            for i, p in enumerate(points)
        ],
    )
    modal.add_item(
        discord.ui.Label(
            text="Key points",
            component=group,
            description="Under each: your closest words. Tick only what you said; none is fine.",
        )
    )
    return modal


def checklist_modal(
    attempt: Attempt, question: Question, evidence: Sequence[Evidence]
) -> discord.ui.Modal:
    """The checklist for one saved answer, with the evidence from that answer."""
    return checklist_modal_for(
        question.points(attempt.probe),
        question.prompt(attempt.probe),
        f"fu:m:grade:{attempt.id}",
        evidence,
    )


def submitted_values(data: Any) -> dict[str, Any]:
    """custom_id → value (text inputs) or values (checkboxes, selects) of a modal submit."""
    found: dict[str, Any] = {}

    def walk(components: Any) -> None:
        if not isinstance(components, list):
            return
        for component in components:
            if not isinstance(component, dict):
                continue
            if "component" in component:  # a Label wraps one component
                walk([component["component"]])
            if "components" in component:  # an action row
                walk(component["components"])
            custom_id = component.get("custom_id")
            if isinstance(custom_id, str):
                if "values" in component:
                    found[custom_id] = component["values"]
                elif "value" in component:
                    found[custom_id] = component["value"]

    walk(data.get("components") if isinstance(data, dict) else None)
    return found


def ticked_points(values: dict[str, Any]) -> list[int]:
    """The key-point indexes ticked in a checklist submit (bad values are ignored)."""
    raw = values.get(POINTS_FIELD) or []
    if isinstance(raw, str):
        raw = [raw]
    return sorted({int(v) for v in raw if isinstance(v, str) and v.isdigit() and len(v) <= 2})
