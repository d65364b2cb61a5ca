"""The content filter (issue 17, finding 13): every painted result gets the safety checker's verdict; the tiny
checker flags mostly-red images, so both verdicts can be seen offline."""

from __future__ import annotations

from pathlib import Path

import msgspec

from app.actors.painter import Painter, Region, tiny_config
from app.actors.painter.tiny import make_red_photo, make_wall_photo
from tests.actors.painter.helpers import encode, request

BOX = Region(mode="box", box=[10, 10, 64, 64])


async def test_a_mostly_red_result_is_flagged_and_a_wall_is_clean(painter: Painter) -> None:
    flagged = await painter.paint(request(encode(make_red_photo()), region=BOX, variations=2, steps=2))
    assert flagged.safety == ["flagged", "flagged"]
    clean = await painter.paint(request(encode(make_wall_photo(160, 120)), region=BOX, steps=2))
    assert clean.safety == ["clean"]


async def test_the_verdict_does_not_alter_the_images(painter: Painter) -> None:
    """diffusers' checker blacks out what it flags; our results stay as painted (the owner keeps them)."""
    result = await painter.paint(request(encode(make_red_photo()), region=BOX, steps=2))
    assert result.safety == ["flagged"]
    import io

    from PIL import Image

    pixels = Image.open(io.BytesIO(result.images[0])).convert("RGB")
    assert pixels.getpixel((100, 100)) == (230, 20, 20)  # outside the box: the photo, not a black image


async def test_without_a_checker_results_are_unchecked(tiny_dir: Path) -> None:
    config = msgspec.structs.replace(tiny_config(tiny_dir), safety_model=str(tiny_dir / "no-such-checker"))
    painter = Painter(config)
    await painter.start()
    try:
        result = await painter.paint(request(encode(make_wall_photo(160, 120)), region=BOX, steps=2))
    finally:
        await painter.close()
    assert result.safety == ["unchecked"]


def test_the_tiny_set_gains_the_checker_in_place(tmp_path: Path, tiny_dir: Path) -> None:
    """A tiny folder made before the checker existed gets it added without a rebuild."""
    import shutil

    from app.actors.painter.tiny import make_tiny

    old = tmp_path / "tiny"
    shutil.copytree(tiny_dir, old)
    shutil.rmtree(old / "safety")
    untouched = (old / "inpaint" / "model_index.json").stat().st_mtime_ns
    make_tiny(old)
    assert (old / "safety" / "config.json").is_file() and (old / "safety" / "preprocessor_config.json").is_file()
    assert (old / "inpaint" / "model_index.json").stat().st_mtime_ns == untouched
