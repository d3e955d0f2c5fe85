"""The architecture: domain modules never import discord; modules stay small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = [
    "bot.models",
    "bot.clock",
    "bot.config",
    "bot.content",
    "bot.grading",
    "bot.questions",
    "bot.errors",
    "bot.flow",
    "bot.services",
    "bot.store",
    "bot.store.db",
    "bot.store.attempts",
    "bot.store.users",
]


def test_domain_imports_without_discord() -> None:
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'discord' or name.startswith('discord.'):\n"
        "            raise ImportError('discord is blocked for domain modules')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"import importlib\nfor name in {DOMAIN!r}:\n    importlib.import_module(name)\n"
        "assert not any(m == 'discord' or m.startswith('discord.') for m in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_only_the_store_speaks_sql() -> None:
    keywords = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE")
    for path in (ROOT / "bot").rglob("*.py"):
        if "store" in path.relative_to(ROOT / "bot").parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not any(k in text for k in keywords), f"SQL outside the store in {path}"


def test_modules_stay_small() -> None:
    for path in (ROOT / "bot").rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 320, f"{path.relative_to(ROOT)} has {lines} lines"
