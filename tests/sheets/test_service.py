"""SheetService on a real local store: which pixels are the mural, reuse, settings, the event loop kept free."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import msgspec
import numpy as np
import pytest

from app.core.errors import AppError
from app.core.settings import get_settings
from app.sheets.service import SheetService
from app.storage.local import LocalStorage
from tests.sheets.helpers import PATCHES, patch_mural, png


class CountingStorage(LocalStorage):
    """The real local store, counting the objects written (to see a sheet is made once)."""

    puts: list[str]

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self.puts.append(key)
        await super().put(key, data, content_type)


@pytest.fixture
def storage(tmp_path: Path) -> CountingStorage:
    store = CountingStorage(tmp_path / "store", "secret-" + uuid.uuid4().hex, "http://127.0.0.1:1", 10_000_000)
    store.puts = []
    return store


def _row(**fields: Any) -> SimpleNamespace:
    base = {
        "id": uuid.uuid4(),
        "status": "succeeded",
        "result_keys": "[]",
        "artwork_keys": "[]",
        "painted_mask_key": None,
        "wall_size_m": "null",
        "region": '{"mode": "auto"}',
        "mask_key": None,
    }
    base.update(fields)
    return SimpleNamespace(**base)


def _service(storage: LocalStorage, **settings: Any) -> SheetService:
    return SheetService(msgspec.structs.replace(get_settings(), **settings), storage, tasks=None)  # type: ignore[arg-type]


async def test_quad_tasks_use_the_flat_artwork(storage: CountingStorage) -> None:
    row = _row(region='{"mode": "quad", "points": [[0,0],[1,0],[1,1],[0,1]]}', wall_size_m="[6.4, 3.2]")
    await storage.put(f"tasks/{row.id}/result-1.png", png(np.full((50, 80, 3), 30, np.uint8)), "image/png")
    await storage.put(f"tasks/{row.id}/artwork-1.png", png(patch_mural()), "image/png")
    row.result_keys = f'["tasks/{row.id}/result-1.png"]'
    row.artwork_keys = f'["tasks/{row.id}/artwork-1.png"]'
    sheet = await _service(storage).for_task(row, 1, 12, "en")
    assert [c.code for c in sheet.colors] == [code for code, _ in PATCHES]  # the artwork's paints, by share
    assert sum(c.area_m2 or 0 for c in sheet.colors) == pytest.approx(6.4 * 3.2, rel=0.02)
    assert (sheet.width_m, sheet.height_m) == (6.4, 3.2)


async def test_other_modes_use_the_painted_region_of_the_result(storage: CountingStorage) -> None:
    row = _row(wall_size_m="[2, 1]")
    result = np.zeros((200, 400, 3), np.uint8)
    result[:] = (10, 200, 240)  # the unpainted photo around it: not part of the mural
    result[50:150, 100:300] = patch_mural(200, 100)
    mask = np.zeros((200, 400), np.uint8)
    mask[50:150, 100:300] = 255
    await storage.put(f"tasks/{row.id}/result-1.png", png(result), "image/png")
    await storage.put(f"tasks/{row.id}/painted-mask.png", png(mask), "image/png")
    row.result_keys = f'["tasks/{row.id}/result-1.png"]'
    row.painted_mask_key = f"tasks/{row.id}/painted-mask.png"
    sheet = await _service(storage).for_task(row, 1, 8, "en")
    assert {c.code for c in sheet.colors} == {code for code, _ in PATCHES}
    assert sum(c.area_m2 or 0 for c in sheet.colors) == pytest.approx(2.0, rel=0.02)
    # a box task from before painted masks: the box is the region
    row.painted_mask_key = None
    row.region = '{"mode": "box", "box": [100, 50, 200, 100]}'
    boxed = await _service(storage).for_task(row, 1, 6, "en")
    assert {c.code for c in boxed.colors} == {code for code, _ in PATCHES}


async def test_made_once_however_many_ask_and_remade_for_new_settings(storage: CountingStorage) -> None:
    row = _row(wall_size_m="[2, 1]", region='{"mode": "box", "box": [0, 0, 640, 320]}')
    await storage.put(f"tasks/{row.id}/result-1.png", png(patch_mural()), "image/png")
    row.result_keys = f'["tasks/{row.id}/result-1.png"]'
    service = _service(storage)
    storage.puts.clear()
    sheets = await asyncio.gather(*(service.for_task(row, 1, 12, "en") for _ in range(4)))
    assert all(s.colors == sheets[0].colors for s in sheets)
    assert sorted(storage.puts) == sorted(f"tasks/{row.id}/sheet-1-12.{e}" for e in ("json", "pdf", "png"))
    assert (await service.for_task(row, 1, 12, "en")).colors == sheets[0].colors
    assert len(storage.puts) == 3  # read back, not made again
    # another coverage: litres change, so the stored sheet is made again
    thinner = await _service(storage, sheet_coverage_m2_per_l=5.0).for_task(row, 1, 12, "en")
    assert len(storage.puts) == 6
    assert thinner.colors[0].litres == pytest.approx(2 * sheets[0].colors[0].litres, abs=0.02)


async def test_sheets_are_made_off_the_event_loop(storage: CountingStorage) -> None:
    row = _row(wall_size_m="[8, 4]", region='{"mode": "box", "box": [0, 0, 1280, 640]}')
    big = np.kron(patch_mural(640, 320, noise=12), np.ones((2, 2, 1), dtype=np.uint8))
    await storage.put(f"tasks/{row.id}/result-1.png", png(big), "image/png")
    row.result_keys = f'["tasks/{row.id}/result-1.png"]'
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    started = time.monotonic()
    await _service(storage).for_task(row, 1, 16, "en")
    took = time.monotonic() - started
    tick.cancel()
    assert len(gaps) > 10 and took > 0.2
    assert max(gaps) < max(0.25, took / 3), (max(gaps), took)  # the loop kept running while the sheet was made


async def test_refusals(storage: CountingStorage) -> None:
    service = _service(storage)
    row = _row(status="running")
    with pytest.raises(AppError) as info:
        await service.for_task(row, 1, 12, "ko")
    assert (info.value.status, info.value.code) == (409, "task_not_succeeded")
    row = _row(result_keys='["tasks/x/result-1.png"]')  # auto region, no painted mask stored
    with pytest.raises(AppError) as info:
        await service.for_task(row, 1, 12, "ko")
    assert (info.value.status, info.value.code) == (409, "sheet_source_missing")
    row.painted_mask_key = "tasks/x/painted-mask.png"  # files gone (retention)
    with pytest.raises(AppError) as info:
        await service.for_task(row, 1, 12, "ko")
    assert (info.value.status, info.value.code) == (409, "sheet_source_missing")
    with pytest.raises(AppError) as info:
        await service.for_task(row, 2, 12, "en")
    assert info.value.status == 400 and info.value.errors[0].field == "result"
