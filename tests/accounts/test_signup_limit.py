"""The sign-up limits in the service: per client address, and in all across addresses."""

from __future__ import annotations

import pytest

from app.accounts.service import AccountService
from app.core.errors import RateLimited
from app.core.settings import load_settings
from app.limits.memory import MemoryRateLimiter


def service(per_address: int, total: int) -> AccountService:
    settings = load_settings(
        {"SAEKDAM_SIGNUP_PER_ADDRESS_PER_HOUR": str(per_address), "SAEKDAM_SIGNUP_PER_HOUR": str(total)}, dotenv=None
    )
    return AccountService(settings, MemoryRateLimiter())


async def test_the_global_limit_holds_across_addresses() -> None:
    accounts = service(per_address=2, total=5)
    for i in range(5):
        await accounts.limit_signup(f"10.0.0.{i}")
    with pytest.raises(RateLimited) as refused:
        await accounts.limit_signup("10.0.0.99")
    assert refused.value.status == 429 and 3500 <= refused.value.retry_after <= 3601
    assert refused.value.headers["Retry-After"] == str(refused.value.retry_after)


async def test_one_address_is_limited_and_the_others_are_not() -> None:
    accounts = service(per_address=2, total=100)
    await accounts.limit_signup("10.0.0.1")
    await accounts.limit_signup("10.0.0.1")
    with pytest.raises(RateLimited):
        await accounts.limit_signup("10.0.0.1")
    await accounts.limit_signup("10.0.0.2")


def test_the_defaults_are_the_documented_ones() -> None:
    settings = load_settings({}, dotenv=None)
    assert (settings.signup_per_address_per_hour, settings.signup_per_hour) == (30, 1000)
