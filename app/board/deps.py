"""Dependency providers for the board (the service is built once per process in ``app.wiring``)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import State

from app.board.schemas import Viewer
from app.board.service import BoardService


def provide_board_service(state: State) -> BoardService:
    return state.services.board


def viewer_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer | None:
    """The authenticated user as the board sees them, or None for anonymous readers."""
    user = connection.scope.get("user")
    if user is None:
        return None
    return Viewer(id=int(user.id), public_id=str(user.public_id), nickname=user.nickname, is_admin=bool(user.admin))


def require_viewer(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    viewer = viewer_of(connection)
    assert viewer is not None, "guarded by requires_user"
    return viewer
