"""Hostile question banks through `python -m bot content check` and start-up, as a user runs them.

Each case breaks one file of a private copy of the bundled bank and expects exactly one problem
line (`file: id: field: what is wrong`, the path relative to the bank root), exit status 1 and no
traceback. Timeouts are only a guard against hangs; nothing here depends on the machine's speed.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.domain.content.bankfile import MAX_DEPTH
from bot.domain.content.loader import DEFAULT_CONTENT
from tests.helpers import run_bot, run_python

FAILED_ONE = "content check failed: 1 problem(s)"
MEMORY_CAP = 1024**3  # an expanded alias bomb needs far more; the check itself needs ~100 MB


def _copy_bank(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the bank, and the question file each case breaks."""
    root = tmp_path / "bank"
    shutil.copytree(DEFAULT_CONTENT, root)
    return root, sorted((root / "cache").glob("*.yaml"))[0]


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


def _rewrite(path: Path, **changes: object) -> None:
    """Set top-level fields of a question file, keeping its order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.dump(data, Dumper=_NoAliases, sort_keys=False), encoding="utf-8")


def _without(path: Path, key: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop(key, None)
    path.write_text(yaml.dump(data, Dumper=_NoAliases, sort_keys=False), encoding="utf-8")


def _line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _append(path: Path, text: str) -> int:
    """Append text to a file; return the line number it starts on."""
    line = _line_count(path) + 1
    with path.open("a", encoding="utf-8") as file:
        file.write(text)
    return line


def _alias_bomb(path: Path) -> None:
    """Ten levels of ten aliases each: 10**10 strings once expanded, in about 4 KB."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("tags")
    anchors = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    anchors += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    body = yaml.dump(data, Dumper=_NoAliases, sort_keys=False)
    path.write_text("\n".join(anchors) + "\n" + body + "tags: *a9\n", encoding="utf-8")


def _bomb_problem(target: Path) -> str:
    """The first alias is *a0 in line 2, right after `a1: &a1 [`."""
    return (
        f"cache/{target.name}: -: file: uses the alias *a0 at line 2, column "
        f"{len('a1: &a1 [') + 1}; aliases are not allowed in the bank, write the value out"
    )


