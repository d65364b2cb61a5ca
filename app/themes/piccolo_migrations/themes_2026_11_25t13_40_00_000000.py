"""Seed the six built-in themes (the painter's defaults) so a fresh install can paint at once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the built-in themes"
SEEDED = ("slug", "name_ko", "name_en", "description", "prompt_template", "negative_prompt", "default_steps",
          "lora_weight")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="themes", description=DESCRIPTION)

    async def seed() -> None:
        from app.actors.painter.themes_default import THEMES
        from app.themes.tables import Theme

        # plain SQL with the columns of this migration's time: later migrations add columns to Theme,
        # and an ORM insert of today's Theme would name columns that do not exist yet on a fresh database
        for order, theme in enumerate(THEMES):
            if not await Theme.raw("SELECT slug FROM themes_theme WHERE slug = {}", theme["slug"]):
                values = {**{k: theme[k] for k in SEEDED}, "sort_order": order}
                columns = ", ".join(values)
                await Theme.raw(f"INSERT INTO themes_theme ({columns}, active) VALUES "
                                f"({', '.join('{}' for _ in values)}, {{}})", *values.values(), True)

    manager.add_raw(seed)
    return manager
