"""Detail "high": the tile plan, feathered blending without seams, both passes' steps, and cancel in each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.actors.painter import Painter, PaintError, PaintProgress, Region, tiny_config
from app.actors.painter import image as img
from app.actors.painter import pipeline as pl
from app.actors.painter.detail import (
    DetailPlan,
    blend_tiles,
    pass_steps,
    plan_detail,
    refine_inference_steps,
    refine_steps,
    tile_weight,
)
from app.actors.painter.models import Models, load_models
from app.actors.painter.prompt import build_prompt
from tests.actors.painter.helpers import decode, encode, request
from tests.actors.painter.walls import brick_wall

BIG = (900, 700)
BIG_BOX = Region(mode="box", box=[50, 40, 800, 600])


@pytest.fixture(scope="module")
def models(tiny_dir: Path) -> Iterator[Models]:
    yield load_models(tiny_config(tiny_dir))


def covered(plan: DetailPlan) -> np.ndarray:
    out = np.zeros(plan.size[::-1], bool)
    for x, y in plan.tiles:
        out[y : y + plan.tile[1], x : x + plan.tile[0]] = True
    return out


def test_plan_covers_the_painting_up_to_4x_native() -> None:
    assert plan_detail((144, 112), (150, 116), 128, 20, 1) is None  # shown at ~1×: nothing to refine
    plan = plan_detail((144, 112), (900, 700), 128, 20, 2)
    assert plan is not None
    assert 3.5 * 128 <= max(plan.size) <= 4 * 128 and plan.size[0] % 8 == 0 and plan.size[1] % 8 == 0
    assert plan.tile == (128, 128) and covered(plan).all()
    assert plan.steps_per_call == pass_steps(plan.inference_steps, 0.35) == 2
    assert plan.calls == 2 * -(-len(plan.tiles) // 4)
    for (x0, y0), (x1, y1) in zip(plan.tiles, plan.tiles[1:], strict=False):  # neighbours: one pair fewer
        if y0 == y1:
            assert x0 + plan.tile[0] - x1 >= plan.overlap  # neighbours overlap by at least the feather
    small = plan_detail((144, 112), (300, 233), 128, 20, 1)
    assert small is not None and small.size == (304, 232)  # shown at ~2×: refined at the photo's size


def test_refine_steps_are_few_and_exact() -> None:
    for steps in (1, 4, 10, 25, 50, 100):
        assert pass_steps(refine_inference_steps(steps), 0.35) == refine_steps(steps) >= 2


def test_tiles_with_nothing_painted_are_skipped() -> None:
    mask = Image.new("L", (144, 112), 0)
    mask.paste(255, (0, 0, 40, 30))
    plan = plan_detail((144, 112), (900, 700), 128, 20, 1, mask)
    assert plan is not None and 0 < len(plan.tiles) < 20


def test_blend_tiles_shows_no_seam() -> None:
    """Tiles that each add their own brightness offset blend into a smooth field: no step at tile edges."""
    plan = plan_detail((144, 112), (900, 700), 128, 20, 1)
    assert plan is not None
    base = Image.new("RGB", plan.size, (128, 128, 128))
    rng = np.random.default_rng(0)
    tiles = [Image.new("RGB", plan.tile, tuple([int(v)] * 3)) for v in rng.integers(60, 200, len(plan.tiles))]
    out = np.asarray(blend_tiles(base, tiles, plan), np.float32)[..., 0]
    step = np.abs(np.diff(out, axis=1)).max()
    assert step < 0.25 * 140  # a hard seam would jump by up to 140 in one pixel
    w = tile_weight(plan.tile, plan.overlap, (0, 0), plan.size)
    assert w[0, 0] > 0.99 and w[0, -1] < 0.05 and w[-1, 0] < 0.05  # canvas edges full weight, inner edges fade


def test_detail_pass_covers_the_crop_without_seams_and_counts_both_passes(models: Models) -> None:
    req = request(encode(brick_wall(*BIG)), region=BIG_BOX, detail="high", steps=4)
    job = pl.check_inputs(req)
    photo = img.load_photo(req.photo, None, 10**9, 10**9)
    plan = pl.prepare_job(models, job, photo, pl.region_mask(models, req, photo), None)
    assert plan.detail == "high" and plan.refine is not None and covered(plan.refine).all()
    assert job.total_steps == 4 + plan.refine.total_steps
    prompt = build_prompt(req.theme, req.prompt, models.pipe.tokenizer, models.translator)
    reports: list[pl.StepReport] = []
    painted = pl.paint(models, job, prompt, plan, reports.append)
    refined = pl.refine(models, job, prompt, plan, painted, reports.append)
    assert [r.step for r in reports] == list(range(1, job.total_steps + 1))
    assert {r.total for r in reports} == {job.total_steps} and job.steps_done == job.total_steps
    assert refined[0].size == plan.refine.size
    lum = np.asarray(refined[0], np.float32).mean(axis=2)
    gx = np.abs(np.diff(lum, axis=1))
    edges = sorted({e for x, _ in plan.refine.tiles for e in (x, x + plan.refine.tile[0])} - {0, plan.refine.size[0]})
    assert gx[:, [e - 1 for e in edges]].mean() <= 1.1 * gx.mean()  # tile boundaries: no sharper than inside
    assert (
        np.abs(np.asarray(refined[0], np.float32) - np.asarray(painted[0].resize(plan.refine.size), np.float32)).mean()
        > 2
    )  # it did refine


async def test_detail_high_end_to_end(painter: Painter) -> None:
    seen: list[PaintProgress] = []

    async def on_progress(p: PaintProgress) -> None:
        seen.append(p)

    result = await painter.paint(request(encode(brick_wall(*BIG)), region=BIG_BOX, detail="high", steps=4), on_progress)
    assert result.detail == "high" and result.steps_done > 4
    assert seen[-1].step == seen[-1].total == result.steps_done
    standard = await painter.paint(request(encode(brick_wall(*BIG)), region=BIG_BOX, steps=4))
    assert standard.detail == "standard" and standard.steps_done == 4  # the CPU's default
    assert decode(result.images[0]).size == BIG


@pytest.mark.parametrize(
    "options",
    [
        {"steps": 30},  # the first pass
        {"steps": 8, "detail": "high", "stop_after": 9},  # the detail pass (8 steps first)
        {"steps": 30, "guide": "lines"},  # the ControlNet pass
        {"steps": 30, "region": Region(mode="quad", points=[[60, 50], [840, 70], [830, 600], [70, 620]])},
    ],
)
async def test_cancel_stops_within_one_step_in_every_pass(painter: Painter, options: dict[str, object]) -> None:
    options = dict(options)
    stop_after = int(options.pop("stop_after", 3))  # type: ignore[arg-type]
    options.setdefault("region", BIG_BOX)
    req = request(encode(brick_wall(*BIG)), **options)
    seen: list[int] = []

    async def on_progress(p: PaintProgress) -> None:
        seen.append(p.step)
        if p.step == stop_after:
            assert p.total > stop_after
            painter.cancel(req.job_id)

    with pytest.raises(PaintError) as err:
        await painter.paint(req, on_progress)
    assert err.value.code == "canceled"
    assert stop_after in seen and max(seen) <= stop_after + 2  # the thread may be one step ahead of the loop
