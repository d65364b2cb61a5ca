"""Each theme's default geometry guidance (``guide`` when a task does not choose), editable in the admin."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T21:15:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "themes: default_guide"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="themes", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Theme", tablename="themes_theme", column_name="default_guide",
        db_column_name="default_guide", column_class_name="Varchar", column_class=Varchar,
        params={
            "length": 10, "default": "none", "null": False, "primary_key": False, "unique": False,
            "index": False, "index_method": IndexMethod.btree,
            "choices": Enum("GuideChoice", {"none": "none", "lines": "lines", "depth": "depth"}),
            "db_column_name": None, "secret": False,
        },
        schema=None,
    )
    return manager
