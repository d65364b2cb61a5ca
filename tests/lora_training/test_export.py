"""Export: the file loads with ``load_lora_weights``, keeps its alpha, changes the painting; kohya layout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open

from lora_training import train
from lora_training.__main__ import main as cli
from lora_training.export import ExportError, export_lora

KOHYA_KEY = re.compile(r"^lora_unet_[a-z0-9_]+\.(lora_down\.weight|lora_up\.weight|alpha)$")


@pytest.fixture(scope="module")
def pipe(tiny_model: Path):
    from diffusers import StableDiffusionInpaintPipeline

    pipeline = StableDiffusionInpaintPipeline.from_pretrained(str(tiny_model), safety_checker=None)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def paint(pipe) -> np.ndarray:
    image = Image.new("RGB", (64, 64), (230, 230, 230))
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (16, 16, 48, 48))
    out = pipe(
        "sdmural ocean mural, striped mural",
        image=image,
        mask_image=mask,
        height=64,
        width=64,
        num_inference_steps=3,
        generator=torch.Generator().manual_seed(0),
    ).images[0]
    return np.asarray(out, dtype=np.float32)


def test_export_loads_keeps_alpha_and_changes_output(trained_run: train.TrainResult, pipe, tmp_path: Path) -> None:
    out = export_lora(trained_run.output_dir, tmp_path / "ocean.safetensors")
    with safe_open(str(out), framework="pt") as f:
        meta = f.metadata()
    adapter = json.loads(meta["lora_adapter_metadata"])
    assert adapter["unet.lora_alpha"] == 8 and adapter["unet.r"] == 4  # the config's alpha, not the rank
    assert meta["saekdam_theme"] == "ocean" and meta["saekdam_trigger"] == "sdmural ocean mural"
    assert meta["saekdam_step"] == "30"

    base = paint(pipe)
    pipe.load_lora_weights(str(out), adapter_name="ocean")
    try:
        assert pipe.unet.peft_config["ocean"].lora_alpha == 8
        pipe.set_adapters(["ocean"], [1.0])
        with_lora = paint(pipe)
        pipe.set_adapters(["ocean"], [0.0])
        weight_zero = paint(pipe)
    finally:
        pipe.unload_lora_weights()
    assert np.abs(with_lora - base).mean() > 1.0
    np.testing.assert_allclose(weight_zero, base, atol=1.0)
    np.testing.assert_array_equal(paint(pipe), base)  # unloading restores the base model


def test_kohya_export_has_kohya_keys_and_paints_the_same(trained_run: train.TrainResult, pipe, tmp_path: Path) -> None:
    diffusers_file = export_lora(trained_run.output_dir, tmp_path / "d.safetensors")
    kohya_file = export_lora(trained_run.output_dir / "checkpoint-30", tmp_path / "k.safetensors", kohya=True)
    with safe_open(str(kohya_file), framework="pt") as f:
        keys = list(f.keys())
        alphas = {f.get_tensor(k).item() for k in keys if k.endswith(".alpha")}
        meta = f.metadata()
    assert keys and all(KOHYA_KEY.match(k) for k in keys), [k for k in keys if not KOHYA_KEY.match(k)][:3]
    assert "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight" in keys
    assert alphas == {8.0}
    assert meta["ss_network_dim"] == "4" and meta["ss_network_alpha"] == "8.0"

    pipe.load_lora_weights(str(diffusers_file), adapter_name="d")
    a = paint(pipe)
    pipe.unload_lora_weights()
    pipe.load_lora_weights(str(kohya_file), adapter_name="k")
    b = paint(pipe)
    pipe.unload_lora_weights()
    np.testing.assert_allclose(a, b, atol=1.0)  # diffusers reads kohya's .alpha: same strength


def test_export_sources_and_dtype(trained_run: train.TrainResult, tmp_path: Path) -> None:
    half = export_lora(trained_run.lora_file, tmp_path / "half.safetensors", dtype="fp16")
    with safe_open(str(half), framework="pt") as f:
        assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}  # noqa: SIM118  # safe_open has no __iter__
    with pytest.raises(ExportError, match="neither a run folder"):
        export_lora(tmp_path, tmp_path / "x.safetensors")
    with pytest.raises(ExportError, match="must end with .safetensors"):
        export_lora(trained_run.output_dir, tmp_path / "x.bin")


def test_cli_export(trained_run: train.TrainResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "k.safetensors"
    assert cli(["export", str(trained_run.output_dir), "--out", str(out), "--kohya"]) == 0
    assert "kohya layout" in capsys.readouterr().out and out.is_file()
    assert cli(["export", str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
