"""Image variants: the keys of each result's list thumbnail and display copy, and the photo's display copy."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T21:22:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "image variants (thumbnails, display copies)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Task", tablename="tasks_task", column_name="variants", db_column_name="variants",
        column_class_name="JSON", column_class=JSON,
        params={"default": "{}", "null": False, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager
