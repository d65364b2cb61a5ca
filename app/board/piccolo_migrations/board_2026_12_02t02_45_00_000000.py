"""Keyset indexes for filtered board lists: a theme's latest posts page by seeking (hidden, theme,
created_at, id) like the unfiltered list seeks (hidden, created_at, id); tests/board/test_plans.py checks
that each list query uses them (SQLite and PostgreSQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T02:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "board theme keyset index"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS board_post_hidden_theme_created ON board_post (hidden, theme, created_at, id)",
]


async def create_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    for sql in STATEMENTS:
        await engine.run_ddl(sql)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
