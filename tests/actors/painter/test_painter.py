"""The actor end to end on tiny models: sizes, untouched pixels, progress, cancel, seeds, LoRAs, errors."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import msgspec
import numpy as np
import pytest
from PIL import Image, ImageOps

from app.actors.painter import Painter, PaintError, PaintProgress, Region, tiny_config
from app.actors.painter.compose import MAX_GROW
from app.actors.painter.tiny import make_no_wall_photo, make_wall_photo
from tests.actors.painter.helpers import decode, encode, request, theme

BOX = Region(mode="box", box=[30, 20, 80, 64])


def outside(width: int, height: int, box: list[int], grow: int = MAX_GROW) -> np.ndarray:
    x, y, w, h = box
    keep = np.ones((height, width), bool)
    keep[max(0, y - grow) : y + h + grow, max(0, x - grow) : x + w + grow] = False
    return keep


async def test_states(tiny_dir: Path, painter: Painter) -> None:
    assert painter.state == "ready" and painter.reason is None and painter.using_tiny_models
    fresh = Painter(tiny_config(tiny_dir))
    assert fresh.state == "idle"
    await fresh.close()
    broken = Painter(tiny_config(tiny_dir).__class__(inpaint_model="/nonexistent/model", segment_model="x"))
    with pytest.raises(PaintError) as err:
        await broken.load()
    assert err.value.code == "model_unavailable"
    assert broken.state == "unavailable" and "/nonexistent/model" in (broken.reason or "")
    await broken.close()


async def test_png_same_size_and_untouched_outside(painter: Painter) -> None:
    photo = make_wall_photo(201, 157)
    box = [60, 50, 70, 64]
    result = await painter.paint(request(encode(photo), region=Region(mode="box", box=box)))
    assert (result.width, result.height, result.content_type, result.ext) == (201, 157, "image/png", "png")
    out = decode(result.images[0])
    assert out.size == (201, 157) and out.mode == "RGB"
    before, after = np.asarray(photo), np.asarray(out)
    keep = outside(201, 157, box)
    assert np.array_equal(before[keep], after[keep])
    x, y, w, h = box
    assert np.abs(before[y : y + h, x : x + w].astype(int) - after[y : y + h, x : x + w]).mean() > 5
    assert decode(result.mask_png).size == (201, 157)


async def test_png_alpha_is_kept(painter: Painter) -> None:
    rgba = make_wall_photo(131, 97).convert("RGBA")
    alpha = Image.linear_gradient("L").resize((131, 97))
    rgba.putalpha(alpha)
    result = await painter.paint(request(encode(rgba), region=Region(mode="box", box=[20, 10, 70, 66])))
    out = decode(result.images[0])
    assert out.mode == "RGBA" and out.size == (131, 97)
    assert np.array_equal(np.asarray(out)[..., 3], np.asarray(alpha))
    keep = outside(131, 97, [20, 10, 70, 66])
    assert np.array_equal(np.asarray(out)[keep], np.asarray(rgba)[keep])


async def test_jpeg_odd_size_and_exif_portrait(painter: Painter) -> None:
    odd = await painter.paint(request(encode(make_wall_photo(161, 121), "JPEG", quality=95)))
    assert (odd.width, odd.height, odd.content_type, odd.ext) == (161, 121, "image/jpeg", "jpg")
    assert decode(odd.images[0]).size == (161, 121)

    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown as portrait
    raw = make_wall_photo(200, 120)
    data = encode(raw, "JPEG", quality=95, exif=exif)
    upright = ImageOps.exif_transpose(Image.open(__import__("io").BytesIO(data)))
    box = [10, 100, 100, 90]  # in the upright (portrait) frame
    result = await painter.paint(request(data, region=Region(mode="box", box=box)))
    out = decode(result.images[0])
    assert out.size == (120, 200) == (result.width, result.height)
    keep = outside(120, 200, box)
    diff = np.abs(np.asarray(out).astype(int) - np.asarray(upright.convert("RGB")))[keep]
    assert diff.mean() < 4  # only JPEG re-encoding noise outside
    assert "exif" not in out.info or 0x0112 not in out.getexif()


async def test_progress_once_per_step_with_previews(painter: Painter) -> None:
    events: list[PaintProgress] = []

    async def on_progress(p: PaintProgress) -> None:
        events.append(p)

    await painter.paint(request(encode(make_wall_photo(120, 96)), region=BOX, steps=5), on_progress)
    assert [e.step for e in events] == [1, 2, 3, 4, 5]
    assert {e.total for e in events} == {5}
    assert [e.elapsed_s for e in events] == sorted(e.elapsed_s for e in events)
    previews = [e.step for e in events if e.preview_jpeg]
    assert previews == [2, 4]  # preview_every=2, none on the final step
    assert decode(events[1].preview_jpeg or b"").size == (120, 96)


async def test_previews_wait_for_their_interval_while_progress_goes_on(tiny_dir: Path) -> None:
    """Previews at most every ``preview_interval_s`` (the first after as long): a quick job sends none,
    and still reports every step."""
    slow = Painter(msgspec.structs.replace(tiny_config(tiny_dir), preview_every=1, preview_interval_s=3600.0))
    events: list[PaintProgress] = []

    async def on_progress(p: PaintProgress) -> None:
        events.append(p)

    try:
        await slow.paint(request(encode(make_wall_photo(120, 96)), region=BOX, steps=4), on_progress)
    finally:
        await slow.close()
    assert [e.step for e in events] == [1, 2, 3, 4]
    assert not [e for e in events if e.preview_jpeg]


async def test_cancel_running_job_within_one_step(painter: Painter) -> None:
    req = request(encode(make_wall_photo(120, 96)), region=BOX, steps=60)
    seen: list[int] = []
    canceled_at: list[int] = []

    async def on_progress(p: PaintProgress) -> None:
        seen.append(p.step)
        if p.step == 3:
            canceled_at.append(p.step)
            assert painter.cancel(req.job_id)

    with pytest.raises(PaintError) as err:
        await painter.paint(req, on_progress)
    assert err.value.code == "canceled"
    assert max(seen) <= 3 + 2 < 60  # the thread may be one step ahead of the event loop
    assert painter.cancel(req.job_id) is False  # gone


async def test_cancel_queued_job_is_dropped(painter: Painter) -> None:
    photo = encode(make_wall_photo(120, 96))
    first = request(photo, region=BOX, steps=20)
    second = request(photo, region=BOX)
    running = asyncio.create_task(painter.paint(first))
    queued = asyncio.create_task(painter.paint(second))
    await asyncio.sleep(0.05)
    assert painter.cancel(second.job_id)
    with pytest.raises(PaintError) as err:
        await asyncio.wait_for(queued, 1.0)
    assert err.value.code == "canceled"
    assert not running.done()  # dropped at once, without waiting for the running job
    assert len((await running).images) == 1


async def test_same_seed_same_image_and_variations(painter: Painter) -> None:
    photo = encode(make_wall_photo(120, 96))
    a = await painter.paint(request(photo, region=BOX, seed=11))
    b = await painter.paint(request(photo, region=BOX, seed=11))
    c = await painter.paint(request(photo, region=BOX, seed=12))
    assert a.images == b.images and a.images != c.images
    many = await painter.paint(request(photo, region=BOX, seed=11, variations=3))
    assert len(many.images) == 3 and len(set(many.images)) == 3


async def test_lora_changes_pixels_and_reloads_on_new_path(painter: Painter, tiny_dir: Path, tmp_path: Path) -> None:
    photo = encode(make_wall_photo(120, 96))
    plain = await painter.paint(request(photo, region=BOX, theme=theme("ocean")))
    ocean = tiny_dir / "loras" / "ocean.safetensors"
    styled = await painter.paint(request(photo, region=BOX, theme=theme("ocean", ocean)))
    again = await painter.paint(request(photo, region=BOX, theme=theme("ocean", ocean)))
    assert styled.images != plain.images and again.images == styled.images
    zero = await painter.paint(request(photo, region=BOX, theme=theme("ocean", ocean, weight=0.0)))
    assert zero.images == plain.images  # weight 0 = no LoRA
    moved = tmp_path / "ocean-v2.safetensors"
    shutil.copy(tiny_dir / "loras" / "space.safetensors", moved)  # re-registered with another file
    swapped = await painter.paint(request(photo, region=BOX, theme=theme("ocean", moved)))
    assert swapped.images not in (plain.images, styled.images)
    names = {name for _, name in painter._models.loras.loaded.values()}  # noqa: SLF001 - checking no reload
    assert "ocean_v1" in names and "ocean" not in names


async def test_fast_mode(painter: Painter) -> None:
    result = await painter.paint(request(encode(make_wall_photo(120, 96)), region=BOX, fast=True, steps=4))
    assert len(result.images) == 1
    with pytest.raises(PaintError) as err:
        await painter.paint(request(encode(make_wall_photo(120, 96)), region=BOX, fast=True, steps=20))
    assert err.value.code == "invalid_request"


def test_fast_mode_without_lcm_lora_is_a_clear_error() -> None:
    from app.actors.painter.models import LoraRegistry

    with pytest.raises(PaintError) as err:
        LoraRegistry().ensure_lcm(object(), None)
    assert err.value.code == "fast_mode_unavailable"


async def test_auto_region_and_no_wall(painter: Painter) -> None:
    result = await painter.paint(request(encode(make_wall_photo(150, 110))))
    assert decode(result.mask_png).getbbox() is not None
    mask = decode(await painter.segment(encode(make_wall_photo(150, 110), "JPEG"), "image/jpeg"))
    assert mask.size == (150, 110)
    with pytest.raises(PaintError) as err:
        await painter.paint(request(encode(make_no_wall_photo(150, 110))))
    assert err.value.code == "no_wall_found"
    with pytest.raises(PaintError) as err:
        await painter.segment(encode(make_no_wall_photo(150, 110)))
    assert err.value.code == "no_wall_found"


async def test_bad_uploads_through_the_actor(painter: Painter) -> None:
    good = encode(make_wall_photo(120, 96), "JPEG")
    cases = {
        "unsupported_image": request(good[:300]),
        "image_too_small": request(encode(Image.new("RGB", (1, 1)))),
        "image_too_large": request(good + b"\0" * (50 * 1024 * 1024)),
        "invalid_region": request(good, region=Region(mode="box", box=[100, 0, 64, 64])),
        "invalid_mask": request(good, region=Region(mode="mask")),
        "invalid_request": request(good, variations=5),
    }
    for code, req in cases.items():
        with pytest.raises(PaintError) as err:
            await painter.paint(req)
        assert err.value.code == code


async def test_korean_wish_is_translated_by_the_tiny_marian(painter: Painter) -> None:
    result = await painter.paint(request(encode(make_wall_photo(120, 96)), region=BOX, prompt="파란 고래"))
    assert not any("not translated" in m or "untranslated" in m for m in result.messages)
    assert result.prompt_en.startswith("sdmural ocean mural")


async def test_finding_the_wall_does_not_wait_for_the_mural_being_painted(
    painter: Painter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    painting, release = threading.Event(), threading.Event()
    real_paint = painter._paint

    def slow_paint(models: object, work: object) -> object:  # a mural that takes as long as the test wants
        painting.set()
        release.wait(30)
        return real_paint(models, work)

    monkeypatch.setattr(painter, "_paint", slow_paint)
    mural = asyncio.create_task(painter.paint(request(encode(make_wall_photo(150, 110)), job_id="slow")))
    try:
        assert await asyncio.to_thread(painting.wait, 10)
        mask = decode(await asyncio.wait_for(painter.segment(encode(make_wall_photo(150, 110)), "image/png"), 10))
        assert mask.size == (150, 110) and not mural.done()  # answered while the paint thread was busy
    finally:
        release.set()
    assert decode((await mural).mask_png).getbbox() is not None
