"""Validation of object keys, content types and download file names, shared by every store.

Keys reach the disk (local store) and URLs, so one strict rule keeps both safe: ASCII letters, digits,
``.``, ``_``, ``-`` and ``/`` between non-empty segments that are never ``.`` or ``..``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

MAX_KEY_LENGTH = 512
_KEY_CHARS = re.compile(r"[A-Za-z0-9._/-]+")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def validate_key(key: str) -> str:
    """Return ``key`` unchanged, or raise ValueError when it could escape the store or break a URL."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"object key must be 1-{MAX_KEY_LENGTH} characters")
    if not _KEY_CHARS.fullmatch(key):
        raise ValueError(f"object key has characters outside [A-Za-z0-9._/-]: {key!r}")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise ValueError(f"object key has an empty, '.' or '..' segment: {key!r}")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix follows the key rule, except that it may be empty or end with '/'."""
    if prefix:
        validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def validate_content_type(content_type: str) -> str:
    """A bare lower-case ``type/subtype`` (no parameters): it is signed and compared byte for byte."""
    if not _CONTENT_TYPE.fullmatch(content_type):
        raise ValueError(f"content type must be a lower-case 'type/subtype', got {content_type!r}")
    return content_type


def validate_filename(filename: str) -> str:
    """A download name must not carry control characters or path separators (header injection, traversal)."""
    if not filename or len(filename) > 200 or _UNSAFE_FILENAME.search(filename):
        raise ValueError(f"download file name must be 1-200 characters without '/', '\\' or controls: {filename!r}")
    return filename


def content_disposition(filename: str | None) -> str:
    """``attachment`` with an ASCII fallback and the RFC 6266/5987 UTF-8 name; ``inline`` without a name."""
    if filename is None:
        return "inline"
    validate_filename(filename)
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
