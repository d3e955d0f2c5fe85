"""Settings from a TOML file into frozen dataclasses, checked strictly.

The token is never read from the file: it comes from the DISCORD_TOKEN environment variable only.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

TOKEN_VARIABLE = "DISCORD_TOKEN"
SNOWFLAKE_MAX = 2**64 - 1  # Discord ids are unsigned 64-bit integers
SHARD_COUNT_MAX = 65536
PATH_KEYS = {"bot.database", "bot.content"}  # "~" in these means the home folder


class ConfigError(Exception):
    """A configuration file is unreadable or holds a bad value."""


@dataclass(frozen=True)
class BotSettings:
    """[bot]: where data lives and how the bot connects."""

    database: str = "data/followup.sqlite3"
    content: str = ""
    dev_guild_id: int = 0
    owner_ids: tuple[int, ...] = ()
    log_level: str = "INFO"
    shard_count: int = 0
    shard_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class DailySettings:
    """[daily]: the per-channel daily question."""

    catch_up_hours: float = 12.0
    reveal_after_hours: float = 0.0
    posts_per_second: float = 40.0


@dataclass(frozen=True)
class MockSettings:
    """[mock]: one-on-one rounds in DMs."""

    questions: int = 5
    minutes: float = 8.0
    max_answer_chars: int = 8000
    dms_closed_hours: float = 24.0


@dataclass(frozen=True)
class PeerSettings:
    """[peer]: peer mock interviews, two members taking turns as the interviewer."""

    questions: int = 1
    minutes: float = 20.0
    invite_minutes: float = 10.0
    queue_minutes: float = 30.0
    feedback_minutes: float = 10.0


@dataclass(frozen=True)
class ReviewSettings:
    """[review]: spaced repetition."""

    fuzz: bool = True


@dataclass(frozen=True)
class PostgresSettings:
    """[postgres]: the connection pool, when bot.database is a postgresql:// URL."""

    pool_min: int = 1
    pool_max: int = 10
    connect_timeout: float = 10.0  # seconds to open a connection (or fail and say so)
    command_timeout: float = 30.0  # seconds a statement may take before it is given up


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with."""

    bot: BotSettings = field(default_factory=BotSettings)
    daily: DailySettings = field(default_factory=DailySettings)
    mock: MockSettings = field(default_factory=MockSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    postgres: PostgresSettings = field(default_factory=PostgresSettings)
    peer: PeerSettings = field(default_factory=PeerSettings)


RULES: dict[str, tuple[Any, str]] = {
    "bot.log_level": (
        lambda v: v in {"DEBUG", "INFO", "WARNING", "ERROR"},
        "must be DEBUG, INFO, WARNING or ERROR",
    ),
    "bot.dev_guild_id": (
        lambda v: 0 <= v <= SNOWFLAKE_MAX,
        "must be a guild id (a whole number from 1 to 2**64 - 1), or 0 for global commands",
    ),
    "bot.owner_ids": (
        lambda v: all(1 <= i <= SNOWFLAKE_MAX for i in v),
        "each must be a user id: a whole number from 1 to 2**64 - 1",
    ),
    "bot.shard_count": (
        lambda v: 0 <= v <= SHARD_COUNT_MAX,
        f"must be 0 (no sharding) up to {SHARD_COUNT_MAX}",
    ),
    "bot.database": (
        lambda v: v.strip() != "",
        "must name an SQLite file or be a postgresql:// URL",
    ),
    "postgres.pool_min": (lambda v: 1 <= v <= 100, "must be between 1 and 100"),
    "postgres.pool_max": (lambda v: 1 <= v <= 100, "must be between 1 and 100"),
    "postgres.connect_timeout": (lambda v: 0.5 <= v <= 300, "must be between 0.5 and 300"),
    "postgres.command_timeout": (lambda v: 1 <= v <= 3600, "must be between 1 and 3600"),
    "daily.catch_up_hours": (lambda v: 0 <= v <= 24, "must be between 0 and 24"),
    "daily.reveal_after_hours": (lambda v: 0 <= v <= 72, "must be between 0 and 72 (0: next post)"),
    "daily.posts_per_second": (lambda v: 0 < v <= 45, "must be above 0 and at most 45"),
    "mock.questions": (lambda v: 1 <= v <= 10, "must be between 1 and 10"),
    "mock.minutes": (lambda v: 1 <= v <= 60, "must be between 1 and 60"),
    "mock.max_answer_chars": (lambda v: 500 <= v <= 20000, "must be between 500 and 20000"),
    "mock.dms_closed_hours": (lambda v: 0 <= v <= 720, "must be between 0 and 720"),
    "peer.questions": (lambda v: 1 <= v <= 5, "must be between 1 and 5"),
    "peer.minutes": (lambda v: 1 <= v <= 60, "must be between 1 and 60"),
    "peer.invite_minutes": (lambda v: 0 < v <= 1440, "must be above 0 and at most 1440"),
    "peer.queue_minutes": (lambda v: 0 < v <= 1440, "must be above 0 and at most 1440"),
    "peer.feedback_minutes": (lambda v: 0 < v <= 120, "must be above 0 and at most 120"),
}


def _convert(value: Any, kind: Any, where: str) -> Any:
    """Check one TOML value against the field's annotated type."""
    if kind is bool or kind is str:
        if type(value) is not kind:
            raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}")
        return value
    if kind is int:
        if type(value) is not int:
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return value
    if kind is float:
        if type(value) not in (int, float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if kind == tuple[int, ...]:
        if not isinstance(value, list) or any(type(v) is not int for v in value):
            raise ConfigError(f"{where}: expected a list of whole numbers, got {value!r}")
        return tuple(value)
    raise ConfigError(f"{where}: unsupported setting type")  # pragma: no cover


def _section(cls: type, data: Any, name: str, source: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: [{name}]: must be a table")
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in data.items():
        where = f"{source}: {name}.{key}"
        if key not in known:
            raise ConfigError(f"{where}: unknown key (known: {', '.join(sorted(known))})")
        values[key] = _convert(value, hints[key], where)
        if f"{name}.{key}" in PATH_KEYS:
            values[key] = os.path.expanduser(values[key])
        rule = RULES.get(f"{name}.{key}")
        if rule and not rule[0](values[key]):
            raise ConfigError(f"{where}: {rule[1]} (got {value!r})")
    return cls(**values)


def parse_settings(data: dict[str, Any], source: str = "config") -> Settings:
    """Build Settings from parsed TOML, naming the file and key of any problem."""
    sections = {f.name: f for f in dataclasses.fields(Settings)}
    bot_table = data.get("bot")
    if "token" in data or (isinstance(bot_table, dict) and "token" in bot_table):
        raise ConfigError(f"{source}: token: not read from files; set {TOKEN_VARIABLE} instead")
    unknown = sorted(set(data) - set(sections))
    if unknown:
        raise ConfigError(
            f"{source}: [{unknown[0]}]: unknown section (known: {', '.join(sorted(sections))})"
        )
    hints = get_type_hints(Settings)
    built = {name: _section(hints[name], data[name], name, source) for name in data}
    settings = Settings(**built)
    _check_shards(settings.bot, source)
    if settings.postgres.pool_min > settings.postgres.pool_max:
        raise ConfigError(f"{source}: postgres.pool_min: must not be above postgres.pool_max")
    return settings


def _check_shards(bot: BotSettings, source: str) -> None:
    """shard_ids name shards of shard_count, each once."""
    where = f"{source}: bot.shard_ids"
    if bot.shard_ids and not bot.shard_count:
        raise ConfigError(f"{where}: needs bot.shard_count (shard ids run from 0 to count - 1)")
    bad = [s for s in bot.shard_ids if not 0 <= s < bot.shard_count]
    if bad:
        raise ConfigError(
            f"{where}: each must be from 0 to {bot.shard_count - 1}, below bot.shard_count "
            f"(got {bad[0]})"
        )
    twice = sorted({s for s in bot.shard_ids if bot.shard_ids.count(s) > 1})
    if twice:
        raise ConfigError(f"{where}: shard {twice[0]} is listed twice")


def load_settings(path: Path | None) -> Settings:
    """Read settings from path, or defaults when path is None."""
    if path is None:
        return Settings()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_settings(data, str(path))
