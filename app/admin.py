"""Piccolo Admin, built once at start-up: each domain contributes its TableConfigs and forms."""

from __future__ import annotations

from typing import Any

from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.session_auth.tables import SessionsBase

from app.accounts.admin_gate import TRANSLATIONS
from app.accounts.tables import User
from app.board.admin import FORMS as BOARD_FORMS
from app.board.admin import TABLES as BOARD_TABLES
from app.core.settings import Settings
from app.tasks.admin import FORMS as TASK_FORMS
from app.tasks.admin import TABLES as TASK_TABLES
from app.themes.admin import THEMES

USER_COLUMNS = [User.id, User.username, User.nickname, User.active, User.admin, User.created_at]
USER_FILTERS = [User.username, User.nickname, User.active, User.admin]


def user_hooks(services: Any) -> list[Hook]:
    """An admin's edit of a user reaches every process's token cache: deactivating (or deleting) revokes
    the user's tokens and sessions, any other edit (admin flag, nickname) drops the cached rows."""

    async def patched(row_id: Any, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("active") in (False, "false", 0):
            await services.accounts.revoke_user_tokens(int(row_id))
        else:
            await services.accounts.user_changed(int(row_id))
        return values

    async def deleted(row_id: Any) -> None:
        await services.accounts.revoke_user_tokens(int(row_id))

    return [Hook(HookType.pre_patch, patched), Hook(HookType.pre_delete, deleted)]


def users_table(services: Any = None) -> TableConfig:
    return TableConfig(
        User,
        visible_columns=USER_COLUMNS,
        visible_filters=USER_FILTERS,
        menu_group="Accounts",
        hooks=user_hooks(services) if services is not None else [],
    )


def build_admin(settings: Settings, services: Any = None) -> Any:
    """``services`` (app.wiring.Services): its ``accounts`` hear of admins' user edits (started by then)."""
    tables: list[TableConfig] = [users_table(services), THEMES, *BOARD_TABLES, *TASK_TABLES]
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
