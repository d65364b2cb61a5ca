"""Posts keep display copies of their before and after (WebP, long side ≤ 1024 px) and the pictures' size."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T21:36:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "post display copies"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Post", tablename="board_post", column_name="display", db_column_name="display",
        column_class_name="JSON", column_class=JSON,
        params={"default": "{}", "null": False, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager
