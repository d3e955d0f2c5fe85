"""A real PostgreSQL for the tests: one fresh schema per test, dropped afterwards.

The server is the machine's own (FOLLOWUP_TEST_POSTGRES, default the local one, trust auth,
database `test`). Where none answers, a PostgreSQL test skips with the reason, except under
CI (the CI variable set), where it fails: CI must never pass by skipping. `.ci/run` starts
the server when it is down.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

SERVER = os.environ.get("FOLLOWUP_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


async def _unreachable() -> str | None:
    try:
        conn = await asyncpg.connect(SERVER, timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"no PostgreSQL at {SERVER} ({type(exc).__name__}: {exc})"
    await conn.close()
    return None


async def require_server() -> None:
    """Skip (fail under CI) when no server answers."""
    reason = await _unreachable()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI needs it (.ci/run starts it)", pytrace=False)
    pytest.skip(reason)


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A database URL whose tables land in a new, empty schema (asyncpg passes the URL's
    search_path to the server as a setting)."""
    await require_server()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(SERVER)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield f"{SERVER}?search_path={schema}"
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()
