"""Hostile start-up and shutdown: every bad database, path, option or signal gets one clear line
and the right exit status; never a traceback, a hang, or a lost answer.

Every case runs the real `python -m bot` process. Database cases run for the bot itself (with a
dummy token and discord.py pointed at a closed local port, so nothing can reach the network),
for `practice` and for `backup`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.store.db import migrations
from tests.fakediscord.process import SITE_DIR
from tests.helpers import ROOT, run_bot

LATEST = len(migrations())
# discord.py redirected to a port nothing listens on: a bot that got past the database check
# would fail to connect locally, never reach the internet.
NO_NETWORK = {
    "DISCORD_TOKEN": "dummy-token",
    "FAKE_DISCORD_URL": "http://127.0.0.1:9",
    "PYTHONPATH": os.pathsep.join((str(SITE_DIR), str(ROOT))),
}
COMMANDS = {
    "bot": ((), NO_NETWORK),
    "practice": (("practice",), {}),
    "backup": (("backup", "copy.sqlite3"), {}),
}


def one_line(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The only line the program printed on stderr, checking the exit code and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == code, result.stderr
    return lines[0]


def write_config(folder: Path, database: Path | str, extra: str = "") -> Path:
    config = folder / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{database}"\n{extra}', encoding="utf-8")
    return config


def run_command(command: str, folder: Path, database: Path | str) -> subprocess.CompletedProcess:
    args, env = COMMANDS[command]
    config = write_config(folder, database)
    return run_bot("--config", str(config), *args, cwd=folder, stdin="", env=env)


def make_database(path: Path, version: int = LATEST) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE kept (answer TEXT)")
        conn.execute("INSERT INTO kept VALUES ('my answer')")
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make path read-only in a way that binds root too: tests run as root, who ignores mode
    bits, so as root the file or folder is made immutable (chattr +i)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


# --- the database, for the bot, practice and backup alike -----------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("content", [b"random", b"text"])
def test_a_file_that_is_not_sqlite(tmp_path: Path, command: str, content: bytes) -> None:
    database = tmp_path / "notes.db"
    data = os.urandom(4096) if content == b"random" else b"my notes, not a database\n" * 40
    database.write_bytes(data)
    line = one_line(run_command(command, tmp_path, database))
    assert line == f"error: database {database}: not an SQLite database (file is not a database)"
    assert database.read_bytes() == data  # untouched


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_as_the_database(tmp_path: Path, command: str) -> None:
    database = tmp_path / "data"
    database.mkdir()
    line = one_line(run_command(command, tmp_path, database))
    assert line == f"error: database {database}: is a folder, not a file"


@pytest.mark.parametrize("command", ["bot", "practice"])
def test_a_folder_that_cannot_be_created(tmp_path: Path, command: str) -> None:
    line = one_line(run_command(command, tmp_path, "/proc/x/db.sqlite3"))
    assert line == (
        "error: database /proc/x/db.sqlite3: cannot create the folder /proc/x: "
        "No such file or directory"
    )


@pytest.mark.parametrize("command", ["bot", "practice"])
def test_a_folder_under_a_file(tmp_path: Path, command: str) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    database = blocker / "data" / "db.sqlite3"
    line = one_line(run_command(command, tmp_path, database))
    assert line == f"error: database {database}: {blocker} is a file, not a folder"


@pytest.mark.parametrize("database", ["/proc/x/db.sqlite3", "notes.txt/db.sqlite3"])
def test_backup_of_a_database_that_is_not_there(tmp_path: Path, database: str) -> None:
    (tmp_path / "notes.txt").write_text("a file\n", encoding="utf-8")
    line = one_line(run_command("backup", tmp_path, database))
    assert line == f"error: database {database}: no database there (see bot.database in the config)"
    assert not (tmp_path / "copy.sqlite3").exists()


@pytest.mark.parametrize("command", ["bot", "practice"])
def test_a_read_only_database_file(tmp_path: Path, command: str) -> None:
    database = tmp_path / "data" / "db.sqlite3"
    make_database(database)
    with read_only(database):
        line = one_line(run_command(command, tmp_path, database))
    assert line == f"error: database {database}: the file is read-only"


@pytest.mark.parametrize("command", ["bot", "practice"])
@pytest.mark.parametrize("existing", [True, False])
def test_a_read_only_folder(tmp_path: Path, command: str, existing: bool) -> None:
    folder = tmp_path / "data"
    database = folder / "db.sqlite3"
    if existing:
        make_database(database)
    else:
        folder.mkdir()
    with read_only(folder):
        line = one_line(run_command(command, tmp_path, database))
    assert line == f"error: database {database}: the folder {folder} is read-only"


@pytest.mark.parametrize("where", ["file", "folder"])
def test_backup_reads_a_read_only_database(tmp_path: Path, where: str) -> None:
    """A backup only reads the database, so a read-only one is fine to copy."""
    database = tmp_path / "data" / "db.sqlite3"
    make_database(database)
    with read_only(database if where == "file" else database.parent):
        result = run_command("backup", tmp_path, database)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == f"backed up {database} to copy.sqlite3"
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT answer FROM kept").fetchall() == [("my answer",)]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_schema_newer_than_the_code(tmp_path: Path, command: str) -> None:
    database = tmp_path / "data" / "db.sqlite3"
    make_database(database, version=LATEST + 5)
    before = database.read_bytes()
    line = one_line(run_command(command, tmp_path, database))
    assert line == (
        f"error: database {database}: its schema is version {LATEST + 5}, newer than this "
        f"code's {LATEST}; run the newer followup, or restore a backup taken before the upgrade"
    )
    assert database.read_bytes() == before


# --- "~" in every configured path --------------------------------------------------------------


def test_tilde_in_the_database_backup_and_config_paths(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    make_database(home / "data" / "db.sqlite3")
    write_config(home, "~/data/db.sqlite3")
    result = run_bot(
        "backup",
        "~/copies/b.sqlite3",
        "--config",
        "~/config.toml",
        cwd=work,
        env={"HOME": str(home)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"backed up {home}/data/db.sqlite3 to {home}/copies/b.sqlite3"
    with sqlite3.connect(home / "copies" / "b.sqlite3") as copy:
        assert copy.execute("SELECT answer FROM kept").fetchall() == [("my answer",)]
    assert list(work.iterdir()) == []  # no folder literally named "~"


def test_tilde_in_the_content_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "bank").mkdir(parents=True)
    (home / "bank" / "topics.yaml").write_text("topics: 3\n", encoding="utf-8")
    config = write_config(tmp_path, tmp_path / "db.sqlite3", 'content = "~/bank"\n')
    result = run_bot(
        "content", "check", "--config", str(config), cwd=tmp_path, env={"HOME": str(home)}
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Problems name files from the bank's parent: this is the bank in the home folder.
    assert result.stderr.splitlines()[0] == "topics.yaml: -: topics: must list the topics"
    assert not (tmp_path / "~").exists()


def test_tilde_in_a_new_database_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = write_config(tmp_path, "~/data/db.sqlite3")
    result = run_bot(
        "practice",
        "--config",
        str(config),
        "--topic",
        "nope",
        cwd=tmp_path,
        env={"HOME": str(home)},
    )
    assert one_line(result).startswith("error: unknown topic 'nope'")
    result = run_bot(
        "practice", "--config", str(config), cwd=tmp_path, stdin="", env={"HOME": str(home)}
    )
    assert "Traceback" not in result.stderr
    assert (home / "data" / "db.sqlite3").exists()
    assert not (tmp_path / "~").exists()
