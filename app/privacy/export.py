"""The export zip: profile, tasks, posts, comments and likes as JSON, and every stored file byte for byte
under ``files/`` (at its storage key), written to a temporary file so that large exports never sit in memory."""

from __future__ import annotations

import functools
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anyio.to_thread
import msgspec

from app.core.storage import ObjectNotFound, Storage

README = """색담 Saekdam — 내 데이터 / your data

profile.json   계정 정보 / your account
tasks.json     벽화 작업 / your mural tasks ("files": the paths of their photos, masks and results below)
posts.json     커뮤니티 글 (익명 글 포함) / your posts, anonymous ones included
comments.json  댓글 / your comments
likes.json     좋아요 / the posts you liked
files/         올린 사진, 마스크, 결과 원본 그대로 / every photo, mask and result, exactly as stored
"""
COMPRESSED = (".png", ".jpg", ".jpeg", ".webp", ".pdf")


def _json(value: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"


class ExportWriter:
    """Builds one export zip in a temporary file; ``path`` is its location once ``finish()`` returned."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        fd, name = tempfile.mkstemp(prefix="saekdam-export-", suffix=".zip")
        os.close(fd)
        self.path = Path(name)
        self._zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED)
        self.missing: list[str] = []

    async def add_json(self, name: str, value: Any) -> None:
        await anyio.to_thread.run_sync(self._zip.writestr, name, _json(value))

    async def add_text(self, name: str, text: str) -> None:
        await anyio.to_thread.run_sync(self._zip.writestr, name, text.encode())

    async def add_files(self, keys: Iterable[str]) -> None:
        for key in keys:
            try:
                data = await self.storage.get(key)
            except ObjectNotFound:  # removed meanwhile (retention, a delete): noted, not fatal
                self.missing.append(key)
                continue
            compression = zipfile.ZIP_STORED if key.lower().endswith(COMPRESSED) else zipfile.ZIP_DEFLATED
            await anyio.to_thread.run_sync(
                functools.partial(self._zip.writestr, f"files/{key}", data, compress_type=compression)
            )

    async def finish(self) -> Path:
        await anyio.to_thread.run_sync(self._zip.close)
        return self.path

    def discard(self) -> None:
        self._zip.close()
        self.path.unlink(missing_ok=True)
