"""The architecture: domain modules never import discord; modules stay small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOT_BOT = ROOT / "bot"
# Every module outside the Discord layers (app, cogs, ui) and the entry point.
DOMAIN = sorted(
    "bot." + ".".join(p.relative_to(ROOT_BOT).with_suffix("").parts).removesuffix(".__init__")
    for p in ROOT_BOT.rglob("*.py")
    if p.relative_to(ROOT_BOT).parts[0] not in {"cogs", "ui", "app.py", "__main__.py"}
)


def test_the_domain_list_is_not_empty() -> None:
    assert {"bot.flow", "bot.rounds", "bot.scheduling", "bot.store.db", "bot.review"} <= set(DOMAIN)


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


def test_every_extension_imports() -> None:
    """Cogs are loaded by name at start-up, so a broken import shows only in the log there."""
    import importlib

    from bot.app import EXTENSIONS

    for name in EXTENSIONS:
        assert hasattr(importlib.import_module(name), "setup"), name
