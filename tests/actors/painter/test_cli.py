"""``saekdam paint`` and ``saekdam models`` end to end on the session's tiny models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import app.core.settings as settings_module
from app.actors.painter.cli import models_command, paint_command
from app.actors.painter.tiny import make_wall_photo


@pytest.fixture
def tiny_settings(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "SAEKDAM_MODELS": "tiny",
        "SAEKDAM_MODELS_DIR": str(tiny_dir.parent),
        "SAEKDAM_SECRET_KEY": "test-secret-key-of-at-least-32-bytes",
    }
    settings = settings_module.load_settings(env, dotenv=None)
    assert settings.models_dir / "tiny" == tiny_dir
    monkeypatch.setattr(settings_module, "get_settings", lambda: settings)


def test_paint_command(tiny_settings: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = tmp_path / "wall.jpg"
    make_wall_photo(150, 110).save(photo, quality=95)
    out = tmp_path / "out" / "mural.png"
    code = paint_command(
        [
            "paint",
            str(photo),
            "--theme",
            "space",
            "--prompt",
            "rockets",
            "--steps",
            "2",
            "--seed",
            "5",
            "--variations",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr()
    assert str(out) in printed.out and "seed 5" in printed.err
    for path in (out, out.with_name("mural-2.png")):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (150, 110)


def test_paint_command_errors(tiny_settings: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = tmp_path / "wall.png"
    make_wall_photo(150, 110).save(photo)
    assert paint_command([str(photo), "--box", "100,0,64,64", "--out", str(tmp_path / "o.png")]) == 1
    assert "invalid_region" in capsys.readouterr().err
    assert paint_command([str(tmp_path / "missing.jpg"), "--out", str(tmp_path / "o.png")]) == 2


def test_models_make_tiny_is_idempotent(tiny_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert models_command(["models", "make-tiny", str(tiny_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(tiny_dir)


def test_models_pull_fails_clearly_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import huggingface_hub

    def offline(*args: Any, **kwargs: Any) -> None:
        raise OSError("Name or service not known")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    assert models_command(["pull", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "could not download stable-diffusion-v1-5/stable-diffusion-inpainting" in err and "make-tiny" in err


def test_paint_command_wall_options(tiny_settings: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = tmp_path / "wall.png"
    make_wall_photo(200, 150).save(photo)
    out = tmp_path / "quad.png"
    code = paint_command(
        [
            "paint",
            str(photo),
            "--quad",
            "30,20,180,25,175,110,35,105",
            "--wall-size",
            "3,1.5",
            "--blend",
            "cover",
            "--no-protect",
            "--detail",
            "standard",
            "--guide",
            "lines",
            "--steps",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr()
    assert "blend cover" in printed.err and "guide lines" in printed.err
    with Image.open(out.with_name("quad-artwork.png")) as art:
        assert abs(art.width / art.height - 2.0) <= 0.06
    with Image.open(out) as image:
        assert image.size == (200, 150)
    with pytest.raises(SystemExit):
        paint_command(["paint", str(photo), "--quad", "1,2,3", "--out", str(out)])
    assert paint_command(["paint", str(photo), "--quad", "30,20,40,20,40,30,30,30", "--out", str(out)]) == 1
    assert "invalid_region" in capsys.readouterr().err
