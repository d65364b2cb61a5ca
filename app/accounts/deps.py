"""Dependency providers for the accounts domain (built once per app in the composition root)."""

from __future__ import annotations

from litestar.datastructures import State

from app.accounts.service import AccountService


def provide_account_service(state: State) -> AccountService:
    return state.accounts  # type: ignore[no-any-return]
