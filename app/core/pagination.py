"""Opaque keyset cursors and list limits shared by every list endpoint (api.md: Lists)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from app.core.errors import FieldError, InvalidInput
from app.core.i18n import translate

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def check_limit(limit: int, lang: str) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            errors=[FieldError(field="limit", message=translate(lang, "field_range", min=1, max=MAX_LIMIT))]
        )
    return limit


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int, lang: str) -> list[Any] | None:
    """The values a cursor was made from, or 400 when it was not made by us."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = msgspec.json.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput(errors=[FieldError(field="cursor", message=translate(lang, "field_invalid"))])
    return values
