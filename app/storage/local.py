"""Objects on local disk, served by the app itself through HMAC-signed URLs (embedded mode).

Layout under ``root``: ``objects/<key>`` holds the bytes, ``meta/<key>.json`` the content type, ``tmp/``
the files being written. Writes go to ``tmp/`` and are renamed into place, so readers never see half an
object; an upload is linked into place only if the key is free (the original photo is never overwritten).
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import anyio
import anyio.to_thread
import msgspec

from app.core.storage import ObjectNotFound, SignedUpload, StorageUnavailable
from app.storage import signing
from app.storage.errors import AlreadyUploaded, UploadTooLarge
from app.storage.names import validate_content_type, validate_filename, validate_key, validate_prefix
from app.storage.url_cache import SignedUrlCache

_FALLBACK_TYPE = "application/octet-stream"


class _Meta(msgspec.Struct, frozen=True):
    content_type: str


class LocalStat(msgspec.Struct, frozen=True, kw_only=True):
    """What the file endpoint needs to serve an object."""

    path: Path
    size: int
    content_type: str


class LocalStorage:
    """The ``Storage`` interface on a directory; file I/O runs in worker threads."""

    def __init__(self, root: Path, secret_key: str, base_url: str, max_upload_bytes: int) -> None:
        if not secret_key:
            raise ValueError("LocalStorage needs a secret key to sign URLs")
        self.root = Path(root)
        self.base_url = base_url.rstrip("/")
        self.max_upload_bytes = max_upload_bytes
        self._secret_key = secret_key
        self._objects = self.root / "objects"
        self._meta = self.root / "meta"
        self._tmp = self.root / "tmp"
        self._urls = SignedUrlCache()

    # lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Create the directories (idempotent)."""
        await anyio.to_thread.run_sync(self._make_dirs)

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        def check() -> None:
            self._make_dirs()
            if not os.access(self._tmp, os.W_OK):
                raise StorageUnavailable(f"{self._tmp} is not writable")

        try:
            await anyio.to_thread.run_sync(check)
        except OSError as exc:
            raise StorageUnavailable(f"local storage at {self.root} is unusable: {exc}") from exc

    # objects ---------------------------------------------------------------------------------------------
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write (or replace) an object atomically (a replaced object gets new URLs: caches refetch it)."""
        path = self._object_path(key)
        validate_content_type(content_type)
        await anyio.to_thread.run_sync(self._put_sync, key, path, data, content_type)
        self._urls.forget(key)

    async def get(self, key: str) -> bytes:
        path = self._object_path(key)
        try:
            return await anyio.to_thread.run_sync(path.read_bytes)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    async def size(self, key: str) -> int | None:
        found = await self.stat(key)
        return None if found is None else found.size

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def delete(self, key: str) -> None:
        path = self._object_path(key)
        self._urls.forget(key)
        await anyio.to_thread.run_sync(self._delete_sync, key, path)

    async def list_keys(self, prefix: str) -> list[str]:
        """Keys starting with ``prefix`` (a plain string prefix, like S3), sorted."""
        validate_prefix(prefix)
        return await anyio.to_thread.run_sync(self._list_sync, prefix)

    async def modified_at(self, key: str) -> datetime | None:
        path = self._object_path(key)

        def mtime() -> datetime | None:
            try:
                return datetime.fromtimestamp(path.stat().st_mtime, UTC) if path.is_file() else None
            except (FileNotFoundError, NotADirectoryError):
                return None

        return await anyio.to_thread.run_sync(mtime)

    async def stat(self, key: str) -> LocalStat | None:
        """Path, size and content type of an object, or None when absent."""
        path = self._object_path(key)
        return await anyio.to_thread.run_sync(self._stat_sync, key, path)

    # signed URLs -----------------------------------------------------------------------------------------
    async def upload_url(self, key: str, content_type: str, size_bytes: int, ttl_s: int) -> SignedUpload:
        validate_key(key)
        validate_content_type(content_type)
        if size_bytes <= 0:
            raise ValueError("size_bytes must be positive")
        if size_bytes > self.max_upload_bytes:
            raise UploadTooLarge(detail=f"uploads are limited to {self.max_upload_bytes} bytes")
        exp = signing.expiry(ttl_s)
        params = signing.sign_upload(self._secret_key, key, content_type, size_bytes, exp)
        return SignedUpload(
            url=signing.file_url(self.base_url, key, params),
            method="PUT",
            headers={"Content-Type": content_type, "Content-Length": str(size_bytes)},
            expires_at=signing.expires_at(exp),
        )

    async def download_url(self, key: str, ttl_s: int, filename: str | None = None) -> str:
        """A signed GET URL (the same one again while at least half of ``ttl_s`` is left: url_cache)."""
        cached = self._urls.get(key, ttl_s, filename)
        if cached is not None:
            return cached
        validate_key(key)
        if filename is not None:
            validate_filename(filename)
        exp = signing.expiry(ttl_s)
        url = signing.file_url(self.base_url, key, signing.sign_download(self._secret_key, key, exp, filename))
        self._urls.put(key, ttl_s, filename, url, exp)
        return url

    def verify_upload(self, key: str, query: Mapping[str, str], now: float | None = None) -> signing.UploadGrant:
        """Check a PUT URL for ``key``: raises InvalidSignature or UrlExpired."""
        return signing.verify_upload(self._secret_key, key, query, now)

    def verify_download(self, key: str, query: Mapping[str, str], now: float | None = None) -> signing.DownloadGrant:
        """Check a GET/HEAD URL for ``key``: raises InvalidSignature or UrlExpired."""
        return signing.verify_download(self._secret_key, key, query, now)

    # uploads through the file endpoint ------------------------------------------------------------------
    async def new_upload_file(self) -> Path:
        """An empty temporary file to stream an upload into; pass it to ``commit_upload`` or ``discard``."""

        def make() -> Path:
            self._make_dirs()
            fd, name = tempfile.mkstemp(dir=self._tmp, prefix="up-")
            os.close(fd)
            return Path(name)

        return await anyio.to_thread.run_sync(make)

    async def commit_upload(self, temp: Path, key: str, content_type: str) -> None:
        """Move a finished upload into place unless the key is taken (then AlreadyUploaded); consumes ``temp``."""
        path = self._object_path(key)
        validate_content_type(content_type)
        try:
            await anyio.to_thread.run_sync(self._commit_sync, temp, key, path, content_type)
        finally:
            await self.discard(temp)

    async def discard(self, temp: Path) -> None:
        await anyio.to_thread.run_sync(lambda: temp.unlink(missing_ok=True))

    # sync helpers (run in threads) -----------------------------------------------------------------------
    def _object_path(self, key: str) -> Path:
        return self._objects / validate_key(key)

    def _meta_path(self, key: str) -> Path:
        return self._meta / f"{key}.json"

    def _make_dirs(self) -> None:
        for directory in (self._objects, self._meta, self._tmp):
            directory.mkdir(parents=True, exist_ok=True)

    def _write_temp(self, data: bytes) -> Path:
        self._make_dirs()
        temp = self._tmp / f"w-{uuid.uuid4().hex}"
        with open(temp, "wb") as fh:
            fh.write(data)
        return temp

    def _write_meta(self, key: str, content_type: str) -> None:
        meta_path = self._meta_path(key)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._write_temp(msgspec.json.encode(_Meta(content_type))), meta_path)

    def _put_sync(self, key: str, path: Path, data: bytes, content_type: str) -> None:
        # meta first: a reader never sees new bytes with a missing type
        self._write_meta(key, content_type)
        temp = self._write_temp(data)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def _commit_sync(self, temp: Path, key: str, path: Path, content_type: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(temp, path)  # atomic "create if absent": never replaces an existing object
        except FileExistsError:
            raise AlreadyUploaded(detail="an object was already uploaded to this URL") from None
        # written after the link so a refused upload cannot change the original's type; until then
        # readers fall back to the type guessed from the key (see _stat_sync)
        self._write_meta(key, content_type)

    def _stat_sync(self, key: str, path: Path) -> LocalStat | None:
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        try:
            content_type = msgspec.json.decode(self._meta_path(key).read_bytes(), type=_Meta).content_type
        except (FileNotFoundError, NotADirectoryError, msgspec.DecodeError):
            content_type = _guess_type(key)
        return LocalStat(path=path, size=st.st_size, content_type=content_type)

    def _delete_sync(self, key: str, path: Path) -> None:
        for file in (path, self._meta_path(key)):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
                file.unlink()
            # prune now-empty folders so listing stays cheap
            parent = file.parent
            while parent not in (self._objects, self._meta) and parent != self.root:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def _list_sync(self, prefix: str) -> list[str]:
        base = self._objects / prefix.rpartition("/")[0] if "/" in prefix else self._objects
        if not base.is_dir():
            return []
        keys: list[str] = []
        for directory, _, files in os.walk(base):
            rel_dir = Path(directory).relative_to(self._objects).as_posix()
            for name in files:
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)


def _guess_type(key: str) -> str:
    return mimetypes.guess_type(key, strict=False)[0] or _FALLBACK_TYPE
