"""Finding the wall for the create page's overlay (``POST /api/tasks/{id}/wall``): not a paint job.

The API hands a ``Segmenter`` the photo's storage key, never its bytes. In the embedded default the
process's own painter segments it (``PainterSegmenter``); in distributed mode the API's ``ArqQueue``
puts a small job on its own queue (``WALL_QUEUE``), which every worker serves beside its paint job, so a
wall overlay never waits behind a ten-minute mural. Segmentation does not take the painter's job slot
either (the actor runs it off the paint thread).
"""

from __future__ import annotations

from typing import Any, Protocol

from app.core.storage import Storage


class Segmenter(Protocol):
    async def __call__(self, key: str, content_type: str) -> bytes:
        """The wall mask (PNG, 0/255) of the stored photo; PaintError ``no_wall_found`` and the photo's
        own errors (``unsupported_image``, ``too_many_pixels``…); ``Unavailable`` when no painter answers."""
        ...


class PainterSegmenter:
    """The photo from storage into this process's painter (embedded API, and the worker's wall job)."""

    def __init__(self, storage: Storage, painter: Any) -> None:
        self.storage = storage
        self.painter = painter

    async def __call__(self, key: str, content_type: str) -> bytes:
        photo = await self.storage.get(key)
        return await self.painter.segment(photo, content_type)
