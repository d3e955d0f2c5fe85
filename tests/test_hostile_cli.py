"""The command line and the config file under bad input: one line, exit 2, no traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run_bot
from tests.test_hostile_startup import make_database, one_line, read_only, write_config

BAD_MINUTES = "[mock]\nminutes = 'eight'\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--config", "{config}", "practice"),
        ("practice", "--config", "{config}"),
        ("backup", "--config", "{config}", "copy.sqlite3"),
        ("backup", "copy.sqlite3", "--config", "{config}"),
        ("content", "check", "--config", "{config}"),
    ],
)
def test_config_before_or_after_the_command(tmp_path: Path, args: tuple[str, ...]) -> None:
    config = tmp_path / "mine.toml"
    config.write_text(BAD_MINUTES, encoding="utf-8")
    result = run_bot(*(a.format(config=config) for a in args), cwd=tmp_path, stdin="")
    line = one_line(result)
    assert line == f"config error: {config}: mock.minutes: expected a number, got 'eight'"


def test_help_says_no_command_runs_the_bot(tmp_path: Path) -> None:
    result = run_bot("--help", cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "With no command it runs the bot (set DISCORD_TOKEN to its token)" in text
    assert "commands (none: run the bot)" in text
    assert "{content,practice,backup,db,health}" in text


def test_practice_help_shows_defaults_and_ranges(tmp_path: Path) -> None:
    result = run_bot("practice", "--help", cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "questions in the round, 1 to 10 (default: mock.questions, 5)" in text
    assert "minutes per question, 1 to 60 (default: mock.minutes, 8)" in text


def test_content_alone_lists_its_commands(tmp_path: Path) -> None:
    line = one_line(run_bot("content", cwd=tmp_path))
    assert line == (
        "python -m bot content: error: choose a command: check "
        "(validate the bank and print a summary)"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("practice", "--questions", "many"),
            "python -m bot practice: error: argument --questions: invalid int value: 'many' "
            "(see python -m bot practice --help)",
        ),
        (
            ("practise",),
            "python -m bot: error: argument command: invalid choice: 'practise' (choose from "
            "'content', 'practice', 'backup', 'db', 'health') (see python -m bot --help)",
        ),
        (
            ("backup",),
            "python -m bot backup: error: the following arguments are required: path "
            "(see python -m bot backup --help)",
        ),
        (("db",), "python -m bot db: error: choose a command: copy SOURCE TARGET"),
        (
            ("db", "copy", "only-one.sqlite3"),
            "python -m bot db copy: error: the following arguments are required: target "
            "(see python -m bot db copy --help)",
        ),
        (("practice", "--questions", "11"), "error: --questions must be between 1 and 10"),
        (("practice", "--minutes", "nan"), "error: --minutes must be between 1 and 60"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    assert one_line(run_bot(*args, cwd=tmp_path, stdin="")) == expected


# --- backup targets -------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database with one answer in it, named by the config in tmp_path."""
    path = tmp_path / "data" / "db.sqlite3"
    make_database(path)
    write_config(tmp_path, path)
    return path


def backup_to(tmp_path: Path, target: str) -> str:
    return one_line(run_bot("backup", target, cwd=tmp_path))


@pytest.mark.parametrize("spelling", ["{db}", "data/db.sqlite3", "data/../data/db.sqlite3"])
def test_backup_onto_the_database_itself(tmp_path: Path, database: Path, spelling: str) -> None:
    target = spelling.format(db=database)
    before = database.read_bytes()
    assert backup_to(tmp_path, target) == (
        f"error: backup {target}: is the database itself; name another file"
    )
    assert database.read_bytes() == before


def test_backup_onto_a_folder(tmp_path: Path, database: Path) -> None:
    (tmp_path / "backups").mkdir()
    assert backup_to(tmp_path, "backups") == "error: backup backups: is a folder, not a file"
    assert list((tmp_path / "backups").iterdir()) == []


def test_backup_never_overwrites_a_file_that_is_not_a_backup(
    tmp_path: Path, database: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    line = backup_to(tmp_path, "notes.txt")
    assert line == "error: backup notes.txt: not an SQLite file; not overwriting it"
    assert notes.read_text(encoding="utf-8") == "my notes\n"


@pytest.mark.parametrize("where", ["file", "folder"])
def test_backup_onto_a_read_only_place(tmp_path: Path, database: Path, where: str) -> None:
    folder = tmp_path / "backups"
    target = folder / "old.sqlite3"
    make_database(target)
    before = target.read_bytes()
    with read_only(target if where == "file" else folder):
        line = backup_to(tmp_path, "backups/old.sqlite3")
    reason = "the file is read-only" if where == "file" else "the folder backups is read-only"
    assert line == f"error: backup backups/old.sqlite3: {reason}"
    assert target.read_bytes() == before


def test_backup_where_no_folder_can_be_made(tmp_path: Path, database: Path) -> None:
    assert backup_to(tmp_path, "/proc/x/b.sqlite3") == (
        "error: backup /proc/x/b.sqlite3: cannot create the folder /proc/x: "
        "No such file or directory"
    )


def test_backup_replaces_an_older_backup(tmp_path: Path, database: Path) -> None:
    for answer in ("first", "second"):
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE kept SET answer = ?", (answer,))
        conn.close()
        result = run_bot("backup", "b/copy.sqlite3", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"backed up {database} to b/copy.sqlite3"
        with sqlite3.connect(tmp_path / "b" / "copy.sqlite3") as copy:
            assert copy.execute("SELECT answer FROM kept").fetchall() == [(answer,)]
        copy.close()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["copy.sqlite3"]


# --- config values, through the real command line -------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "owner_ids = [0]",
            "bot.owner_ids: each must be a user id: a whole number from 1 to 2**64 - 1 (got [0])",
        ),
        (
            f"owner_ids = [{2**64}]",
            "bot.owner_ids: each must be a user id: a whole number from "
            f"1 to 2**64 - 1 (got [{2**64}])",
        ),
        (
            "dev_guild_id = -5",
            "bot.dev_guild_id: must be a guild id (a whole number from 1 to "
            "2**64 - 1), or 0 for global commands (got -5)",
        ),
        ("shard_count = -1", "bot.shard_count: must be 0 (no sharding) up to 65536 (got -1)"),
        (
            "shard_count = 2\nshard_ids = [0, 2]",
            "bot.shard_ids: each must be from 0 to 1, below bot.shard_count (got 2)",
        ),
        ("shard_count = 2\nshard_ids = [1, 1]", "bot.shard_ids: shard 1 is listed twice"),
        (
            "shard_ids = [0]",
            "bot.shard_ids: needs bot.shard_count (shard ids run from 0 to count - 1)",
        ),
    ],
)
def test_config_ranges_are_one_line(tmp_path: Path, text: str, problem: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[bot]\n{text}\n", encoding="utf-8")
    result = run_bot("--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": "unused"})
    assert one_line(result) == f"config error: {config}: {problem}"
