"""Seed the six built-in themes (the painter's defaults) so a fresh install can paint at once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the built-in themes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="themes", description=DESCRIPTION)

    async def seed() -> None:
        from app.actors.painter.themes_default import THEMES
        from app.themes.tables import Theme

        for order, theme in enumerate(THEMES):
            if not await Theme.exists().where(Theme.slug == theme["slug"]):
                await Theme.insert(Theme(sort_order=order, **theme))

    manager.add_raw(seed)
    return manager
