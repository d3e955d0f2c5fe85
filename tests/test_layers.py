"""The architecture: layers point downwards, the domain and the store never import discord,
modules stay small.

    cogs -> ui -> domain -> store -> core

The entry points (`bot/__main__.py`, `app.py`, `launch.py`, `bot/terminal/`) wire the layers
together and may import any of them; nothing imports them back.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
LAYERS = ("core", "store", "domain", "ui", "cogs")  # lowest first
ENTRY_PACKAGES = {"terminal"}  # the terminal adapter wires the domain for a person at a prompt


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def layer_of(module: str) -> str | None:
    """The layer a bot module belongs to, or None for an entry point."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def bot_imports(path: Path) -> set[str]:
    """The bot modules a file imports (absolute imports only: the project uses no others)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "bot")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update({node.module} if node.module.split(".")[0] == "bot" else set())
    return found


MODULES = {module_name(p): p for p in BOT.rglob("*.py")}


def test_every_module_is_in_a_layer_or_is_an_entry_point() -> None:
    loose = {
        m
        for m in MODULES
        if layer_of(m) is None and m.count(".") > 1 and m.split(".")[1] not in ENTRY_PACKAGES
    }
    assert not loose, f"modules outside the layer folders: {sorted(loose)}"


def test_every_bot_import_names_a_module_of_this_tree() -> None:
    """`from bot import x` must find bot/x here: an editable install elsewhere on the machine
    could otherwise answer for a module this tree no longer has."""
    missing = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "bot" and node.level == 0:
                wanted = [f"bot.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                wanted = [node.module] if node.module.split(".")[0] == "bot" else []
            else:
                continue
            missing += [f"{module}: {w}" for w in wanted if w not in MODULES and w != "bot"]
    assert not missing, "\n".join(missing)


def test_layers_only_point_downwards() -> None:
    wrong = []
    for module, path in MODULES.items():
        mine = layer_of(module)
        for imported in bot_imports(path):
            theirs = layer_of(imported)
            if mine is None:
                continue  # entry points wire everything
            if theirs is None and imported != "bot":
                wrong.append(f"{module} imports the entry point {imported}")
            elif theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{module} ({mine}) imports {imported} ({theirs})")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_store_imports_no_domain_and_the_domain_list_is_real() -> None:
    domain = [m for m in MODULES if layer_of(m) == "domain"]
    assert {"bot.domain.answers.service", "bot.domain.mock.rounds"} <= set(domain)
    for module, path in MODULES.items():
        if layer_of(module) == "store":
            assert not any(layer_of(i) == "domain" for i in bot_imports(path)), module


def test_core_domain_and_store_import_without_discord() -> None:
    names = sorted(m for m in MODULES if layer_of(m) in {"core", "store", "domain"})
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'discord' or name.startswith('discord.'):\n"
        "            raise ImportError('discord is blocked below the ui layer')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"import importlib\nfor name in {names!r}:\n    importlib.import_module(name)\n"
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
    for path in BOT.rglob("*.py"):
        if "store" in path.relative_to(BOT).parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not any(k in text for k in keywords), f"SQL outside the store in {path}"


def test_modules_stay_small() -> None:
    for path in BOT.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 320, f"{path.relative_to(ROOT)} has {lines} lines"


def test_every_button_and_modal_is_registered_once() -> None:
    """One list registers every restart-proof button; a button missing from it would answer
    "no longer valid" to a real click."""
    from bot.app import BUTTONS, MODALS
    from bot.ui.kit.items import StatefulButton

    for name in MODULES:
        if layer_of(name) in {"ui", "cogs"}:
            importlib.import_module(name)

    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(c) for c in found))

    assert subclasses(StatefulButton) == set(BUTTONS)
    assert len(BUTTONS) == len(set(BUTTONS))
    assert len({pattern.pattern for pattern, _ in MODALS}) == len(MODALS)
