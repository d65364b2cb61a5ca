"""Mail on completion: the language of the owner's opt-in ("ko"/"en"), or null when no mail is wanted."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "task notify_email"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Task", tablename="tasks_task", column_name="notify_email", db_column_name="notify_email",
        column_class_name="Varchar", column_class=Varchar,
        params={"length": 2, "default": None, "null": True, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager
