"""Photo and request builders shared by the painter tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from app.actors.painter import PaintRequest, Region, ThemeStyle
from app.actors.painter.themes_default import default_theme


def encode(image: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def theme(slug: str = "ocean", lora: Path | str | None = None, weight: float = 0.8) -> ThemeStyle:
    data = default_theme(slug)
    return ThemeStyle(
        slug=slug,
        prompt_template=data["prompt_template"],
        negative_prompt=data["negative_prompt"],
        lora_path=str(lora) if lora else None,
        lora_weight=weight,
        default_steps=4,
    )


_counter = iter(range(1_000_000))


def request(photo: bytes, **kw: object) -> PaintRequest:
    fields: dict[str, object] = {
        "job_id": f"job-{next(_counter)}",
        "photo": photo,
        "region": Region(mode="auto"),
        "theme": theme(),
        "prompt": "a big blue whale",
        "seed": 7,
        "steps": 3,
    }
    fields.update(kw)
    return PaintRequest(**fields)  # type: ignore[arg-type]
