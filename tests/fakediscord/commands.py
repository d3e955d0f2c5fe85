"""Application commands: bulk overwrite with Discord's checks, lookup by name for the driver."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from .httputil import ApiError
from .validate import Problems, raise_if

NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
SUBCOMMAND, GROUP = 1, 2
DAILY_CREATES = 200


@dataclass
class CommandStore:
    """Global and per-guild commands, with ids kept across overwrites as Discord does."""

    app_id: int
    next_id: Any
    global_commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    syncs: list[tuple[float, int | None, int]] = field(default_factory=list)
    _creates: dict[int | None, list[float]] = field(default_factory=dict)

    def scope(self, guild_id: int | None) -> list[dict[str, Any]]:
        """Commands of one scope (None = global)."""
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, [])

    def overwrite(self, guild_id: int | None, payload: Any) -> list[dict[str, Any]]:
        """PUT bulk overwrite: validate, keep ids of same name+type, count daily creates."""
        if not isinstance(payload, list):
            raise ApiError(400, 50035, "Invalid Form Body")
        check_commands(payload)
        old = {(c["name"], c.get("type", 1)): c for c in self.scope(guild_id)}
        new_names = [k for k in ((c["name"], c.get("type", 1)) for c in payload) if k not in old]
        self._count_creates(guild_id, len(new_names))
        stored = [self._store(guild_id, c, old.get((c["name"], c.get("type", 1)))) for c in payload]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.syncs.append((time.time(), guild_id, len(stored)))
        return stored

    def upsert(self, guild_id: int | None, command: dict[str, Any]) -> dict[str, Any]:
        """POST one command (create or replace by name)."""
        check_commands([command])
        commands = self.scope(guild_id)
        old = next(
            (
                c
                for c in commands
                if c["name"] == command["name"] and c.get("type", 1) == command.get("type", 1)
            ),
            None,
        )
        if old is None:
            self._count_creates(guild_id, 1)
        stored = self._store(guild_id, command, old)
        commands[:] = [c for c in commands if c is not old] + [stored]
        return stored

    def _store(
        self, guild_id: int | None, cmd: dict[str, Any], old: dict[str, Any] | None
    ) -> dict[str, Any]:
        data = {
            "type": 1,
            "default_member_permissions": None,
            "nsfw": False,
            "options": [],
            "description": "",
            "contexts": None,
            "integration_types": [0],
            "name_localizations": None,
            "description_localizations": None,
            **cmd,
        }
        data["id"] = old["id"] if old else str(self.next_id())
        data["application_id"] = str(self.app_id)
        data["version"] = str(self.next_id())
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data

    def _count_creates(self, guild_id: int | None, n: int) -> None:
        now = time.time()
        recent = [t for t in self._creates.get(guild_id, []) if now - t < 86400]
        if len(recent) + n > DAILY_CREATES:
            raise ApiError(
                429, 30034, "Max number of daily application command creates has been reached (200)"
            )
        self._creates[guild_id] = recent + [now] * n

    def find(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        """The command a user in ``guild_id`` would see under ``name`` (guild scope first)."""
        for cmd in (*self.guild_commands.get(guild_id or 0, []), *self.global_commands):
            if cmd["name"] == name and cmd.get("type", 1) == 1:
                return cmd
        return None

    def get(self, command_id: int) -> dict[str, Any] | None:
        """A command by id, in any scope."""
        for cmd in (*self.global_commands, *(c for cs in self.guild_commands.values() for c in cs)):
            if int(cmd["id"]) == command_id:
                return cmd
        return None

    def delete(self, command_id: int) -> bool:
        """Delete by id; False if unknown."""
        for scope in (self.global_commands, *self.guild_commands.values()):
            for cmd in scope:
                if int(cmd["id"]) == command_id:
                    scope.remove(cmd)
                    return True
        return False


def check_commands(commands: list[dict[str, Any]]) -> None:
    """Discord's command checks: ≤ 100 chat-input commands, names, descriptions, options."""
    problems: Problems = []
    chat = [c for c in commands if c.get("type", 1) == 1]
    if len(chat) > 100:
        problems.append(("_", "Maximum number of application commands reached (100)"))
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        key = (cmd.get("name", ""), cmd.get("type", 1))
        if key in seen:
            problems.append((f"{i}.name", "Application command names must be unique"))
        seen.add(key)
        if cmd.get("type", 1) == 1:
            _check_named(cmd, str(i), problems)
            _check_options(cmd.get("options") or [], f"{i}.options", problems, depth=0)
    raise_if(problems)


def _check_named(obj: dict[str, Any], path: str, problems: Problems) -> None:
    name = obj.get("name") or ""
    if not NAME_RE.match(name) or name != name.lower():
        problems.append((f"{path}.name", f"Invalid command/option name {name!r}"))
    if not 1 <= len(obj.get("description") or "") <= 100:
        problems.append((f"{path}.description", "Must be between 1 and 100 in length."))


def _check_options(
    options: list[dict[str, Any]], path: str, problems: Problems, depth: int
) -> None:
    if len(options) > 25:
        problems.append((path, "Must be 25 or fewer in length."))
    optional_seen = False
    for i, opt in enumerate(options):
        p = f"{path}.{i}"
        _check_named(opt, p, problems)
        kind = opt.get("type")
        if kind in (SUBCOMMAND, GROUP):
            if (kind == GROUP and depth > 0) or depth > 1:
                problems.append((p, "Subcommands nest at most one group deep"))
            _check_options(opt.get("options") or [], f"{p}.options", problems, depth + 1)
            continue
        if opt.get("required"):
            if optional_seen:
                problems.append((p, "Required options must be placed before non-required options"))
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            problems.append((f"{p}.choices", "Must be 25 or fewer in length."))
        if choices and opt.get("autocomplete"):
            problems.append((p, "Autocomplete cannot be set with choices"))
        for j, ch in enumerate(choices):
            if not 1 <= len(ch.get("name") or "") <= 100:
                problems.append((f"{p}.choices.{j}.name", "Must be between 1 and 100 in length."))
