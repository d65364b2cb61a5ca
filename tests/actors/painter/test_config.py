"""Resolving settings to models: tiny, auto (local folders win, else tiny) and real."""

from __future__ import annotations

import pickle
from pathlib import Path

from app.actors.painter import PaintError, painter_config_from_settings
from app.core.settings import load_settings


def settings(tiny_dir: Path, **env: str) -> object:
    base = {"SAEKDAM_MODELS_DIR": str(tiny_dir.parent), "SAEKDAM_SECRET_KEY": "test-secret-key-of-at-least-32-bytes"}
    return load_settings({**base, **env}, dotenv=None)


def test_tiny_and_auto_without_real_models(tiny_dir: Path) -> None:
    for mode in ("tiny", "auto"):
        config = painter_config_from_settings(
            settings(tiny_dir, SAEKDAM_MODELS=mode, SAEKDAM_INPAINT_MODEL="nobody/not-here")
        )
        assert config.tiny and config.inpaint_model == str(tiny_dir / "inpaint")
        assert config.lcm_lora == str(tiny_dir / "lcm") and config.translate_model == str(tiny_dir / "translator")


def test_auto_uses_local_real_folders(tiny_dir: Path) -> None:
    config = painter_config_from_settings(
        settings(
            tiny_dir,
            SAEKDAM_MODELS="auto",
            SAEKDAM_INPAINT_MODEL=str(tiny_dir / "inpaint"),
            SAEKDAM_SEGMENT_MODEL=str(tiny_dir / "segformer"),
            SAEKDAM_TRANSLATE_MODEL="nobody/missing",
            SAEKDAM_LCM_LORA="nobody/missing-lcm",
            SAEKDAM_PREVIEW_EVERY="3",
        )
    )
    assert not config.tiny and config.inpaint_model == str(tiny_dir / "inpaint")
    assert config.translate_model is None and config.lcm_lora is None  # optional models not on this machine
    assert config.preview_every == 3


def test_real_keeps_hub_ids(tiny_dir: Path) -> None:
    config = painter_config_from_settings(settings(tiny_dir, SAEKDAM_MODELS="real"))
    assert not config.tiny and config.inpaint_model == "stable-diffusion-v1-5/stable-diffusion-inpainting"
    assert config.segment_model == "nvidia/segformer-b0-finetuned-ade-512-512"


def test_paint_error_pickles_for_workers() -> None:
    error = pickle.loads(pickle.dumps(PaintError("no_wall_found", "none", width=3)))
    assert (error.code, error.message, error.params) == ("no_wall_found", "none", {"width": 3})
