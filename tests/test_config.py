"""Settings: defaults, strict checking, and messages that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_defaults() -> None:
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.bot.database == "data/followup.sqlite3"


def test_example_config_loads_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    settings = load_settings(example)
    text = example.read_text(encoding="utf-8")
    for section in Settings.__dataclass_fields__:
        for key in getattr(settings, section).__dataclass_fields__:
            assert f"{key} =" in text or f"# {key} =" in text, f"{section}.{key} undocumented"


def test_values_are_read(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, '[bot]\ndatabase = "x.db"\nowner_ids = [1, 2]\n[mock]\nminutes = 5\n')
    )
    assert settings.bot.database == "x.db"
    assert settings.bot.owner_ids == (1, 2)
    assert settings.mock.minutes == 5.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot]\ndatabse = 'x'\n", "bot.databse: unknown key"),
        ("[bots]\n", "[bots]: unknown section"),
        ("[bot]\ndev_guild_id = 'abc'\n", "bot.dev_guild_id: expected a whole number"),
        ("[bot]\nlog_level = 'LOUD'\n", "bot.log_level: must be DEBUG"),
        ("[mock]\nquestions = 0\n", "mock.questions: must be between 1 and 10"),
        ("[daily]\nposts_per_second = 100\n", "daily.posts_per_second"),
        ("[bot]\nowner_ids = [1, 'x']\n", "bot.owner_ids: expected a list of whole numbers"),
        ("[bot]\ntoken = 'abc'\n", "token: not read from files"),
        ("[bot]\nshard_count = 2\nshard_ids = [2]\n", "shard_ids: each must be from 0 to 1"),
        ("[bot]\nshard_count = 2\nshard_ids = [-1]\n", "shard_ids: each must be from 0 to 1"),
        ("[bot]\nshard_count = 4\nshard_ids = [1, 3, 1]\n", "shard_ids: shard 1 is listed twice"),
        ("[bot]\nshard_ids = [0]\n", "shard_ids: needs bot.shard_count"),
        ("[bot]\nshard_count = -1\n", "bot.shard_count: must be 0 (no sharding) up to 65536"),
        ("[bot]\nshard_count = 70000\n", "bot.shard_count: must be 0 (no sharding) up to 65536"),
        ("[bot]\nowner_ids = [0]\n", "bot.owner_ids: each must be a user id"),
        ("[bot]\nowner_ids = [5, -3]\n", "bot.owner_ids: each must be a user id"),
        (f"[bot]\nowner_ids = [{2**64}]\n", "bot.owner_ids: each must be a user id"),
        ("[bot]\ndev_guild_id = -1\n", "bot.dev_guild_id: must be a guild id"),
        (f"[bot]\ndev_guild_id = {2**64}\n", "bot.dev_guild_id: must be a guild id"),
        ("[bot\n", "not valid TOML"),
        ("bot = 3\n", "[bot]: must be a table"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml")


def test_largest_ids_and_shards_are_accepted(tmp_path: Path) -> None:
    text = f"[bot]\nowner_ids = [1, {2**64 - 1}]\ndev_guild_id = {2**64 - 1}\n"
    settings = load_settings(write(tmp_path, text + "shard_count = 3\nshard_ids = [2, 0]\n"))
    assert settings.bot.owner_ids == (1, 2**64 - 1)
    assert settings.bot.dev_guild_id == 2**64 - 1
    assert settings.bot.shard_ids == (2, 0)


def test_tilde_in_paths_means_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = load_settings(write(tmp_path, '[bot]\ndatabase = "~/db.sqlite3"\ncontent = "~/q"\n'))
    assert settings.bot.database == f"{tmp_path}/db.sqlite3"
    assert settings.bot.content == f"{tmp_path}/q"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder, not a TOML file"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00binary"), "not valid TOML: not UTF-8 text"),
    ],
)
def test_unreadable_config_files(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "config.toml"
    make(path)  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}: {message}"
