"""`python -m bot practice` driven through stdin in a subprocess, as a user would run it."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.helpers import run_bot


def practise(tmp_path: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A terminal round on a database in the test's folder."""
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "practice.sqlite3"}"\n', encoding="utf-8")
    return run_bot("--config", str(config), "practice", *args, cwd=tmp_path, stdin=stdin)


def test_a_five_question_round_with_a_probe(tmp_path: Path) -> None:
    first = "I would use single-flight.\nAnd jitter.\n\n\n1\nThe lock expires.\n\n\nall\n"
    rest = "A short answer.\nSecond line.\n\n\nall\n" * 4
    result = practise(
        tmp_path, first + rest, "--topic", "cache", "--questions", "5", "--minutes", "5"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for number in range(1, 6):
        assert f"Question {number} of 5" in out
    assert "Let me dig into that" in out
    assert "Scorecard" in out and "Per topic: cache" in out
    assert all(len(line) <= 80 for line in out.splitlines()), "wider than 80 columns"
    with sqlite3.connect(tmp_path / "practice.sqlite3") as db:
        rows = db.execute("SELECT source, covered FROM attempts WHERE user_id = 0").fetchall()
        status = db.execute("SELECT status FROM rounds").fetchall()
    assert len(rows) == 6 and all(source == "mock" and covered for source, covered in rows)
    assert status == [("done",)]


def test_end_of_input_finishes_and_scores_what_was_given(tmp_path: Path) -> None:
    result = practise(tmp_path, "Only this.\n", "--questions", "1", "--minutes", "2")
    assert result.returncode == 0, result.stderr
    assert "Scorecard" in result.stdout


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    result = practise(tmp_path, "", "--topic", "caching")
    assert result.returncode == 2 and "unknown topic 'caching'" in result.stderr
    result = practise(tmp_path, "", "--questions", "50")
    assert result.returncode == 2 and "--questions must be between 1 and 10" in result.stderr
