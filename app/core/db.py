"""The Piccolo engine for the configured database, and migrations run from code."""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString
from piccolo.table import Table

from app.core.settings import Settings
from app.core.sqlite_pool import PooledSQLiteEngine


def postgres_config(url: str, settings: Settings | None = None) -> dict[str, object]:
    """asyncpg connection arguments from a postgres:// URL (``?sslmode=`` becomes asyncpg's ``ssl``)."""
    parts = urlsplit(url)
    config: dict[str, object] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "database": (parts.path or "/").lstrip("/") or "postgres",
    }
    sslmode = parse_qs(parts.query).get("sslmode")
    if sslmode:
        config["ssl"] = sslmode[-1]
    if settings is not None:
        config["timeout"] = settings.database_connect_timeout_s
        config["command_timeout"] = settings.database_command_timeout_s or None
    return config


def make_engine(settings: Settings) -> Engine:
    """PostgreSQL when ``database_url`` is set, else SQLite under ``var/``."""
    if settings.database_url:
        return PostgresEngine(config=postgres_config(settings.database_url, settings))
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    # A busy timeout instead of instant "database is locked" when two writers meet.
    return PooledSQLiteEngine(path=str(settings.sqlite_path), timeout=30)


log = logging.getLogger("saekdam.db")


async def point_read(table: type[Table], sql: str, *args: Any) -> list[dict[str, Any]]:
    """``table.raw(sql, *args)`` for a small indexed read on a hot path (a token, a task by id): on SQLite
    run at once on this thread (``PooledSQLiteEngine.fetch_now``), elsewhere as usual (asyncpg is already
    on the event loop)."""
    engine = table._meta.db
    if isinstance(engine, PooledSQLiteEngine):
        query, values = QueryString(sql, *args).compile_string(engine_type="sqlite")
        try:
            return engine.fetch_now(query, values)
        except sqlite3.Error:  # busy or gone: the usual path waits its turn
            log.debug("point read fell back to the pool", exc_info=True)
    return await table.raw(sql, *args)


async def run_migrations() -> None:
    """Apply every app's migrations, like ``piccolo migrations forwards all``."""
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    from piccolo.apps.migrations.commands.forwards import run_forwards

    response = await run_forwards(app_name="all")
    if not response.success:
        raise RuntimeError(f"migrations failed: {response.message}")


async def start_pool(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=settings.database_pool_min, max_size=settings.database_pool_max)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_connections()


async def ping(engine: Engine) -> None:
    """Raise when the database does not answer (for /readyz)."""
    await engine.run_ddl("SELECT 1")
