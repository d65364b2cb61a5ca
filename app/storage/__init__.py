"""Where photos, masks, previews and results live: local disk with signed URLs, or S3 presigned URLs.

``create_storage(settings)`` picks one; ``FilesController`` serves the local store's signed URLs.
"""

from app.storage.errors import (
    AlreadyUploaded,
    ContentTypeMismatch,
    FileNotFound,
    InvalidSignature,
    SizeMismatch,
    UnsupportedImage,
    UploadTooLarge,
    UrlExpired,
)
from app.storage.factory import create_storage, open_storage
from app.storage.http import FilesController
from app.storage.local import LocalStorage
from app.storage.names import validate_key
from app.storage.s3 import S3Storage
from app.storage.signing import verify_download, verify_upload

__all__ = [
    "AlreadyUploaded",
    "ContentTypeMismatch",
    "FileNotFound",
    "FilesController",
    "InvalidSignature",
    "LocalStorage",
    "S3Storage",
    "SizeMismatch",
    "UnsupportedImage",
    "UploadTooLarge",
    "UrlExpired",
    "create_storage",
    "open_storage",
    "validate_key",
    "verify_download",
    "verify_upload",
]
