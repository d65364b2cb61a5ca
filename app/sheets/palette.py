"""Published paint palettes shipped as data, and nearest-colour matching by CIEDE2000.

A reduced colour is only useful to a painter when it names a paint that can be bought: every colour of a
sheet is a colour of the palette, matched by ΔE2000 (scikit-image's implementation, not a hand-written one).
The palette's Lab values for matching come from its sRGB values through the same conversion as the
mural's pixels, so "nearest" compares like with like.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from skimage.color import deltaE_ciede2000, rgb2lab

DATA_DIR = Path(__file__).resolve().parent / "data"
# wall paint: solid colours only (pearl and luminous RAL colours are effect coatings, not wall paint)
WALL_KINDS = ("standard",)


@dataclass(frozen=True, slots=True)
class PaintColor:
    code: str  # "RAL 3020"
    name: str  # "Traffic red"
    hex: str  # "#C1121C"
    kind: str  # standard | pearl | luminous

    @property
    def rgb(self) -> tuple[int, int, int]:
        value = int(self.hex[1:], 16)
        return value >> 16, (value >> 8) & 0xFF, value & 0xFF

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class Palette:
    name: str
    source: str
    colors: tuple[PaintColor, ...]
    lab: np.ndarray  # (n, 3) CIELAB (D65) of each colour's sRGB

    def nearest(self, lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest palette colour for each Lab row, and its ΔE2000."""
        lab = np.asarray(lab, dtype=np.float64).reshape(-1, 1, 3)
        distances = deltaE_ciede2000(lab, self.lab[None, :, :])  # (k, n)
        index = np.argmin(distances, axis=1)
        return index, distances[np.arange(len(index)), index]

    def find(self, code: str) -> PaintColor:
        for color in self.colors:
            if color.code == code:
                return color
        raise KeyError(code)


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65, 2°) of 8-bit sRGB values of any shape (..., 3): the one conversion the sheets use."""
    return rgb2lab(np.asarray(rgb, dtype=np.uint8).reshape(-1, 1, 3)).reshape(np.shape(rgb)[:-1] + (3,))


@functools.cache
def load_palette(name: str = "ral_classic", kinds: tuple[str, ...] = WALL_KINDS) -> Palette:
    """A palette from ``data/<name>.json``, keeping the colours of the given kinds."""
    doc = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    colors = tuple(
        PaintColor(code=c["code"], name=c["name"], hex=c["hex"].upper(), kind=c["kind"])
        for c in doc["colors"]
        if c["kind"] in kinds
    )
    if not colors:
        raise ValueError(f"palette {name!r} has no colours of kinds {kinds}")
    lab = srgb_to_lab(np.array([c.rgb for c in colors], dtype=np.uint8))
    return Palette(name=doc["palette"], source=doc["source"], colors=colors, lab=lab)
