"""``saekdam sheet``: a sheet from the command line, no server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.__main__ import main
from tests.sheets.helpers import patch_mural, png


def test_sheet_command_writes_pdf_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "result.png"
    image.write_bytes(png(patch_mural()))
    out, sheet_png = tmp_path / "sheet.pdf", tmp_path / "sheet.png"
    assert (
        main(["sheet", str(image), "--colors", "6", "--wall-size", "2,1", "--out", str(out), "--png", str(sheet_png)])
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF-")
    assert Image.open(io.BytesIO(sheet_png.read_bytes())).format == "PNG"
    printed = capsys.readouterr().out
    assert "RAL 3020 Traffic red" in printed and "painted 2.00 m²" in printed and " L" in printed


def test_sheet_command_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "result.png"
    image.write_bytes(png(patch_mural()))
    with pytest.raises(SystemExit):
        main(["sheet", str(image), "--colors", "30", "--out", str(tmp_path / "a.pdf")])
    assert "between 4 and 24" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sheet", str(image), "--wall-size", "6", "--out", str(tmp_path / "a.pdf")])
    assert main(["sheet", str(image), "--out", str(tmp_path / "a.txt")]) == 2
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    assert main(["sheet", str(bad), "--out", str(tmp_path / "a.pdf")]) == 1
    assert "not a readable image" in capsys.readouterr().err
    assert not (tmp_path / "a.pdf").exists()
