"""The finished files: PNG and PDF from image bytes, deterministic, printable, with their legend."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.sheets.palette import DATA_DIR, load_palette
from app.sheets.plan import SheetOptions
from app.sheets.sheet import SheetInputError, make_sheet, mural_pixels
from tests.sheets.helpers import PATCHES, blobs, patch_mural, png

POPPLER = "install poppler-utils (make install-test does): the PDF tests render with pdftoppm and read with pdftotext"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: {POPPLER}", pytrace=False)
    return path


def test_same_inputs_give_byte_identical_files() -> None:
    data = png(blobs())
    options = SheetOptions(colors=12, wall_size_m=(3.0, 1.5))
    first, second = make_sheet(data, None, options), make_sheet(data, None, options)
    assert first.png == second.png
    assert first.pdf == second.pdf
    other = make_sheet(data, None, SheetOptions(colors=6, wall_size_m=(3.0, 1.5)))
    assert other.png != first.png


def test_png_shows_the_plate_and_the_legend_chips() -> None:
    files = make_sheet(png(patch_mural()), None, SheetOptions(colors=5, wall_size_m=(2.0, 1.0)))
    image = np.asarray(Image.open(io.BytesIO(files.png)).convert("RGB"))
    assert image.shape[1] >= 1400 and image.shape[0] > 600
    colours = {tuple(c) for c in image.reshape(-1, 3)[::7]}
    for use in files.plan.uses:  # every paint appears as a solid chip in the legend
        assert use.paint.rgb in colours, use.paint.code


def _pdf_pages(path: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_pdf_renders_and_has_the_legend(tmp_path: Path) -> None:
    files = make_sheet(png(patch_mural()), None, SheetOptions(colors=5, wall_size_m=(1.6, 0.8)))
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(files.pdf)
    assert _pdf_pages(pdf) == 1  # 1.6 m fits the A4 page at 1:10: no tiles
    subprocess.run([_tool("pdftoppm"), "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    page = np.asarray(Image.open(pages[0]).convert("RGB"))
    assert page.shape[1] > page.shape[0]  # landscape
    assert (page < 250).any(axis=2).mean() > 0.05  # something is drawn
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Legend" in text and "scale 1:10" in text
    for code, _ in PATCHES:
        assert code in text
    for use in files.plan.uses:
        assert f"{use.litres:.2f} L" in text


def test_large_walls_get_one_page_per_metre_tile_at_1_to_10(tmp_path: Path) -> None:
    files = make_sheet(png(blobs(600, 200)), None, SheetOptions(colors=8, wall_size_m=(3.0, 1.0)))
    pdf = tmp_path / "wall.pdf"
    pdf.write_bytes(files.pdf)
    assert _pdf_pages(pdf) == 1 + 3  # overview + 3 tiles of 1 m × 1 m
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert "Tile A3" in pages[3] and "scale 1:10" in pages[3]
    assert all("Legend" in p for p in pages[:4])  # the legend on every page
    assert len(files.pdf) < 3 * 2**20


def test_without_a_wall_size_there_are_shares_only(tmp_path: Path) -> None:
    files = make_sheet(png(blobs()), None, SheetOptions(colors=8))
    assert all(u.area_m2 is None for u in files.plan.uses)
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(files.pdf)
    assert _pdf_pages(pdf) == 1
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Wall size unknown" in text and "Legend" in text


def test_mural_pixels_crop_to_the_mask_and_honour_transparency() -> None:
    image = blobs(200, 100)
    mask = np.zeros((100, 200), dtype=np.uint8)
    mask[20:60, 50:150] = 255
    rgb, valid = mural_pixels(png(image), png(mask))
    assert rgb.shape == (40, 100, 3) and valid.all()
    assert np.array_equal(rgb, image[20:60, 50:150])
    # a mask of another size is scaled to the image
    rgb, valid = mural_pixels(png(image), png(np.kron(mask, np.ones((2, 2), dtype=np.uint8))))
    assert rgb.shape == (40, 100, 3)
    rgba = np.dstack([image, np.where(np.arange(200) < 120, 255, 0).astype(np.uint8)[None, :].repeat(100, 0)])
    rgb, valid = mural_pixels(png(rgba))
    assert rgb.shape == (100, 120, 3) and valid.all()
    with pytest.raises(SheetInputError):
        mural_pixels(b"not an image")
    with pytest.raises(SheetInputError):
        mural_pixels(png(image), png(np.zeros((100, 200), dtype=np.uint8)))


@pytest.mark.filterwarnings("ignore:.*Matplotlib")
def test_the_shipped_palette_matches_its_source() -> None:
    """RAL Classic: 213 colours, each sRGB value reproduces its published CIELAB (D50) value."""
    import sys

    before = set(sys.modules)
    import colour

    # colour-science puts MagicMock stand-ins for missing optional packages (matplotlib) into sys.modules,
    # which later breaks diffusers' find_spec checks in the same test session: take them out again
    for name in set(sys.modules) - before:
        if type(sys.modules[name]).__name__ == "MagicMock":
            del sys.modules[name]

    doc = json.loads((DATA_DIR / "ral_classic.json").read_text(encoding="utf-8"))
    assert doc["count"] == len(doc["colors"]) == 213 and "wikipedia" in doc["source"].lower()
    d50 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D50"]
    codes = [c["code"] for c in doc["colors"]]
    assert sum(not c["in_srgb"] for c in doc["colors"]) < 40
    assert len(set(codes)) == 213 and "RAL 3020" in codes and "RAL 9016" in codes
    for c in doc["colors"]:
        if not c["in_srgb"]:
            continue  # more saturated than sRGB (fluorescent, some yellows and oranges): the hex is clipped
        rgb = np.array([int(c["hex"][i : i + 2], 16) for i in (1, 3, 5)]) / 255
        xyz = colour.sRGB_to_XYZ(rgb, illuminant=d50, chromatic_adaptation_transform="Bradford")
        lab = colour.XYZ_to_Lab(xyz, illuminant=d50)
        assert colour.delta_E(lab, np.array(c["lab_d50"]), method="CIE 2000") < 1.5, c["code"]
    assert len(load_palette().colors) == 213 - 15 - 6  # wall paints: no pearl, no luminous
