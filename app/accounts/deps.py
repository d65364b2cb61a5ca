"""Dependency providers for the accounts domain (built once per app in the composition root)."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import State

from app.accounts.service import AccountService


def provide_account_service(state: State) -> AccountService:
    return state.accounts


def provide_resets(state: State) -> Any:
    return state.services.resets


def provide_oidc(state: State) -> Any:
    return state.services.oidc
