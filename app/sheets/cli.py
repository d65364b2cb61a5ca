"""``saekdam sheet RESULT.png --colors 12 [--wall-size 6,3] --out sheet.pdf``: a sheet without the server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.settings import get_settings
from app.sheets.schemas import MAX_COLORS, MIN_COLORS
from app.sheets.sheet import SheetInputError, make_sheet, options_from_settings


def _wall_size(text: str) -> tuple[float, float]:
    try:
        width, height = (float(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("give the wall size as WIDTH,HEIGHT in metres, e.g. 6,3") from None
    if not (0.3 <= width <= 200 and 0.3 <= height <= 200):
        raise argparse.ArgumentTypeError("each side must be between 0.3 and 200 m")
    return width, height


def _colors(text: str) -> int:
    value = int(text)
    if not MIN_COLORS <= value <= MAX_COLORS:
        raise argparse.ArgumentTypeError(f"between {MIN_COLORS} and {MAX_COLORS}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="saekdam sheet",
        description="Make a painter's sheet (paint-by-numbers in "
        "RAL paints, areas and litres) from a mural image, without the server.",
    )
    p.add_argument("image", type=Path, help="the mural: a flat artwork, or a result with --mask")
    p.add_argument("--colors", type=_colors, default=12, help=f"paints to use, {MIN_COLORS}–{MAX_COLORS} (12)")
    p.add_argument(
        "--wall-size",
        type=_wall_size,
        default=None,
        metavar="W,H",
        help="the mural's width and height in metres: areas, litres, a metric grid and 1:10 tiles",
    )
    p.add_argument("--mask", type=Path, default=None, help="only the white pixels of this mask are the mural")
    p.add_argument("--out", type=Path, required=True, help="the sheet: .pdf or .png")
    p.add_argument("--png", type=Path, default=None, help="also write the PNG sheet here")
    p.add_argument("--paper", choices=("A4", "A3"), default=None, help="PDF paper (landscape; default A4)")
    return p


def sheet_command(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.out.suffix.lower() not in (".pdf", ".png"):
        print("saekdam sheet: --out must end in .pdf or .png", file=sys.stderr)
        return 2
    settings = get_settings()
    try:
        files = make_sheet(
            args.image.read_bytes(),
            args.mask.read_bytes() if args.mask else None,
            options_from_settings(settings, args.colors, args.wall_size),
            paper=args.paper or settings.sheet_paper,
        )
    except (OSError, SheetInputError) as exc:
        print(f"saekdam sheet: {exc}", file=sys.stderr)
        return 1
    args.out.write_bytes(files.pdf if args.out.suffix.lower() == ".pdf" else files.png)
    if args.png:
        args.png.write_bytes(files.png)
    plan = files.plan
    for use in plan.uses:
        quantity = f"  {use.area_m2:7.2f} m²  {use.litres:6.2f} L" if use.area_m2 is not None else ""
        print(f"{use.number:3d}  {use.paint.hex}  {use.paint.label:34s} {use.share * 100:5.1f} %{quantity}")
    if plan.painted_m2 is not None:
        print(
            f"painted {plan.painted_m2:.2f} m², {sum(u.litres or 0 for u in plan.uses):.2f} L in all "
            f"({plan.coats} coats at {plan.coverage_m2_per_l:g} m²/L)"
        )
    print(f"wrote {args.out}" + (f" and {args.png}" if args.png else ""))
    return 0
