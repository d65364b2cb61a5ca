"""Dependency providers for the sheets domain."""

from __future__ import annotations

from litestar.datastructures import State

from app.sheets.service import SheetService


def provide_sheet_service(state: State) -> SheetService:
    return state.services.sheets
