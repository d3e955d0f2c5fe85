"""Command line: run the bot, check the content, practise in the terminal, back up the store."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import TOKEN_VARIABLE, ConfigError, Settings, load_settings
from bot.content import ContentError, content_root, load_bank
from bot.content_report import style_warnings, summary

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML settings (default: config.toml if present, else defaults)",
    )
    commands = parser.add_subparsers(dest="command")
    content = commands.add_parser("content", help="work with the question bank")
    content_cmd = content.add_subparsers(dest="content_command", required=True)
    check = content_cmd.add_parser("check", help="validate the bank and print a summary")
    check.add_argument("path", nargs="?", type=Path, default=None)
    practice = commands.add_parser("practice", help="a mock round in the terminal, offline")
    practice.add_argument(
        "--topic", action="append", default=None, help="a topic (repeat for several); default: all"
    )
    practice.add_argument("--questions", type=int, default=None)
    practice.add_argument("--minutes", type=float, default=None)
    backup = commands.add_parser("backup", help="copy the database safely, even while running")
    backup.add_argument("path", type=Path)
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


def _run_bot(settings: Settings) -> int:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        print(
            f"error: set the {TOKEN_VARIABLE} environment variable to your bot's token",
            file=sys.stderr,
        )
        return 2
    from bot.app import run

    return run(settings, token)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run what it asks for."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    # In the terminal round, log lines would interleave with the conversation: warnings only.
    quiet = args.command == "practice" and settings.bot.log_level != "DEBUG"
    logging.basicConfig(
        level="WARNING" if quiet else settings.bot.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "content":
        return _check_content(args.path or content_root(settings))
    if args.command == "practice":
        from bot.terminal import practise

        return practise(settings, content_root(settings), args)
    if args.command == "backup":
        from bot.store import backup

        return asyncio.run(backup(Path(settings.bot.database), args.path))
    return _run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
