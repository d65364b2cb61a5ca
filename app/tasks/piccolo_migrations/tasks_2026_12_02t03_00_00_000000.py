"""The content filter: each result's verdict, whether the task holds a result from the board, an admin's release."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "content filter verdicts (safety, held, released)"

_PARAMS = {"null": False, "primary_key": False, "unique": False, "index_method": IndexMethod.btree, "choices": None,
           "db_column_name": None, "secret": False}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Task", tablename="tasks_task", column_name="safety", db_column_name="safety",
        column_class_name="JSON", column_class=JSON, params={"default": "[]", "index": False, **_PARAMS}, schema=None,
    )
    manager.add_column(
        table_class_name="Task", tablename="tasks_task", column_name="held", db_column_name="held",
        column_class_name="Boolean", column_class=Boolean, params={"default": False, "index": True, **_PARAMS},
        schema=None,
    )
    manager.add_column(
        table_class_name="Task", tablename="tasks_task", column_name="released", db_column_name="released",
        column_class_name="Boolean", column_class=Boolean, params={"default": False, "index": False, **_PARAMS},
        schema=None,
    )
    return manager
