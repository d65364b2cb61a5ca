"""The sheet's reduction: colours, shares, areas, the palette, small regions (pure module, no server)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000

from app.sheets.palette import load_palette, srgb_to_lab
from app.sheets.plan import SheetOptions, plan_sheet
from app.sheets.reduce import EmptyMural
from tests.sheets.helpers import PATCHES, blobs, patch_colors, patch_mural

PALETTE = load_palette()


def _all(image: np.ndarray) -> np.ndarray:
    return np.ones(image.shape[:2], dtype=bool)


@pytest.mark.parametrize("colors", [4, 8, 12, 24])
def test_shares_sum_to_one_and_colours_at_most_asked(colors: int) -> None:
    image = blobs()
    plan = plan_sheet(image, _all(image), SheetOptions(colors=colors), PALETTE)
    shares = [u.share for u in plan.uses]
    assert abs(sum(shares) - 1) <= 0.01
    assert 2 <= len(plan.uses) <= colors
    assert [u.number for u in plan.uses] == list(range(1, len(plan.uses) + 1))
    assert shares == sorted(shares, reverse=True)  # numbered by share
    assert all(u.area_m2 is None and u.litres is None for u in plan.uses)  # no wall size: shares only


def test_every_legend_colour_is_a_palette_colour() -> None:
    image = blobs(seed=11)
    plan = plan_sheet(image, _all(image), SheetOptions(colors=24), PALETTE)
    by_code = {c.code: c for c in PALETTE.colors}
    for use in plan.uses:
        assert by_code[use.paint.code] == use.paint  # same code, name and hex as the shipped palette
        assert use.paint.kind == "standard"  # wall paint: no pearl or luminous effect colours
    assert len({u.paint.code for u in plan.uses}) == len(plan.uses)


@pytest.mark.parametrize("colors", [len(PATCHES), 12])
def test_flat_patches_are_recovered(colors: int) -> None:
    image = patch_mural()
    plan = plan_sheet(image, _all(image), SheetOptions(colors=colors), PALETTE)
    assert len(plan.uses) == len(PATCHES)
    legend_lab = srgb_to_lab(np.array([u.paint.rgb for u in plan.uses], dtype=np.uint8))
    for (code, share), mean in zip(PATCHES, patch_colors(image), strict=True):
        patch_lab = srgb_to_lab(np.round(mean).astype(np.uint8))
        distances = deltaE_ciede2000(np.broadcast_to(patch_lab, legend_lab.shape), legend_lab)
        best = int(np.argmin(distances))
        assert distances[best] <= 3, (code, float(distances[best]))
        assert plan.uses[best].paint.code == code
        assert abs(plan.uses[best].share - share) <= 0.02, (code, plan.uses[best].share, share)


def test_area_sums_to_the_painted_area_of_the_wall() -> None:
    image = blobs()
    plan = plan_sheet(image, _all(image), SheetOptions(colors=12, wall_size_m=(6.0, 3.0)), PALETTE)
    assert abs(sum(u.area_m2 or 0 for u in plan.uses) - 18.0) <= 0.02 * 18.0
    for use in plan.uses:  # two coats at the default 10 m²/L a coat
        assert use.litres == pytest.approx(use.area_m2 * 2 / 10, abs=0.011)

    # a painted region (an ellipse inside its bounding box): only its pixels count
    h, w = image.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    ellipse = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2 <= 1
    plan = plan_sheet(image, ellipse, SheetOptions(colors=8, wall_size_m=(4.0, 2.0)), PALETTE)
    painted = ellipse.mean() * 8.0
    assert abs(sum(u.area_m2 or 0 for u in plan.uses) - painted) <= 0.02 * painted
    assert plan.painted_m2 == pytest.approx(painted, rel=0.02)


def test_coverage_and_coats_set_the_litres() -> None:
    image = patch_mural()
    plan = plan_sheet(
        image, _all(image), SheetOptions(colors=5, wall_size_m=(2, 1), coverage_m2_per_l=8, coats=3), PALETTE
    )
    first = plan.uses[0]
    assert first.area_m2 == pytest.approx(0.75, abs=0.02)
    assert first.litres == pytest.approx(first.area_m2 * 3 / 8, abs=0.011)


def _region_areas(plan) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.bincount(plan.regions.ids.ravel())[1:]


def test_regions_below_the_minimum_do_not_survive() -> None:
    image = patch_mural(noise=0)
    rng = np.random.default_rng(5)
    # specks: 3×3 dots of a far colour all over the red and blue bands
    for y, x in zip(rng.integers(5, 310, 60), rng.integers(5, 300, 60), strict=True):
        image[y : y + 3, x : x + 3] = (20, 20, 20)
    plan = plan_sheet(image, _all(image), SheetOptions(colors=8, min_region_px=150), PALETTE)
    areas = _region_areas(plan)
    assert areas.min() >= plan.min_region_px
    assert len(plan.uses) == len(PATCHES)  # the specks' colour is gone with them
    # with the wall size, the minimum is an area on the wall: 50 cm² at 640 px across 6.4 m = 1 cm a pixel
    plan = plan_sheet(image, _all(image), SheetOptions(colors=8, wall_size_m=(6.4, 3.2), min_region_cm2=50), PALETTE)
    assert plan.min_region_px == 50
    assert _region_areas(plan).min() >= 50

    busy = blobs()
    for minimum in (40, 400):
        plan = plan_sheet(busy, _all(busy), SheetOptions(colors=12, min_region_px=minimum), PALETTE)
        assert _region_areas(plan).min() >= plan.min_region_px


def test_numbers_sit_inside_their_regions() -> None:
    image = blobs()
    plan = plan_sheet(image, _all(image), SheetOptions(colors=12), PALETTE)
    assert {s.region for s in plan.spots} == set(range(1, plan.regions.count + 1))
    for spot in plan.spots:
        assert plan.regions.ids[round(spot.y), round(spot.x)] == spot.region


def test_same_input_same_plan_and_options_are_checked() -> None:
    image = blobs()
    a = plan_sheet(image, _all(image), SheetOptions(colors=12), PALETTE)
    b = plan_sheet(image.copy(), _all(image), SheetOptions(colors=12), PALETTE)
    assert np.array_equal(a.regions.ids, b.regions.ids) and a.uses == b.uses
    for bad in (SheetOptions(colors=3), SheetOptions(colors=25), SheetOptions(wall_size_m=(0, 2))):
        with pytest.raises(ValueError):
            plan_sheet(image, _all(image), bad, PALETTE)
    with pytest.raises(EmptyMural):
        plan_sheet(image, np.zeros(image.shape[:2], dtype=bool), SheetOptions(), PALETTE)
