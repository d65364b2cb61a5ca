"""Indexes Piccolo cannot declare on columns: composite keysets, uniqueness pairs, full-text search."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "board indexes"

COMMON = [
    # one like per user per post; also answers "which of these posts did I like"
    'CREATE UNIQUE INDEX IF NOT EXISTS board_like_user_post ON board_like ("user", post)',
    "CREATE UNIQUE INDEX IF NOT EXISTS board_view_post_viewer_day ON board_view (post, viewer, day)",
    # latest lists: WHERE hidden = false ORDER BY created_at DESC, id DESC
    "CREATE INDEX IF NOT EXISTS board_post_hidden_created ON board_post (hidden, created_at, id)",
    "CREATE INDEX IF NOT EXISTS board_post_author_created ON board_post (author, created_at, id)",
    # comments of a post, oldest first
    "CREATE INDEX IF NOT EXISTS board_comment_post_created ON board_comment (post, created_at, id)",
]
POSTGRES = [
    "CREATE INDEX IF NOT EXISTS board_post_search ON board_post "
    "USING gin (to_tsvector('simple', title || ' ' || content))",
]


async def create_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    statements = COMMON + (POSTGRES if engine.engine_type == "postgres" else [])
    for sql in statements:
        await engine.run_ddl(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
