"""A post's stored copies moved to fresh keys: every URL signed for the old keys stops working at once.

Signed URLs (ours and S3's presigned ones) name the object's key and cannot be recalled; moving the bytes to
keys nobody was given is what revokes them, in either store, with no revocation list to consult per request.
Used when a post is hidden by moderation and when an account's posts are kept anonymized.
"""

from __future__ import annotations

import secrets
from typing import Any

import msgspec

from app.core.storage import Storage

KEY_COLUMNS = ("before_key", "after_key", "thumb_key")


def content_type_of(key: str) -> str:
    ext = key.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}.get(
        ext, "application/octet-stream"
    )


def display_of(row: dict[str, Any]) -> dict[str, Any]:
    """The post's ``display`` column (display copies and picture size) as a dict."""
    shown = row.get("display")
    return dict(shown) if isinstance(shown, dict) else msgspec.json.decode(shown or "{}")


async def copy_to_fresh_keys(storage: Storage, row: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Copy the post's objects (``row``: id, before/after/thumb keys, display) under a new random prefix.

    Returns the new column values (by column name; ``display`` as JSON text when the post has display copies)
    and the old keys, which the caller deletes once the row points at the new ones.
    """
    prefix = f"posts/{row['id']}/{secrets.token_hex(8)}/"
    values: dict[str, Any] = {}
    old_keys: list[str] = []

    async def move(key: str) -> str:
        new_key = prefix + key.rsplit("/", 1)[-1]
        await storage.put(new_key, await storage.get(key), content_type_of(key))
        old_keys.append(key)
        return new_key

    for column in KEY_COLUMNS:
        if row.get(column):
            values[column] = await move(row[column])
    shown = display_of(row)
    moved = {name: await move(shown[name]) for name in ("before", "after") if shown.get(name)}
    if moved:
        values["display"] = msgspec.json.encode({**shown, **moved}).decode()
    return values, old_keys
