"""Choose the store from settings; only the composition root (wiring.py) and the themes seed step call this.

Lifecycle: ``create_storage`` builds without I/O. Call ``await storage.start()`` at startup (both stores
have it: local creates its folders, S3 opens its one client; S3 also starts lazily on first use) and
``await storage.close()`` at shutdown. ``open_storage`` does both build and start.
"""

from __future__ import annotations

from app.core.settings import Settings
from app.core.storage import Storage
from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage


def create_storage(settings: Settings) -> LocalStorage | S3Storage:
    """S3 when ``s3_bucket`` is set, else local disk under ``storage_dir`` served at ``base_url``/files."""
    if settings.s3_bucket:
        return S3Storage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key or None,
            path_style=settings.s3_path_style,
            max_upload_bytes=settings.max_upload_bytes,
            max_attempts=settings.s3_max_attempts,
            connect_timeout_s=settings.s3_connect_timeout_s,
            read_timeout_s=settings.s3_read_timeout_s,
            public_endpoint_url=settings.s3_public_endpoint_url or None,
        )
    if not settings.secret_key:
        raise ValueError("local storage signs URLs: pass settings through ensure_secret() first")
    return LocalStorage(
        root=settings.storage_dir,
        secret_key=settings.secret_key,
        base_url=settings.base_url,
        max_upload_bytes=settings.max_upload_bytes,
    )


async def open_storage(settings: Settings) -> Storage:
    """Build and start the configured store (S3: the client is open; local: folders exist)."""
    storage = create_storage(settings)
    await storage.start()
    return storage
