"""Sheet shapes, exactly as api.md "The painter's sheet (v1.1)" names them (plus a few extra fields)."""

from __future__ import annotations

from typing import Annotated

import msgspec

MIN_COLORS, MAX_COLORS = 4, 24

Colors = Annotated[int, msgspec.Meta(ge=MIN_COLORS, le=MAX_COLORS, description=f"{MIN_COLORS}–{MAX_COLORS}")]
DEFAULT_COLORS = 12


class SheetRequest(msgspec.Struct, kw_only=True):
    result: Annotated[int, msgspec.Meta(ge=1, le=4, description="which result, 1-based")] = 1
    colors: Colors = DEFAULT_COLORS


class SheetColor(msgspec.Struct, kw_only=True):
    number: int  # the number written in the regions of this paint
    hex: str  # the paint's sRGB, "#RRGGBB"
    name: str  # the paint's name in its palette ("Traffic red")
    code: str  # its code ("RAL 3020")
    share: float  # part of the mural's area (all shares sum to 1 ± 0.01)
    area_m2: float | None  # with the task's wall_size_m, else null
    litres: float | None  # for ``coats`` coats at ``coverage_m2_per_l``, else null


class Sheet(msgspec.Struct, kw_only=True):
    result: int
    colors: list[SheetColor]
    width_m: float | None
    height_m: float | None
    image_url: str  # the PNG sheet (signed, expires)
    pdf_url: str  # the printable PDF (signed, expires)
    palette: str  # "RAL Classic"
    painted_m2: float | None
    coats: int
    coverage_m2_per_l: float
    colors_requested: int  # fewer paints come back when the mural needs fewer (near-identical ones merge)


class SheetMeta(msgspec.Struct, kw_only=True):
    """What is stored beside the PNG and PDF (``tasks/{id}/sheet-{result}-{colors}.json``), written last."""

    fingerprint: str  # the algorithm version and the settings it was made with: another one is made again
    result: int
    requested_colors: int
    colors: list[SheetColor]
    width_m: float | None
    height_m: float | None
    palette: str
    painted_m2: float | None
    coats: int
    coverage_m2_per_l: float
