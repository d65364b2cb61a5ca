from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="board",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["app.board.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "app.tasks.piccolo_app"],
    commands=[],
)
