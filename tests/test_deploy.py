"""The operators' compose file (deploy/compose.yaml): it cannot be run here (no container
engine), so what can be checked without one is: every process's config loads, the processes
cover each shard exactly once, they share the compose file's PostgreSQL, and no secret is
written in a file."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.core.config import load_settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_the_compose_file_runs_every_shard_once_on_its_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    bots = {name: s for name, s in services.items() if name != "postgres"}
    shards: list[int] = []
    counts = set()
    for name, service in bots.items():
        mount = next(v for v in service["volumes"] if v.endswith(":/app/config.toml:ro"))
        settings = load_settings(DEPLOY / mount.split(":")[0])
        assert settings.bot.database.startswith("postgresql://followup@postgres:5432/"), name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert set(service["environment"]) == {"DISCORD_TOKEN", "PGPASSWORD"}
        shards += settings.bot.shard_ids
        counts.add(settings.bot.shard_count)
    assert len(counts) == 1 and sorted(shards) == list(range(counts.pop()))


def test_no_secret_is_written_in_the_deploy_files() -> None:
    for path in DEPLOY.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"postgres(ql)?://[^/@\s:]+:[^@\s]+@", text), (
            f"{path.name}: a password"
        )
        for line in text.splitlines():
            if line.startswith(("DISCORD_TOKEN=", "POSTGRES_PASSWORD=")):
                assert line.endswith("="), f"{path.name}: {line.split('=')[0]} has a value"
