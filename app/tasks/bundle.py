""" "Save all": every result of a finished task in one zip file, so a phone saves them with one tap instead of
one download per picture (issue 20). Images are stored, not deflated: they are compressed already."""

from __future__ import annotations

import io
import zipfile

import msgspec

from app.core.errors import AppError
from app.core.storage import ObjectNotFound, Storage
from app.tasks.tables import Task as TaskRow


def zip_name(row: TaskRow) -> str:
    return f"saekdam-{str(row.id)[:8]}.zip"


async def results_zip(storage: Storage, row: TaskRow) -> bytes:
    """The zip of ``row``'s results, named like their single downloads (``saekdam-<id8>-<n>.<ext>``).

    409 ``invalid_state`` unless the task succeeded; 404 once its files are gone (retention)."""
    if row.status != "succeeded":
        raise AppError("invalid_state", status=409)
    raw = row.result_keys
    keys: list[str] = raw if isinstance(raw, list) else msgspec.json.decode(raw or "[]")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        for i, key in enumerate(keys):
            try:
                data = await storage.get(key)
            except ObjectNotFound:
                raise AppError("not_found", status=404) from None
            archive.writestr(f"saekdam-{str(row.id)[:8]}-{i + 1}.{key.rsplit('.', 1)[-1]}", data)
    return buf.getvalue()
