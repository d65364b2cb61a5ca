"""The painter's sheet on posts: how many colours the author shows (null: no sheet)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:11:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "post sheet_colors"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Post", tablename="board_post", column_name="sheet_colors", db_column_name="sheet_colors",
        column_class_name="Integer", column_class=Integer, schema=None,
        params={"default": None, "null": True, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
    )
    return manager
