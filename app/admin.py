"""Piccolo Admin, built once at start-up: each domain contributes its TableConfigs and forms."""

from __future__ import annotations

from typing import Any

from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.session_auth.tables import SessionsBase

from app.accounts.admin_gate import TRANSLATIONS
from app.accounts.tables import User
from app.board.admin import FORMS as BOARD_FORMS
from app.board.admin import TABLES as BOARD_TABLES
from app.core.settings import Settings
from app.tasks.admin import FORMS as TASK_FORMS
from app.tasks.admin import TABLES as TASK_TABLES
from app.themes.admin import THEMES

USERS = TableConfig(
    User,
    visible_columns=[User.id, User.username, User.nickname, User.active, User.admin, User.created_at],
    visible_filters=[User.username, User.nickname, User.active, User.admin],
    menu_group="Accounts",
)


def build_admin(settings: Settings) -> Any:
    tables: list[TableConfig] = [USERS, THEMES, *BOARD_TABLES, *TASK_TABLES]
    forms: list[Any] = [*BOARD_FORMS, *TASK_FORMS]
    return create_admin(
        tables=tables,
        forms=forms,
        auth_table=User,
        session_table=SessionsBase,
        site_name="Saekdam Admin",
        translations=TRANSLATIONS,
        production=settings.base_url.startswith("https://"),
    )
