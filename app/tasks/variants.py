"""A task's smaller pictures: per result a list thumbnail and a display copy, and a display copy of the photo.

Made once: by the paint job right after it stores the results, or lazily once for tasks painted before
variants existed. They live next to the originals (``tasks/<id>/thumb-result-1.webp``,
``…/display-result-1.webp``, ``…/display-input.webp``), so deleting a task's files removes them too; the
row's ``variants`` column lists them, and pages fall back to the originals until it is complete.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from app.core import image_variants
from app.core.cpu import run_cpu
from app.core.storage import Storage


class Variants(msgspec.Struct, kw_only=True, omit_defaults=True):
    thumbs: list[str] = []
    displays: list[str] = []
    input: str | None = None

    def complete(self, results: int) -> bool:
        return results > 0 and len(self.thumbs) == len(self.displays) == results and self.input is not None

    def encode(self) -> str:
        return msgspec.json.encode(self).decode()


def decode(value: Any) -> Variants:
    """The column's value (a dict from PostgreSQL, text from SQLite)."""
    if isinstance(value, Variants):
        return value
    if isinstance(value, (str, bytes)):
        value = msgspec.json.decode(value or "{}")
    return msgspec.convert(value or {}, Variants)


def variant_key(kind: str, source_key: str) -> str:
    """``tasks/<id>/result-1.png`` → ``tasks/<id>/<kind>-result-1.webp`` (next to its source)."""
    folder, _, name = source_key.rpartition("/")
    return f"{folder}/{kind}-{name.rsplit('.', 1)[0]}.{image_variants.EXTENSION}"


def _both(data: bytes) -> tuple[bytes, bytes]:
    return image_variants.make_thumbnail(data), image_variants.make_display(data)


async def make(
    storage: Storage,
    input_key: str,
    result_keys: list[str],
    results: list[bytes] | None = None,
    photo: bytes | None = None,
) -> Variants:
    """Make and store every variant of a task (``results``/``photo``: the bytes when already at hand)."""
    made = Variants()
    puts = []  # stored side by side once made: the store's latency is paid once, not once per file
    for i, key in enumerate(result_keys):
        data = results[i] if results is not None else await storage.get(key)
        thumb, display = await run_cpu(_both, data)
        puts.append(storage.put(variant_key("thumb", key), thumb, image_variants.CONTENT_TYPE))
        puts.append(storage.put(variant_key("display", key), display, image_variants.CONTENT_TYPE))
        made.thumbs.append(variant_key("thumb", key))
        made.displays.append(variant_key("display", key))
    source = photo if photo is not None else await storage.get(input_key)
    display = await run_cpu(image_variants.make_display, source)
    puts.append(storage.put(variant_key("display", input_key), display, image_variants.CONTENT_TYPE))
    made.input = variant_key("display", input_key)
    await gather_all(puts)
    return made


async def gather_all(calls: list[Any]) -> None:
    """Await every call side by side; the first failure is raised once all have ended (none left running)."""
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
