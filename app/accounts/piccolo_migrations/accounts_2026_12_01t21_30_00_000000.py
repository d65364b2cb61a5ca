"""An index Piccolo cannot declare on a column: one account per provider subject."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique provider identities"


async def create_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    # answers "whose is this Kakao subject" at every sign-in, and makes a second link of it impossible
    await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS accounts_identity_provider_subject "
                         "ON accounts_identity (provider, subject)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
