"""Messages stored by the fake, and helpers that read their text and components."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .models import EPHEMERAL, IS_COMPONENTS_V2, LOADING, FakeAttachment, FakeUser, iso


@dataclass(slots=True, eq=False)
class FakeMessage:
    """A message as Discord stores it; ``payload()`` is what the API returns."""

    id: int
    channel_id: int
    author: FakeUser
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    allowed_mentions: dict[str, Any] | None = None
    tts: bool = False
    timestamp: str = field(default_factory=iso)
    edited_timestamp: str | None = None
    visible_to: int | None = None
    webhook_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    thread_id: int | None = None
    reactions: dict[str, int] = field(default_factory=dict)
    deleted: bool = False
    edits: int = 0
    settle_at: float = 0.0

    @property
    def ephemeral(self) -> bool:
        """Whether only ``visible_to`` sees this message."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether this is a deferred "is thinking..." placeholder."""
        return bool(self.flags & LOADING)

    @property
    def components_v2(self) -> bool:
        """Whether the message uses Components V2 (flag 32768)."""
        return bool(self.flags & IS_COMPONENTS_V2)

    @property
    def text(self) -> str:
        """Content, embed text and Components V2 text of the message, one string."""
        return message_text(self)

    def payload(self) -> dict[str, Any]:
        """The message object."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": self.type,
            "author": self.author.payload(),
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": [a.payload() for a in self.attachments],
            "flags": self.flags,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": self.tts,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        if self.reactions:
            data["reactions"] = [
                {
                    "emoji": {"id": None, "name": e},
                    "count": n,
                    "me": True,
                    "burst_count": 0,
                    "count_details": {"burst": 0, "normal": n},
                    "me_burst": False,
                    "burst_colors": [],
                }
                for e, n in self.reactions.items()
            ]
        return data

    def buttons(self) -> list[dict[str, Any]]:
        """Every button in the message (classic rows, containers, section accessories)."""
        return [c for c in walk_components(self.components) if c.get("type") == 2]

    def selects(self) -> list[dict[str, Any]]:
        """Every select menu in the message."""
        return [c for c in walk_components(self.components) if c.get("type") in (3, 5, 6, 7, 8)]

    def button_labels(self) -> list[str]:
        """Labels of all buttons, in order."""
        return [b.get("label") or "" for b in self.buttons()]


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Depth-first walk over components: rows, containers, sections (accessory too), labels."""
    for comp in components:
        yield comp
        if "components" in comp:
            yield from walk_components(comp["components"])
        if "accessory" in comp:
            yield from walk_components([comp["accessory"]])
        if "component" in comp:
            yield from walk_components([comp["component"]])


def embed_text(embed: dict[str, Any]) -> list[str]:
    """The visible strings of one embed."""
    parts = [embed.get("author", {}).get("name"), embed.get("title"), embed.get("description")]
    for f in embed.get("fields", []):
        parts += [f.get("name"), f.get("value")]
    parts.append(embed.get("footer", {}).get("text"))
    return [p for p in parts if p]


def message_text(message: FakeMessage | dict[str, Any]) -> str:
    """Content, embed text and Components V2 text displays, joined by newlines."""
    data = message.payload() if isinstance(message, FakeMessage) else message
    parts: list[str] = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += embed_text(embed)
    for comp in walk_components(data.get("components") or []):
        if comp.get("type") == 10:
            parts.append(comp.get("content", ""))
    return "\n".join(p for p in parts if p)


def assign_component_ids(components: list[dict[str, Any]]) -> None:
    """Give every component without one a numeric ``id``, as Discord does when it stores them."""
    used = {c["id"] for c in walk_components(components) if isinstance(c.get("id"), int)}
    next_id = 1
    for comp in walk_components(components):
        if not isinstance(comp.get("id"), int):
            while next_id in used:
                next_id += 1
            comp["id"] = next_id
            used.add(next_id)
