"""`python -m bot practice` driven through stdin in a subprocess, as a user would run it."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from bot.domain.answers.evidence import EvidenceIndex, describe
from bot.domain.answers.grading import bar
from bot.domain.content.loader import Library
from tests.helpers import ROOT
from tests.practice_driver import STOPPED, practise, rows, saved_round

# "press" as a word: the bank's "memory pressure" is no Discord wording.
DISCORD_WORDING = re.compile(r"then Done|\bDone\b|\bpress\b|\bbutton|/mock|\bDMs?\b", re.I)


def bank_questions() -> dict:
    return Library.load(ROOT / "content").bank.questions


def test_a_five_question_round_with_a_probe(tmp_path: Path) -> None:
    blank_first = "\n\n"  # two empty lines before any answer: asked to write one first
    first = "I would use single-flight.\nAnd jitter.\n\n\n1\nThe lock expires.\n\n\nall\n"
    rest = "A short answer.\n\nA second paragraph.\n\n\nall\n" * 4
    result = practise(
        tmp_path,
        blank_first + first + rest,
        "--topic",
        "cache",
        "--questions",
        "5",
        "--minutes",
        "5",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    for number in range(1, 6):
        assert f"Question {number} of 5" in out
    assert "Let me dig into that" in out
    assert "Write your answer first; two empty lines finish it." in out
    assert out.count("Question score:") == 5 and out.count("Probe score:") == 1
    assert "Question score: 7/7 key points ▰▰▰▰▰▰▰▰▰▰ 100% · round so far" in out
    assert "Scorecard" in out and "Per topic: cache" in out
    assert not DISCORD_WORDING.findall(out), "Discord wording in the terminal"
    assert all(len(line) <= 80 for line in out.splitlines()), "wider than 80 columns"
    attempts = rows(tmp_path, "SELECT source, covered, answer FROM attempts WHERE user_id = 0")
    status = rows(tmp_path, "SELECT status FROM rounds")
    assert len(attempts) == 6 and all(
        source == "mock" and covered for source, covered, _ in attempts
    )
    assert "A short answer.\n\nA second paragraph." in [answer for *_, answer in attempts]
    assert status == [("done",)]


def test_wrapping_follows_the_terminal_width_and_never_splits_a_word(tmp_path: Path) -> None:
    result = practise(tmp_path, "An answer.\n\n\n", "--questions", "1", env={"COLUMNS": "50"})
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    assert all(len(line) <= 48 for line in result.stdout.splitlines()), "wider than the terminal"
    assert " ".join(result.stdout.split()).endswith(STOPPED)
    question = bank_questions()[saved_round(tmp_path)["question_ids"][0]]
    flowing = " ".join(result.stdout.split())
    for text in (question.scenario, question.question, *(p.label for p in question.key_points)):
        assert " ".join(text.split()) in flowing, f"a word was split: {text!r}"


def test_long_titles_end_with_an_ellipsis_on_a_narrow_terminal(tmp_path: Path) -> None:
    answers = "Covered it.\n\n\nall\n" * 3
    result = practise(
        tmp_path, answers, "--topic", "scale", "--questions", "3", env={"COLUMNS": "44"}
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    titles = {bank_questions()[q].title for q in saved_round(tmp_path)["question_ids"]}
    card = result.stdout[result.stdout.index("══ Scorecard") :].splitlines()
    shown = [line[3:].rsplit(" ", 1)[0].rstrip() for line in card[1:7:2]]
    assert len(shown) == 3
    for title in shown:
        assert len(title) <= 20
        full = [
            t for t in titles if t == title or (title.endswith("…") and t.startswith(title[:-1]))
        ]
        assert full, f"{title!r} is not a title or a shortened one"
        assert title.endswith("…") == (len(full[0]) > 20)


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    cases = [
        (("--topic", "caching"), "error: unknown topic 'caching'; topics: "),
        (("--questions", "50"), "error: --questions must be between 1 and 10"),
        (("--minutes", "0"), "error: --minutes must be between 1 and 60"),
        (("--resume", "--abandon"), "argument --abandon: not allowed with argument --resume"),
    ]
    for args, message in cases:
        result = practise(tmp_path, "", *args)
        assert result.returncode == 2, args
        assert message in result.stderr.strip().splitlines()[-1], result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "practice.sqlite3").exists(), "bad options created a database"


def test_a_stored_round_from_before_pausing_existed_still_loads(tmp_path: Path) -> None:
    practise(tmp_path, "", "--questions", "1")
    state = saved_round(tmp_path)
    del state["paused_at"]  # a round saved by an older version
    with sqlite3.connect(tmp_path / "practice.sqlite3") as db:
        db.execute("UPDATE rounds SET state = ?", (json.dumps(state),))
    result = practise(tmp_path, "Still here.\n\n\nall\n", "--resume")
    assert result.returncode == 0, result.stderr
    assert "Resuming your saved round" in result.stdout and "Scorecard" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_each_point_shows_the_answers_own_words_and_core_points_weigh_double(
    tmp_path: Path,
) -> None:
    practise(tmp_path, "", "--topic", "cache", "--questions", "1")  # the round, and its question
    bank = Library.load(ROOT / "content").bank
    question = bank.questions[saved_round(tmp_path)["question_ids"][0]]
    answer = f"{question.key_points[-1].label}. Beyond that I am not sure."
    plain = [str(n) for n, p in enumerate(question.key_points, start=1) if not p.core]
    probe = "The lock has a TTL.\n\n\n\n"  # answered, then Enter: no point ticked
    result = practise(tmp_path, f"{answer}\n\n\n{' '.join(plain)}\n{probe}", "--resume")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    flowing = " ".join(result.stdout.split())
    evidence = EvidenceIndex.build(bank).match(question.id, None, answer)
    notes = [describe(e) for e in evidence]
    assert notes[-1].startswith("You: “")  # the words of the last point, quoted back
    for number, (point, note) in enumerate(zip(question.key_points, notes, strict=True), start=1):
        assert f"{number}. {point.label} {note}" in flowing  # the note right under its point
    core = len(question.key_points) - len(plain)
    share = len(plain) / (len(plain) + 2 * core)
    percent = round(100 * share)
    assert (
        f"/{len(question.key_points)} key points {bar(share)} {percent}% · round so far" in flowing
    )
    rating = flowing.split(f"Core points: 0 of {core} covered · Suggested rating: ")[1].split()[0]
    assert rating in ("Again", "Hard")
    assert f"Scorecard: {percent}% of key points" in flowing
    assert f"Core points: 0 of {core} covered (core points count double)" in flowing
    assert "(core) " in flowing  # the missed core points lead the scorecard's missed list
    assert not DISCORD_WORDING.findall(result.stdout), "Discord wording in the terminal"
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), "wider than 80 columns"
