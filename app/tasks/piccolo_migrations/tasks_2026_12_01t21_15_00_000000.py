"""Painting on the wall (v1.1): blend, keep-outs, detail, guide, wall size, flat artworks, the painted mask."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Boolean, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T21:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "painting on the wall: blend, protect, detail, guide, wall size, artworks, painted mask"


def _params(default: object, null: bool = False, **extra: object) -> dict[str, object]:
    return {
        "default": default, "null": null, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra,
    }


COLUMNS = (
    ("blend", Varchar, _params("wall", length=10)),
    ("protect", Boolean, _params(True)),
    ("detail", Varchar, _params(None, null=True, length=10)),
    ("guide", Varchar, _params(None, null=True, length=10)),
    ("wall_size_m", JSON, _params("null")),
    ("artwork_keys", JSON, _params("[]")),
    ("painted_mask_key", Varchar, _params(None, null=True, length=200)),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="Task", tablename="tasks_task", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
