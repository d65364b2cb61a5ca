"""Short-lived values kept in the browser between redirects (the flow's state, nonce and PKCE verifier; a
pending account link), sealed with an HMAC of the app secret so they cannot be forged or altered."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import msgspec


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), b"saekdam/oidc/" + purpose.encode(), hashlib.sha256).digest()


def seal(secret: str, purpose: str, data: dict[str, Any], ttl_s: int) -> str:
    payload = base64.urlsafe_b64encode(msgspec.json.encode({**data, "exp": int(time.time()) + ttl_s})).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()).rstrip(b"=")
    return (payload + b"." + signature).decode()


def unseal(secret: str, purpose: str, value: str | None) -> dict[str, Any] | None:
    """The sealed data, or None when it is missing, altered, made for another purpose or expired."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.encode().split(b".")
    expected = base64.urlsafe_b64encode(hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()).rstrip(b"=")
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        data = msgspec.json.decode(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    except (ValueError, msgspec.DecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int) or data["exp"] < time.time():
        return None
    return data
