"""Test settings are fixed here, before anything imports the app (settings are cached per process).

Database tests run on SQLite by default and on a fresh PostgreSQL database when
``SAEKDAM_TEST_DATABASE=postgres`` (``make test`` runs both). A missing server fails loudly, never skips.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="saekdam-test-"))
atexit.register(shutil.rmtree, TMP, ignore_errors=True)

os.environ.update(
    {
        "SAEKDAM_VAR_DIR": str(TMP / "var"),
        "SAEKDAM_SECRET_KEY": "test-" + uuid.uuid4().hex,
        "SAEKDAM_PASSWORD_ITERATIONS": "1000",
        "SAEKDAM_MODELS": "tiny",
        "SAEKDAM_MODELS_DIR": str(ROOT / "var" / "models"),
        "SAEKDAM_DEFAULT_LANGUAGE": "ko",
    }
)
for key in ("SAEKDAM_DATABASE_URL", "SAEKDAM_REDIS_URL", "SAEKDAM_S3_BUCKET"):
    os.environ.pop(key, None)

PG_ADMIN_URL = os.environ.get("SAEKDAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _create_postgres_database() -> str:
    import asyncpg

    name = f"saekdam_test_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # loud: CI expects the server
        raise SystemExit(f"PostgreSQL at {PG_ADMIN_URL} is required for SAEKDAM_TEST_DATABASE=postgres: {exc!r}")
    atexit.register(lambda: asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


if os.environ.get("SAEKDAM_TEST_DATABASE") == "postgres":
    os.environ["SAEKDAM_DATABASE_URL"] = _create_postgres_database()

pytest_plugins = ["tests.support.server"]
