"""The storage interface: where photos, masks, previews and results live (local disk or S3)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec


class ObjectNotFound(LookupError):
    """The key holds no object."""


class StorageUnavailable(RuntimeError):
    """The store could not be reached or refused the operation."""


class SignedUpload(msgspec.Struct, kw_only=True):
    """What a client needs to send bytes straight to the store (the API's ``upload`` object)."""

    url: str
    method: str = "PUT"
    headers: dict[str, str] = {}
    expires_at: datetime


class Storage(Protocol):
    """Small on purpose: every implementation must behave the same for these calls."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """Raise ObjectNotFound when absent."""
        ...

    async def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when absent."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Delete if present (absent is not an error)."""
        ...

    async def list_keys(self, prefix: str) -> list[str]: ...

    async def modified_at(self, key: str) -> datetime | None:
        """When the object was last written (UTC), or None when absent: the orphan sweep's grace."""
        ...

    async def upload_url(self, key: str, content_type: str, size_bytes: int, ttl_s: int) -> SignedUpload:
        """A URL accepting exactly ``size_bytes`` bytes of ``content_type`` until it expires."""
        ...

    async def download_url(self, key: str, ttl_s: int, filename: str | None = None) -> str: ...

    async def ping(self) -> None:
        """Raise StorageUnavailable when the store cannot be used (for /readyz)."""
        ...

    async def close(self) -> None: ...
