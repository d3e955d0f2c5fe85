"""A server's own questions as the library holds them, and the shape of their ids.

A server question's id is `g<guild id>/<its id in the pack>`. Bundled ids are lowercase words
joined by '-', so they can never hold the '/': the two can never collide, and the id alone says
which server a question belongs to (a button, a daily post or a stored answer needs no other
context to find it). At most 1 + 20 + 1 + 48 = 70 characters, so every custom_id that carries a
question id stays under Discord's 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.models import Question

SERVER_ID = re.compile(r"^g(?P<guild>[0-9]{1,20})/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")
QID_PATTERN = r"(?:g[0-9]{1,20}/)?[a-z0-9-]{1,48}"  # what a custom_id template accepts


def server_question_id(guild_id: int, slug: str) -> str:
    """The namespaced id of a server's question."""
    return f"g{guild_id}/{slug}"


def split_server_id(question_id: str) -> tuple[int, str] | None:
    """(guild id, id within the pack) of a server question's id; None for a bundled id."""
    match = SERVER_ID.match(question_id)
    return (int(match["guild"]), match["slug"]) if match else None


@dataclass(frozen=True, slots=True)
class ServerContent:
    """What one server adds to the bundled bank and takes from it."""

    questions: dict[str, Question] = field(default_factory=dict)  # its pack, by namespaced id
    removed: dict[str, Question] = field(default_factory=dict)  # kept so history still reads
    topics_off: frozenset[str] = frozenset()  # bundled topics it switched off

    @property
    def empty(self) -> bool:
        """Nothing to add or take away: the server sees the bundled bank."""
        return not (self.questions or self.removed or self.topics_off)
