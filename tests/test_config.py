"""Settings: defaults, strict checking, and messages that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

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
        ("[bot]\nshard_count = 2\nshard_ids = [2]\n", "shard_ids: each must be below"),
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
