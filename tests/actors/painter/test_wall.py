"""Painting on the wall: blend "wall" vs "cover", keep-outs in every region mode, quads and their artworks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.actors.painter import Painter, PaintError, Region
from app.actors.painter.blend import brightness_ratio, highpass_correlation
from app.actors.painter.compose import MAX_GROW, compose, mural_patch, prepare_region, wall_shading
from app.actors.painter.geometry import fit_quad, order_corners, side_lengths
from app.actors.painter.image import box_mask, check_region, quad_mask, quad_problem
from app.actors.painter.schemas import PhotoInfo
from app.actors.painter.tiny import make_window_wall_photo, window_box
from tests.actors.painter.helpers import decode, encode, request
from tests.actors.painter.walls import brick_wall, far_from, halves, mural

W, H = 256, 192
BOX = [16, 16, 224, 160]


def _region() -> np.ndarray:
    x, y, w, h = BOX
    out = np.zeros((H, W), bool)
    out[y : y + h, x : x + w] = True
    return out


# ---------------------------------------------------------------- blend, the stage alone


@pytest.mark.parametrize("shadow", [0.4, 0.65])
def test_blend_stage_keeps_the_walls_light_and_texture(shadow: float) -> None:
    photo = brick_wall(W, H, shadow)
    mask = box_mask(BOX, W, H)
    prepared = prepare_region(photo, mask, 128)
    painted = mural(*prepared.plan.model_size)
    patch = mural_patch(painted, prepared)
    region = _region()
    dark, lit = halves(W, H, region)
    wall = np.asarray(compose(photo, patch, prepared, blend="wall", shading=wall_shading(prepared)))
    cover = np.asarray(compose(photo, patch, prepared, blend="cover"))
    assert abs(brightness_ratio(wall, dark, lit) - shadow) <= 0.15
    assert highpass_correlation(np.asarray(photo), wall, region) >= 0.3
    # cover is the model's pixels: its ratio is the mural's own (≈ 1), not the wall's
    mural_ratio = brightness_ratio(cover, dark, lit)
    assert (
        abs(mural_ratio - brightness_ratio(np.asarray(mural_patch(painted, prepared).resize((W, H))), dark, lit)) < 0.2
    )
    assert abs(mural_ratio - shadow) > 0.2
    assert highpass_correlation(np.asarray(photo), cover, region) < 0.2


def test_blend_leaves_everything_outside_the_grown_region() -> None:
    photo = brick_wall(W, H)
    mask = box_mask([60, 50, 90, 70], W, H)
    prepared = prepare_region(photo, mask, 128)
    out = compose(photo, mural_patch(mural(*prepared.plan.model_size), prepared), prepared, blend="wall")
    keep = far_from(np.asarray(mask) > 0, MAX_GROW)
    assert np.array_equal(np.asarray(photo)[keep], np.asarray(out)[keep])


# ---------------------------------------------------------------- blend, end to end on the tiny models


async def test_wall_vs_cover_on_the_tiny_models(painter: Painter) -> None:
    shadow = 0.5
    photo = brick_wall(W, H, shadow)
    region = _region()
    dark, lit = halves(W, H, region)
    wall = await painter.paint(request(encode(photo), region=Region(mode="box", box=BOX), blend="wall", steps=3))
    cover = await painter.paint(request(encode(photo), region=Region(mode="box", box=BOX), blend="cover", steps=3))
    w, c = np.asarray(decode(wall.images[0])), np.asarray(decode(cover.images[0]))
    assert wall.blend == "wall" and cover.blend == "cover"
    assert abs(brightness_ratio(w, dark, lit) - shadow) <= 0.15
    assert highpass_correlation(np.asarray(photo), w, region) >= 0.3
    assert abs(brightness_ratio(c, dark, lit) - shadow) > 0.15  # the model's ratio, not the wall's
    assert highpass_correlation(np.asarray(photo), c, region) < 0.3


# ---------------------------------------------------------------- keep-outs

PW, PH = 640, 480


def _window() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    return np.asarray(make_window_wall_photo(PW, PH)), window_box(PW, PH)


@pytest.mark.parametrize(
    "region",
    [
        Region(mode="auto"),
        Region(mode="box", box=[80, 50, 480, 270]),
        Region(mode="quad", points=[[80, 50], [560, 60], [555, 320], [85, 330]]),
    ],
)
async def test_windows_stay_unpainted_with_protect(painter: Painter, region: Region) -> None:
    photo, (left, t, r, b) = _window()
    result = await painter.paint(request(encode(Image.fromarray(photo)), region=region, steps=2))
    out = np.asarray(decode(result.images[0]))
    painted = np.asarray(decode(result.mask_png).convert("L")) > 0
    assert not painted[t:b, left:r].any()  # the painted mask shows the window unpainted
    assert painted.mean() > 0.2
    core = far_from(painted, MAX_GROW)
    core[:t], core[b:], core[:, :left], core[:, r:] = False, False, False, False
    assert core.any() and np.array_equal(photo[core], out[core])
    inner = (slice(t + 4, b - 4), slice(left + 4, r - 4))  # stronger: alpha is zero on keep-outs
    assert np.array_equal(photo[inner], out[inner])
    wall = far_from(~painted, 8)  # and the wall around it is painted
    assert np.abs(photo[wall].astype(int) - out[wall]).mean() > 5


@pytest.mark.parametrize(
    "region",
    [
        Region(mode="auto"),
        Region(mode="box", box=[80, 50, 480, 270]),
        Region(mode="quad", points=[[80, 50], [560, 60], [555, 320], [85, 330]]),
    ],
)
async def test_windows_are_painted_without_protect(painter: Painter, region: Region) -> None:
    photo, (left, t, r, b) = _window()
    result = await painter.paint(request(encode(Image.fromarray(photo)), region=region, protect=False, steps=2))
    out = np.asarray(decode(result.images[0]))
    assert result.protect is False
    assert (np.asarray(decode(result.mask_png).convert("L"))[t:b, left:r] > 0).all()
    assert np.abs(photo[t:b, left:r].astype(int) - out[t:b, left:r]).mean() > 5


async def test_a_drawn_mask_is_taken_as_drawn(painter: Painter) -> None:
    photo, (left, t, r, b) = _window()
    mask = Image.new("L", (PW, PH), 0)
    mask.paste(255, (left - 30, t - 30, r + 30, b + 30))
    result = await painter.paint(
        request(encode(Image.fromarray(photo)), region=Region(mode="mask"), mask=encode(mask), steps=2)
    )
    out = np.asarray(decode(result.images[0]))
    assert np.abs(photo[t:b, left:r].astype(int) - out[t:b, left:r]).mean() > 5


# ---------------------------------------------------------------- quads

QUAD = [[40.0, 30.0], [230.0, 50.0], [220.0, 170.0], [50.0, 160.0]]


def test_quad_checks() -> None:
    info = PhotoInfo(256, 192, "png")
    check_region(Region(mode="quad", points=QUAD), info, None)
    for bad in (
        [[40, 30], [230, 50], [100, 80], [50, 160]],
        [[40, 30], [50, 160], [220, 170], [230, 50]],
        [[40, 30], [260, 50], [220, 170], [50, 160]],
        [[40, 30], [90, 30], [90, 90], [40, 90]],
        QUAD[:3],
    ):
        assert quad_problem(bad, 256, 192) is not None
        with pytest.raises(PaintError) as err:
            check_region(Region(mode="quad", points=bad), info, None)
        assert err.value.code == "invalid_region"


def test_corners_are_ordered_and_fitted() -> None:
    shuffled = np.array([QUAD[2], QUAD[0], QUAD[3], QUAD[1]])
    assert order_corners(shuffled).tolist() == QUAD
    mask = quad_mask(QUAD, 256, 192)
    fitted = fit_quad(encode(mask))
    assert fitted is not None
    assert np.abs(np.array(fitted) - np.array(QUAD)).max() <= 3


async def test_quad_is_identical_outside_and_its_artwork_has_the_promised_aspect(painter: Painter) -> None:
    photo = brick_wall(W, H)
    region = Region(mode="quad", points=QUAD)
    sized = await painter.paint(request(encode(photo), region=region, wall_size_m=[4.0, 2.0], variations=2, steps=2))
    assert len(sized.artworks) == 2
    art = decode(sized.artworks[0])
    assert art.format == "PNG" and abs(art.width / art.height - 2.0) <= 0.03 * 2.0 and max(art.size) >= 128
    out = np.asarray(decode(sized.images[0]))
    quad = np.asarray(quad_mask(QUAD, W, H)) > 0
    outside = far_from(quad, MAX_GROW)
    assert np.array_equal(np.asarray(photo)[outside], out[outside])
    inside = far_from(~quad, 4)
    assert np.abs(np.asarray(photo)[inside].astype(int) - out[inside]).mean() > 5

    free = await painter.paint(request(encode(photo), region=region, steps=2))
    art = decode(free.artworks[0])
    w, h = side_lengths(QUAD)
    assert abs(art.width / art.height - w / h) <= 0.1 * w / h and max(art.size) >= 128


async def test_other_modes_have_no_artworks(painter: Painter) -> None:
    result = await painter.paint(request(encode(brick_wall(W, H)), region=Region(mode="box", box=BOX), steps=2))
    assert result.artworks == []


async def test_quad_previews_are_in_perspective(tiny_dir: object) -> None:
    from app.actors.painter import Painter as P
    from app.actors.painter import PaintProgress, tiny_config

    painter = P(
        tiny_config(tiny_dir).__class__(
            **{
                **{f: getattr(tiny_config(tiny_dir), f) for f in tiny_config(tiny_dir).__struct_fields__},
                "preview_every": 1,
                "preview_interval_s": 0.0,
            }
        )
    )
    previews: list[bytes] = []

    async def on_progress(p: PaintProgress) -> None:
        if p.preview_jpeg:
            previews.append(p.preview_jpeg)

    try:
        await painter.paint(
            request(encode(brick_wall(W, H)), region=Region(mode="quad", points=QUAD), steps=3), on_progress
        )
    finally:
        await painter.close()
    assert previews
    thumb = np.asarray(decode(previews[0]).convert("RGB")).astype(int)
    photo = np.asarray(brick_wall(W, H).resize((thumb.shape[1], thumb.shape[0]))).astype(int)
    assert np.abs(thumb[4:12, 4:12] - photo[4:12, 4:12]).mean() < 12  # outside the quad: the photo
    assert np.abs(thumb[90:100, 120:130] - photo[90:100, 120:130]).mean() > 5  # inside: the painting