def _memory_capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run_capped(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Like run_bot, with the address space capped so an expanding bomb fails the test."""
    return run_python(*args, cwd=cwd, env=env, preexec_fn=_memory_capped)


def _assert_refused(result: subprocess.CompletedProcess[str], *lines: str, status: int = 1) -> None:
    assert result.returncode == status, result.stderr
    assert result.stderr.splitlines() == list(lines)
    assert "Traceback" not in result.stderr + result.stdout


def test_the_memory_cap_would_stop_an_expansion(tmp_path: Path) -> None:
    result = _run_capped("-c", "blob = bytearray(2 * 1024**3)", cwd=tmp_path)
    assert result.returncode == 1
    assert "MemoryError" in result.stderr


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    _alias_bomb(target)
    assert target.stat().st_size < 8 * 1024
    result = _run_capped("-m", "bot", "content", "check", str(root), cwd=tmp_path)
    _assert_refused(result, _bomb_problem(target), FAILED_ONE)


def test_start_up_on_a_hostile_bank_prints_the_problems_and_exits_2(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    _alias_bomb(target)
    config = tmp_path / "config.toml"
    database = tmp_path / "followup.sqlite3"
    config.write_text(f'[bot]\ncontent = "{root}"\ndatabase = "{database}"\n', encoding="utf-8")
    secret = "dummy-token-must-not-leak"
    result = _run_capped(
        "-m", "bot", "--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": secret}
    )
    hint = "error: the question bank has problems; run `python -m bot content check`"
    _assert_refused(result, _bomb_problem(target), hint, status=2)
    assert secret not in result.stderr + result.stdout
    assert not database.exists()


def test_a_50_mb_file_is_refused_from_its_size(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    size = 50 * 1024 * 1024
    line = b"  - another-tag\n"
    target.write_bytes(b"tags:\n" + line * ((size - 6) // len(line)) + b"#" * ((size - 6) % 16))
    assert target.stat().st_size == size
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = (
        f"cache/{target.name}: -: file: is 52,428,800 bytes; the limit is 262,144 bytes (256 KiB)"
    )
    _assert_refused(result, problem, FAILED_ONE)


def _deep(path: Path) -> str:
    path.write_text("tags: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return f"-: file: nests deeper than {MAX_DEPTH} levels at line 1, column {6 + MAX_DEPTH}"


def _non_utf8(path: Path) -> str:
    path.write_bytes(b"# caf\xe9\n" + path.read_bytes())
    return "-: file: is not UTF-8 text: byte 0xe9 at line 1, column 6; save it as UTF-8"


def _nul(path: Path) -> str:
    path.write_bytes(b"# a\x00b\n" + path.read_bytes())
    return "-: file: has the control character U+0000 at line 1, column 4; remove it"


def _empty(path: Path) -> str:
    path.write_text("", encoding="utf-8")
    return "-: file: is empty"


def _comment_only(path: Path) -> str:
    path.write_text("# nothing here yet\n", encoding="utf-8")
    return "-: file: is empty"


def _fifo(path: Path) -> str:
    path.unlink()
    os.mkfifo(path)  # opening it for reading would block until a writer comes
    return "-: file: is not a regular file"


def _list_key(path: Path) -> str:
    line = _append(path, "[a, b]: x\n")
    return f"{path.stem}: file: has a list as a key at line {line}"


def _duplicate_key(path: Path) -> str:
    first = _line_of(path, "title:")
    line = _append(path, "title: A second title\n")
    return f"{path.stem}: title: is given twice (lines {first} and {line}); keep one"


def _huge_decimal(path: Path) -> str:
    _without(path, "reference")
    line = _append(path, "reference: " + "9" * 5000 + "\n")
    digits = "'" + "9" * 80 + "…' (5,000 chars)"
    return (
        f"-: file: cannot read {digits} at line {line}, column 12 as int: "
        "Exceeds the limit (4300 digits) for integer string conversion"
    )


def _python_tag(path: Path) -> str:
    path.write_text("!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    return (
        "-: file: is not valid YAML at line 1, column 1: could not determine a constructor for "
        "the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
    )


def _bad_date(path: Path) -> str:
    _without(path, "checked")
    line = _append(path, "checked: 2026-13-45\n")
    where = f"at line {line}, column 10"
    return f"-: file: cannot read '2026-13-45' {where} as timestamp: month must be in 1..12"


def _scalar_file(path: Path) -> str:
    path.write_text("just some words\n", encoding="utf-8")
    return "-: file: must hold one mapping (a question), not a str scalar"


# Each breaks one question file and returns the expected problem after "cache/<file>: ".
RAW_CASES: dict[str, Callable[[Path], str]] = {
    "deep nesting": _deep,
    "not UTF-8": _non_utf8,
    "NUL byte": _nul,
    "empty file": _empty,
    "comments only": _comment_only,
    "FIFO": _fifo,
    "list as key": _list_key,
    "duplicate key": _duplicate_key,
    "5000-digit number": _huge_decimal,
    "python tag": _python_tag,
    "impossible date": _bad_date,
    "scalar file": _scalar_file,
}


@pytest.mark.parametrize("case", RAW_CASES)
def test_a_hostile_file_gets_one_line(tmp_path: Path, case: str) -> None:
    root, target = _copy_bank(tmp_path)
    expected = RAW_CASES[case](target)
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    _assert_refused(result, f"cache/{target.name}: {expected}", FAILED_ONE)


# Field values of the wrong type or size: (changes, expected problem after "<file>: <id>: ").
FIELD_CASES = {
    "difficulty list": (
        {"difficulty": ["medium"]},
        "difficulty: must be easy, medium or hard (got ['medium'])",
    ),
    "topic mapping": (
        {"topic": {"a": 1}},
        "topic: must equal the folder name 'cache' (got {'a': 1})",
    ),
    "key_points text": ({"key_points": "x"}, "key_points: must be a list (got str 'x')"),
    "huge reference": (
        {"reference": 2**300},
        "reference: must be a whole number from 1 to 99 (got <a 301-bit number>)",
    ),
    "long tag": (
        {"tags": ["A" * 12_345]},
        "tags[0]: '" + "A" * 80 + "…' (12,345 chars) must be a lowercase kebab-case word",
    ),
    "long title": ({"title": "t" * 12_345}, "title: is 12,345 characters; the limit is 60"),
}


@pytest.mark.parametrize("case", FIELD_CASES)
def test_a_field_of_the_wrong_type_or_size_is_named(tmp_path: Path, case: str) -> None:
    root, target = _copy_bank(tmp_path)
    changes, expected = FIELD_CASES[case]
    _rewrite(target, **changes)
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    _assert_refused(result, f"cache/{target.name}: {target.stem}: {expected}", FAILED_ONE)


def test_a_probe_that_is_text_is_named(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    probes = yaml.safe_load(target.read_text(encoding="utf-8"))["probes"]
    _rewrite(target, probes=["just a string", *probes[:2]])
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = (
        f"cache/{target.name}: {target.stem}: probes[0]: must be a mapping with 'question' "
        "and 'key_points' (got 'just a string')"
    )
    _assert_refused(result, problem, FAILED_ONE)


def test_an_id_that_is_a_number_is_named(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    _rewrite(target, id=5)
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = (
        f"cache/{target.name}: {target.stem}: id: must equal the file name '{target.stem}' (got 5)"
    )
    _assert_refused(result, problem, FAILED_ONE)


def test_a_duplicate_id_names_both_files(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    twin = target.with_suffix(".yml")
    shutil.copy(target, twin)
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = (
        f"cache/{twin.name}: {target.stem}: id: is also the id in cache/{target.name}; "
        "ids must be unique"
    )
    _assert_refused(result, problem, FAILED_ONE)


def test_a_topic_without_questions_is_an_error(tmp_path: Path) -> None:
    root, _ = _copy_bank(tmp_path)
    for path in (root / "security").iterdir():
        path.unlink()
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = "topics.yaml: security: questions: none; add security/<id>.yaml"
    _assert_refused(result, problem, FAILED_ONE)


def test_a_bank_without_questions_is_an_error(tmp_path: Path) -> None:
    root, _ = _copy_bank(tmp_path)
    for path in root.glob("*/*.yaml"):
        path.unlink()
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = f"{root}: -: questions: no question files; add <topic>/<id>.yaml"
    _assert_refused(result, problem, FAILED_ONE)


def test_a_hostile_topics_file_is_reported_once_not_per_question(tmp_path: Path) -> None:
    root, _ = _copy_bank(tmp_path)
    topics = root / "topics.yaml"
    topics.write_text("x: &x [a, b]\ny: *x\n" + topics.read_text(encoding="utf-8"), "utf-8")
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    problem = (
        "topics.yaml: -: file: uses the alias *x at line 2, column 4; "
        "aliases are not allowed in the bank, write the value out"
    )
    listed = "topics.yaml: -: topics: must list the topics"
    _assert_refused(result, problem, listed, "content check failed: 2 problem(s)")


def test_every_hostile_file_is_reported_in_one_run(tmp_path: Path) -> None:
    root, _ = _copy_bank(tmp_path)
    breakers = [_deep, _non_utf8, _nul, _empty, _fifo]
    expected = []
    for breaker, path in zip(breakers, sorted((root / "scale").glob("*.yaml")), strict=False):
        expected.append(f"scale/{path.name}: {breaker(path)}")
    assert len(expected) == len(breakers)
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    _assert_refused(result, *expected, f"content check failed: {len(expected)} problem(s)")


def test_a_bom_is_harmless(tmp_path: Path) -> None:
    root, target = _copy_bank(tmp_path)
    target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    result = run_bot("content", "check", str(root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("total") for line in result.stdout.splitlines())
    assert "Traceback" not in result.stderr
