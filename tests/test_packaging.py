"""The command line, the Dockerfile and the two-command set-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, run_bot

HADOLINT = Path(sys.executable).parent / "hadolint"


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_bot(cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: set the DISCORD_TOKEN environment variable to your bot's token"
    ]
    assert "Traceback" not in result.stderr


def test_bad_config_is_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[mock]\nminutes = 'eight'\n", encoding="utf-8")
    result = run_bot("--config", str(config), env={"DISCORD_TOKEN": "x"})
    assert result.returncode == 2
    assert f"{config}: mock.minutes: expected a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_check_passes_on_the_bundled_bank() -> None:
    result = run_bot("content", "check")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("total") for line in result.stdout.splitlines())
    assert "cache" in result.stdout


def test_content_check_fails_on_a_broken_bank(tmp_path: Path) -> None:
    (tmp_path / "topics.yaml").write_text("topics: 3\n", encoding="utf-8")
    result = run_bot("content", "check", str(tmp_path))
    assert result.returncode == 1
    assert "topics.yaml" in result.stderr


def test_dockerfile_is_lint_clean() -> None:
    result = subprocess.run(
        [str(HADOLINT), str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "USER 10001" in text and 'VOLUME ["/app/data"]' in text
    assert 'CMD ["python", "-m", "bot", "health"]' in text
    # dependencies are installed from the lock before the code is copied, so a code change
    # keeps that layer, and the project itself adds no dependency of its own
    assert text.index("pip install --require-hashes -r requirements.lock") < text.index(
        "COPY bot ./bot"
    )
    assert "pip install --no-deps --editable ." in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests/", "data/"} <= set(ignored)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = [line for line in ci.splitlines() if line and not line.startswith("#")][-1]
    assert command == "make test"
    assert f"\n    {command}\n" in (ROOT / "README.md").read_text(encoding="utf-8")
