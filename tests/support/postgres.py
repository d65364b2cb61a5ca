"""Fresh PostgreSQL databases for a test run, dropped at exit; a missing server fails loudly."""

from __future__ import annotations

import asyncio
import atexit
import os
import uuid

PG_ADMIN_URL = os.environ.get("SAEKDAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def _execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(prefix: str = "saekdam_test") -> str:
    """Create an empty database and return its URL (sync: usable at import time and in fixtures)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    def run(sql: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(_execute(sql))
            return
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # called from inside an event loop
            pool.submit(asyncio.run, _execute(sql)).result()

    try:
        run(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise SystemExit(f"PostgreSQL at {PG_ADMIN_URL} is required by these tests: {exc!r}") from None
    atexit.register(lambda: asyncio.run(_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
