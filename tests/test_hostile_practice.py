"""`python -m bot practice` against what people really do: Ctrl-D, Ctrl-C, closing it and
coming back hours later, a second terminal, kill -9, a 10,000-character paste.

Each case runs the real program and checks what it printed, its exit status, that no traceback
appeared, and what the database holds afterwards.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

from tests.practice_driver import (
    STOPPED,
    LiveRun,
    TerminalRun,
    database,
    move_back,
    practise,
    rows,
    saved_round,
    wait_until,
)

ONE = ("--topic", "cache", "--questions", "1", "--minutes", "5")
TWO = ("--topic", "cache", "--questions", "2", "--minutes", "5")
SAVED_WAITING = "error: a saved round is waiting: run practice --resume or --abandon"


def no_traceback(*texts: str) -> None:
    assert not any("Traceback" in text for text in texts), "a traceback was shown"


def test_end_of_input_in_an_answer_shows_its_checklist_then_stops_ungraded(
    tmp_path: Path,
) -> None:
    result = practise(tmp_path, "Only this.\n", *TWO)
    assert result.returncode == 2
    assert "Which key points did your answer cover?" in result.stdout
    assert result.stdout.splitlines()[-1] == STOPPED
    assert "Question 2 of 2" not in result.stdout, "the other questions were run empty"
    no_traceback(result.stdout, result.stderr)
    attempts = rows(tmp_path, "SELECT answer, covered, rating, graded_at FROM attempts")
    assert attempts == [("Only this.", None, None, None)], "stored as graded"
    assert rows(tmp_path, "SELECT COUNT(*) FROM cards") == [(0,)], "a card was updated"
    assert rows(tmp_path, "SELECT status FROM rounds") == [("active",)]
    state = saved_round(tmp_path)
    assert state["phase"] == "grade" and state["steps"] == [] and state["paused_at"]


def test_end_of_input_before_any_answer_stops_and_saves_nothing_graded(tmp_path: Path) -> None:
    result = practise(tmp_path, "", *ONE)
    assert result.returncode == 2 and result.stdout.splitlines()[-1] == STOPPED
    assert "Which key points" not in result.stdout
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT COUNT(*) FROM attempts") == [(0,)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM cards") == [(0,)]
    assert saved_round(tmp_path)["phase"] == "answer"


def test_resume_grades_the_saved_answer_and_asks_the_rest(tmp_path: Path) -> None:
    practise(tmp_path, "Only this.\n", *TWO)
    result = practise(tmp_path, "all\nThe second answer.\n\n\nall\n", "--resume")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0].startswith("Resuming your saved round: cache · question 1 of 2")
    assert "Question 2 of 2" in out and "Scorecard" in out
    assert "Question score:" in out
    no_traceback(out, result.stderr)
    attempts = rows(tmp_path, "SELECT answer, covered IS NOT NULL FROM attempts ORDER BY id")
    assert attempts == [("Only this.", 1), ("The second answer.", 1)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM cards") == [(2,)]
    assert rows(tmp_path, "SELECT status FROM rounds") == [("done",)]


def test_a_saved_round_asks_resume_or_abandon(tmp_path: Path) -> None:
    practise(tmp_path, "", *ONE)
    result = practise(tmp_path, "maybe\nresume\nMy answer.\n\n\nall\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("You have a saved round: cache · question 1 of 1")
    asking = "Resume it, or abandon it and start a new one? Type resume or abandon:"
    assert lines[1] == asking and lines[2] == asking, "a wrong answer is asked again"
    assert "Scorecard" in result.stdout
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT status FROM rounds") == [("done",)]


def test_end_of_input_at_the_question_changes_nothing(tmp_path: Path) -> None:
    practise(tmp_path, "Only this.\n", *ONE)
    before = rows(tmp_path, "SELECT status, state FROM rounds")
    result = practise(tmp_path, "")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [SAVED_WAITING]
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT status, state FROM rounds") == before


def test_abandon_drops_the_saved_round_and_starts_anew(tmp_path: Path) -> None:
    practise(tmp_path, "Only this.\n", *ONE)
    again = ("--abandon", "--topic", "security", "--questions", "1")
    result = practise(tmp_path, "New answer.\n\n\nall\n", *again)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Abandoned your saved round; starting a new one.")
    assert "· security ·" in result.stdout and "Scorecard" in result.stdout
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT status FROM rounds ORDER BY id") == [("abandoned",), ("done",)]
    assert rows(tmp_path, "SELECT covered FROM attempts ORDER BY id")[0] == (None,)


def test_another_topic_never_silently_resumes_the_saved_round(tmp_path: Path) -> None:
    practise(tmp_path, "", *ONE)
    asked = practise(tmp_path, "", "--topic", "security")
    assert asked.returncode == 2
    assert "It is not the round you asked for (--topic security)." in asked.stdout
    assert asked.stderr.strip().splitlines() == [SAVED_WAITING]
    refused = practise(tmp_path, "", "--resume", "--topic", "security")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "error: the saved round is cache · question 1 of 1 · 5 min a question, not "
        "--topic security: resume it without those options, or --abandon it"
    ]
    no_traceback(asked.stdout, asked.stderr, refused.stdout, refused.stderr)
    assert rows(tmp_path, "SELECT status FROM rounds") == [("active",)]


def test_a_saved_round_whose_questions_left_the_bank_can_be_dropped(tmp_path: Path) -> None:
    practise(tmp_path, "", *ONE)
    state = saved_round(tmp_path)
    state["question_ids"] = ["a-question-since-removed"]
    with sqlite3.connect(database(tmp_path)) as db:
        db.execute("UPDATE rounds SET state = ?", (json.dumps(state),))
    refused = practise(tmp_path, "resume\n")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "error: the saved round asks questions that are no longer in the question bank: "
        "run practice --abandon to drop it"
    ]
    dropped = practise(tmp_path, "Fresh.\n\n\nall\n", "--abandon", *ONE)
    assert dropped.returncode == 0 and "Scorecard" in dropped.stdout, dropped.stderr
    no_traceback(refused.stdout, refused.stderr, dropped.stdout, dropped.stderr)
    assert rows(tmp_path, "SELECT status FROM rounds ORDER BY id") == [("abandoned",), ("done",)]


def test_resume_without_a_saved_round_says_so(tmp_path: Path) -> None:
    result = practise(tmp_path, "", "--resume")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: there is no saved round to resume; run practice without --resume"
    ]
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT COUNT(*) FROM rounds") == [(0,)]


def test_hours_away_do_not_count_against_the_timer(tmp_path: Path) -> None:
    practise(tmp_path, "", *ONE)  # left before answering: the clock stopped
    move_back(tmp_path, hours=3)  # ...three hours ago
    result = practise(tmp_path, "Back again.\n\n\nall\n", "--resume")
    assert result.returncode == 0, result.stderr
    assert "Time's up" not in result.stdout and "Scorecard" in result.stdout
    no_traceback(result.stdout, result.stderr)
    (step,) = saved_round(tmp_path)["steps"]
    assert not step["timed_out"] and step["seconds"] < 300
    assert rows(tmp_path, "SELECT answer FROM attempts") == [("Back again.",)]


def test_a_second_terminal_is_refused_and_the_first_loses_nothing(tmp_path: Path) -> None:
    first = LiveRun(tmp_path, *ONE)
    first.out.wait_for("finish it.)")
    first.send("Written in the first terminal.\n")
    second = practise(tmp_path, "An answer from elsewhere.\n\n\nall\n")
    assert second.returncode == 2 and second.stdout == ""
    (line,) = second.stderr.strip().splitlines()
    assert line.startswith("error: a practice round is open in another terminal (process ")
    assert line.endswith("practice.sqlite3; finish it there first")
    status, out, err = first.finish("\n\nall\n")
    assert status == 0, err
    assert "Scorecard" in out
    no_traceback(second.stdout, second.stderr, out, err)
    assert rows(tmp_path, "SELECT answer FROM attempts") == [("Written in the first terminal.",)]
    assert rows(tmp_path, "SELECT status FROM rounds") == [("done",)]


def test_a_killed_terminal_blocks_nothing_and_its_time_away_does_not_count(
    tmp_path: Path,
) -> None:
    first = LiveRun(tmp_path, *ONE)
    first.out.wait_for("finish it.)")
    first.send("Saved before the crash.\n")
    wait_until(lambda: "Saved before" in saved_round(tmp_path)["answer"], "the line to be saved")
    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(60) == -signal.SIGKILL
    assert (tmp_path / "practice.sqlite3.practice-lock").exists(), "the lock file stays behind"
    move_back(tmp_path, hours=3)
    result = practise(tmp_path, "And after it.\n\n\nall\n", "--resume")
    assert result.returncode == 0, result.stderr
    assert "Time's up" not in result.stdout and "Scorecard" in result.stdout
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT answer FROM attempts") == [
        ("Saved before the crash.\nAnd after it.",)
    ]
    assert not saved_round(tmp_path)["steps"][0]["timed_out"]


def test_ctrl_c_over_a_pipe_saves_the_round(tmp_path: Path) -> None:
    run = LiveRun(tmp_path, *ONE)
    run.out.wait_for("finish it.)")
    run.send("Typed before Ctrl-C.\n")
    wait_until(lambda: "Ctrl-C" in saved_round(tmp_path)["answer"], "the line to be saved")
    run.process.send_signal(signal.SIGINT)
    status, out, err = run.wait()
    assert status == 130
    assert out.splitlines()[-1] == STOPPED
    no_traceback(out, err)
    state = saved_round(tmp_path)
    assert state["answer"] == "Typed before Ctrl-C." and state["paused_at"]
    assert rows(tmp_path, "SELECT COUNT(*) FROM attempts") == [(0,)]


def test_a_10000_character_paste_survives_a_real_terminal(tmp_path: Path) -> None:
    pasted = ("word " * 2000).strip() + "!"  # 10,000 characters on one line
    assert len(pasted) == 10_000
    term = TerminalRun(tmp_path, *ONE, columns=60, settings="[mock]\nmax_answer_chars = 20000\n")
    term.at_prompt(1)
    term.type(b"\x1b[200~" + pasted.encode() + b"\x1b[201~\r")  # as a terminal sends a paste
    term.at_prompt(2)
    term.type(b"\x04")  # Ctrl-D: that answer is finished
    term.at_prompt(3)  # ...and its checklist asks
    term.type(b"\x04")  # Ctrl-D at the checklist: stop, saved
    status, shown = term.finish()
    assert status == 2
    assert "Which key points did your answer cover?" in shown
    assert " ".join(shown.split()).endswith(STOPPED), "wrapped, it still says it all"
    no_traceback(shown)
    assert rows(tmp_path, "SELECT answer, covered FROM attempts") == [(pasted, None)]
    question = shown[shown.index("── Question") : shown.index("(Write your answer.")]
    checklist = shown[shown.index("Which key points") : shown.index("Numbers separated")]
    printed = (question + checklist).splitlines()  # the program's text, not the prompt's drawing
    assert len(printed) > 8 and all(len(line) <= 58 for line in printed), "not wrapped to 60"


def test_ctrl_c_in_a_real_terminal_keeps_the_half_typed_line(tmp_path: Path) -> None:
    term = TerminalRun(tmp_path, *ONE)
    term.at_prompt(1)
    term.type(b"A whole line\r")
    term.at_prompt(2)
    term.type(b"and half of ")
    term.out.wait_for("and half of")
    term.type(b"\x03")
    status, shown = term.finish()
    assert status == 130
    assert shown.rstrip().splitlines()[-1] == STOPPED
    no_traceback(shown)
    state = saved_round(tmp_path)
    assert state["answer"] == "A whole line\nand half of" and state["paused_at"]


def test_an_answer_over_the_cap_is_cut_with_a_word(tmp_path: Path) -> None:
    result = practise(tmp_path, "x" * 10_000 + "\n", *ONE)
    assert result.returncode == 2
    assert "(Your answer was cut at 8,000 characters, the longest answer kept.)" in result.stdout
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT length(answer) FROM attempts") == [(8000,)]


def test_an_answer_in_another_encoding_is_kept_not_fatal(tmp_path: Path) -> None:
    run = LiveRun(tmp_path, *ONE)
    status, out, err = run.finish("Caché in Latin-1: caf\xe9.\n\n\nall\n".encode("latin-1"))
    assert status == 0, err
    assert "Scorecard" in out
    no_traceback(out, err)
    assert rows(tmp_path, "SELECT answer FROM attempts") == [("Cach\ufffd in Latin-1: caf\ufffd.",)]


def test_a_lock_file_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    practise(tmp_path, "", *ONE)  # a saved round that must survive this
    before = rows(tmp_path, "SELECT status, state FROM rounds")
    lock = tmp_path / "practice.sqlite3.practice-lock"
    lock.unlink()
    lock.mkdir()  # in the way of the lock file
    result = practise(tmp_path, "resume\n")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"error: cannot lock {lock}: Is a directory"]
    no_traceback(result.stdout, result.stderr)
    assert rows(tmp_path, "SELECT status, state FROM rounds") == before


def test_output_closed_mid_round_is_one_line_and_saves_the_round(tmp_path: Path) -> None:
    run = LiveRun(tmp_path, *ONE, last_read="finish it.)")
    run.out.wait_for("finish it.)")
    run.send("Written before the reader left.\n")
    # Saved: so the program is past printing the question, and waits for the next line.
    wait_until(lambda: saved_round(tmp_path)["answer"] != "", "the line to be saved")
    run.leave()  # as `practice | head -8` does once head has its lines
    status, _, err = run.finish("\n\n")
    assert status == 2
    assert err.strip().splitlines() == [
        "error: the output was closed mid-round; your round is saved: practice --resume goes on"
    ]
    no_traceback(err)
    state = saved_round(tmp_path)
    assert state["phase"] == "grade" and state["paused_at"]
    assert rows(tmp_path, "SELECT answer, covered FROM attempts") == [
        ("Written before the reader left.", None)
    ]
