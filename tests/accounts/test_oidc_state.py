"""Fast checks of the sign-in helpers: sealed browser state, which claims count as a verified email, and
the nickname a new account gets from a provider's profile."""

from __future__ import annotations

import time

from app.accounts.oidc.service import nickname_from, verified_email
from app.accounts.oidc.state import seal, unseal

SECRET = "s" * 48


def test_sealed_state_opens_only_unchanged_for_its_purpose_and_in_time() -> None:
    value = seal(SECRET, "flow", {"s": "state", "v": "verifier"}, 60)
    assert unseal(SECRET, "flow", value) == {"s": "state", "v": "verifier", "exp": unseal(SECRET, "flow", value)["exp"]}  # type: ignore[index]
    assert unseal(SECRET, "link", value) is None  # another purpose
    assert unseal("other" * 10, "flow", value) is None  # another secret
    payload, signature = value.split(".")
    assert unseal(SECRET, "flow", payload[:-2] + "AA." + signature) is None  # altered
    assert unseal(SECRET, "flow", None) is None and unseal(SECRET, "flow", "garbage") is None
    expired = seal(SECRET, "flow", {"s": "x"}, -1)
    assert unseal(SECRET, "flow", expired) is None
    assert time.time() < unseal(SECRET, "flow", value)["exp"]  # type: ignore[index]


def test_only_a_verified_well_formed_email_counts() -> None:
    assert verified_email({"email": " Kim@Example.COM ", "email_verified": True}) == "kim@example.com"
    for claims in (
        {"email": "kim@example.com"},
        {"email": "kim@example.com", "email_verified": "true"},
        {"email": "kim@example.com", "email_verified": False},
        {"email": "not-an-email", "email_verified": True},
        {"email": "x@users.invalid", "email_verified": True},
        {"email_verified": True},
    ):
        assert verified_email(claims) is None, claims


def test_nickname_from_the_profile_or_a_readable_default() -> None:
    assert nickname_from({"nickname": "  카카오친구  "}, "kakao") == "카카오친구"
    assert nickname_from({"name": "A" * 40}, "corp") == "A" * 20
    assert nickname_from({"nickname": "x", "preferred_username": "kim"}, "corp") == "kim"
    fallback = nickname_from({}, "kakao")
    assert fallback.startswith("kakao") and 2 <= len(fallback) <= 20
