"""Command line: run the bot, check the content, practise in the terminal, back up the store."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from bot.core.config import TOKEN_VARIABLE, ConfigError, MockSettings, Settings, load_settings
from bot.core.errors import StoreUnavailable
from bot.domain.content.loader import ContentError, content_root, load_bank
from bot.domain.content.report import style_warnings, summary
from bot.store.db import StoreError

log = logging.getLogger("bot")
DESCRIPTION = (
    "followup, a Discord bot for system-design follow-up questions. With no command it runs "
    f"the bot (set {TOKEN_VARIABLE} to its token); the commands check the question bank, "
    "practise a mock round in the terminal, or back up the database."
)
CONTENT_COMMANDS = "check (validate the bank and print a summary)"
HEALTHY_WITHIN = 180.0  # the bot records a heartbeat every minute once connected


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (with where to find help), not usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _path(text: str) -> Path:
    """A path from the command line, with ~ expanded even where the shell did not."""
    return Path(text).expanduser()


def _config_option(parser: argparse.ArgumentParser) -> None:
    # On every (sub)command, so `python -m bot practice --config x.toml` works too. SUPPRESS
    # keeps a subcommand from resetting a --config given before it.
    parser.add_argument(
        "--config",
        type=_path,
        default=argparse.SUPPRESS,
        help="TOML settings (default: config.toml if present, else built-in defaults)",
    )


def _practice_parser(commands: argparse._SubParsersAction) -> None:
    defaults = MockSettings()
    practice = commands.add_parser("practice", help="a mock round in the terminal, offline")
    _config_option(practice)
    practice.add_argument(
        "--topic", action="append", default=None, help="a topic (repeat for several); default: all"
    )
    practice.add_argument(
        "--questions",
        type=int,
        default=None,
        help=f"questions in the round, 1 to 10 (default: mock.questions, {defaults.questions})",
    )
    practice.add_argument(
        "--minutes",
        type=float,
        default=None,
        help=f"minutes per question, 1 to 60 (default: mock.minutes, {defaults.minutes:g})",
    )
    saved = practice.add_mutually_exclusive_group()
    saved.add_argument("--resume", action="store_true", help="go on with the saved round")
    saved.add_argument("--abandon", action="store_true", help="drop the saved round, start anew")


def _db_parser(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="move the database: copy it into a new one")
    _config_option(db)
    db_cmd = db.add_subparsers(dest="db_command", title="commands")
    copy = db_cmd.add_parser(
        "copy", help="copy every table into a new, empty database, in one transaction"
    )
    _config_option(copy)
    copy.add_argument("source", help="an SQLite file or a postgresql:// URL")
    copy.add_argument("target", help="an SQLite file or a postgresql:// URL (must be empty)")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m bot", description=DESCRIPTION)
    _config_option(parser)
    commands = parser.add_subparsers(dest="command", title="commands (none: run the bot)")
    content = commands.add_parser("content", help="work with the question bank")
    _config_option(content)
    content_cmd = content.add_subparsers(dest="content_command", title="commands")
    check = content_cmd.add_parser("check", help="validate the bank and print a summary")
    _config_option(check)
    check.add_argument("path", nargs="?", type=_path, default=None)
    _practice_parser(commands)
    backup = commands.add_parser("backup", help="copy the database safely, even while running")
    _config_option(backup)
    backup.add_argument("path", type=_path, help="the copy to write (not a folder)")
    _db_parser(commands)
    health = commands.add_parser("health", help="exit 0 if a bot on this database is up")
    _config_option(health)
    health.add_argument(
        "--max-age",
        type=float,
        default=HEALTHY_WITHIN,
        help=f"seconds since the last heartbeat that count as up (default {HEALTHY_WITHIN:g})",
    )
    return parser


def _settings(path: Path | None) -> Settings:
    if path is None and Path("config.toml").exists():
        path = Path("config.toml")
    return load_settings(path)


def _check_content(path: Path) -> int:
    try:
        bank = load_bank(path)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"content check failed: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    for warning in style_warnings(bank):
        print(f"warning: {warning}", file=sys.stderr)
    print("\n".join(summary(bank)))
    return 0


def _stop_before_start(signum: int, frame: object) -> None:
    """A signal while the bot is still importing: nothing to clean up yet, exit quietly."""
    raise SystemExit(0)


def _run_bot(settings: Settings) -> int:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        print(
            f"error: set the {TOKEN_VARIABLE} environment variable to your bot's token",
            file=sys.stderr,
        )
        return 2
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop_before_start)  # until the bot's loop installs its own
    from bot.launch import run

    return run(settings, token)


def _backup(settings: Settings, target: Path) -> int:
    from bot.store import backup
    from bot.store.postgres import is_postgres_url, redact

    if is_postgres_url(settings.bot.database):
        print(
            f"error: backup copies an SQLite file; {redact(settings.bot.database)} is "
            "PostgreSQL: use pg_dump, or `python -m bot db copy URL FILE` for an SQLite copy",
            file=sys.stderr,
        )
        return 2
    source = Path(settings.bot.database)
    asyncio.run(backup(source, target))
    print(f"backed up {source} to {target}")
    return 0


def _health(settings: Settings, max_age: float) -> int:
    """For a container's HEALTHCHECK: is the bot's heartbeat fresh?"""
    from bot.store import last_heartbeat
    from bot.store.postgres import redact

    source = redact(settings.bot.database)
    seen = asyncio.run(last_heartbeat(settings.bot.database, settings.postgres))
    if seen is None:
        print(f"unhealthy: no bot has recorded a heartbeat in {source} yet", file=sys.stderr)
        return 1
    age = (datetime.now(UTC) - seen).total_seconds()
    if age > max_age:
        print(f"unhealthy: the last heartbeat was {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: the last heartbeat was {max(age, 0):.0f} s ago")
    return 0


def _copy(settings: Settings, source: str, target: str) -> int:
    from bot.store import copy_between
    from bot.store.postgres import redact

    def local(text: str) -> str:  # ~ in a file name, as everywhere else
        return text if "://" in text else str(_path(text))

    copied = asyncio.run(copy_between(local(source), local(target), settings.postgres))
    print(
        f"copied {sum(copied.values()):,} rows in {len(copied)} tables from {redact(source)} "
        f"to {redact(target)}; every table's row count matches"
    )
    return 0


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "content":
        if args.content_command is None:
            print(
                f"python -m bot content: error: choose a command: {CONTENT_COMMANDS}",
                file=sys.stderr,
            )
            return 2
        return _check_content(args.path or content_root(settings))
    if args.command == "practice":
        from bot.terminal.practice import practise

        return practise(settings, content_root(settings), args)
    if args.command == "backup":
        return _backup(settings, args.path)
    if args.command == "health":
        return _health(settings, args.max_age)
    if args.command == "db":
        if args.db_command is None:
            print("python -m bot db: error: choose a command: copy SOURCE TARGET", file=sys.stderr)
            return 2
        return _copy(settings, args.source, args.target)
    return _run_bot(settings)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run what it asks for."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    # In the terminal round, log lines would interleave with the conversation: warnings only.
    quiet = args.command == "practice" and settings.bot.log_level != "DEBUG"
    logging.basicConfig(
        level="WARNING" if quiet else settings.bot.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return _dispatch(args, settings)
    except (StoreError, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
