"""Themes in Piccolo Admin: names, prompts, LoRA weight, default steps and geometry guide."""

from piccolo_admin.endpoints import TableConfig

from app.themes.tables import Theme

THEMES = TableConfig(
    Theme,
    visible_columns=[
        Theme.id,
        Theme.slug,
        Theme.name_ko,
        Theme.name_en,
        Theme.lora_key,
        Theme.lora_weight,
        Theme.default_steps,
        Theme.default_guide,
        Theme.active,
    ],
    menu_group="Painting",
    order_by=None,
)
