"""README's before/after: a synthetic shaded brick wall painted with blend "wall" and with "cover".

Run: ``.venv/bin/python docs/wall_demo.py [--out docs/img/wall-vs-cover.jpg]`` (``make wall-demo``). It paints
with the configured models (the real ones when ``saekdam models pull`` fetched them, else the tiny offline
ones, whose murals are noise — the light, shadow and brick joints kept by "wall" show all the same) and
writes one small JPEG: the photo, "wall", "cover", side by side, with the shadow ratio and texture
correlation measured in the painted region.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.actors.painter import Painter, PaintRequest, Region, painter_config_from_settings  # noqa: E402
from app.actors.painter.blend import brightness_ratio, highpass_correlation  # noqa: E402
from app.actors.painter.cli import theme_style  # noqa: E402
from app.core.settings import get_settings  # noqa: E402

W, H = 480, 360
BOX = [40, 40, 400, 280]


def shaded_brick_wall(shadow: float = 0.5) -> Image.Image:
    """Light bricks with mortar joints and grain, sunlit from the right; the left part in a cast shadow."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:H, 0:W]
    row = y // 18
    joint = ((y % 18) < 3) | (((x + (row % 2) * 20) % 40) < 3)
    base = np.empty((H, W, 3), np.float32)
    base[:] = (196, 120, 92)  # brick
    tint = rng.normal(1.0, 0.06, ((H // 18) + 1, (W // 40) + 2, 1)).astype(np.float32)
    base *= np.repeat(np.repeat(tint, 18, axis=0)[:H], 40, axis=1)[:, :W]
    base[joint] = (205, 200, 190)  # mortar
    base *= (1 + rng.normal(0, 0.04, (H, W, 1))).astype(np.float32)
    light = 0.85 + 0.25 * (x / W)  # a gentle gradient across the wall
    light = np.where(x < W // 2 - (y - H // 2) // 4, light * shadow, light)  # a slanted cast shadow
    return Image.fromarray(np.clip(base * light[..., None], 0, 255).astype(np.uint8), "RGB")


async def paint_both(photo: Image.Image) -> dict[str, Image.Image]:
    settings = get_settings()
    config = painter_config_from_settings(settings)
    tiny_dir = Path(config.inpaint_model).parent if config.tiny else None
    theme = theme_style("ocean", None, Path(settings.models_dir), tiny_dir)
    buf = io.BytesIO()
    photo.save(buf, "PNG")
    painter = Painter(config)
    out = {}
    try:
        for blend in ("wall", "cover"):
            request = PaintRequest(job_id=f"demo-{blend}", photo=buf.getvalue(), region=Region(mode="box", box=BOX),
                                   theme=theme, prompt="고래가 헤엄치는 바다", seed=11, steps=20, blend=blend)
            result = await painter.paint(request)
            out[blend] = Image.open(io.BytesIO(result.images[0])).convert("RGB")
    finally:
        await painter.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img/wall-vs-cover.jpg"))
    args = parser.parse_args(argv)
    photo = shaded_brick_wall()
    painted = asyncio.run(paint_both(photo))
    x, y, w, h = BOX
    region = np.zeros((H, W), bool)
    region[y : y + h, x : x + w] = True
    xs = np.arange(W)[None, :] - (W // 2 - (np.arange(H)[:, None] - H // 2) // 4)
    dark, lit = region & (xs < -20), region & (xs > 20)
    panels = [("photo", photo), ("blend: wall", painted["wall"]), ("blend: cover", painted["cover"])]
    sheet = Image.new("RGB", (3 * W + 40, H + 56), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (name, image) in enumerate(panels):
        arr = np.asarray(image)
        left = 10 + i * (W + 10)
        sheet.paste(image, (left, 10))
        note = name
        if i:
            note += (f": shadow ratio {brightness_ratio(arr, dark, lit):.2f} "
                     f"(wall {brightness_ratio(np.asarray(photo), dark, lit):.2f}), "
                     f"texture corr. {highpass_correlation(np.asarray(photo), arr, region):.2f}")
        draw.text((left, H + 20), note, fill="black")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, "JPEG", quality=85)
    print(args.out, f"{args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
