"""The loop: loss goes down, logs and curve, checkpoints pruned, resume equals a straight run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from lora_training import train
from lora_training.__main__ import main as cli
from lora_training.checkpoint import STATE_NAME, list_checkpoints
from lora_training.config import Config
from lora_training.metrics import read_log


def test_loss_goes_down_over_30_steps(trained_run: train.TrainResult) -> None:
    losses = trained_run.losses
    assert len(losses) == 30
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.8 * first, f"mean loss {first:.3f} → {last:.3f}"


def test_csv_log_and_loss_curve(trained_run: train.TrainResult) -> None:
    rows = read_log(trained_run.output_dir / "loss.csv")
    assert [r["step"] for r in rows] == list(range(1, 31))
    assert [round(r["loss"], 4) for r in rows] == [round(x, 4) for x in trained_run.losses]
    assert all(r["lr"] == pytest.approx(1e-2) for r in rows)
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    with Image.open(trained_run.output_dir / "loss.png") as png:
        assert png.format == "PNG" and png.size == (800, 450)


def test_only_the_last_k_checkpoints_are_kept(trained_run: train.TrainResult) -> None:
    kept = [p.name for _, p in list_checkpoints(trained_run.output_dir)]
    assert kept == ["checkpoint-20", "checkpoint-30"]
    assert not list(trained_run.output_dir.glob(".checkpoint-*"))
    assert trained_run.lora_file.is_file()


RESUME_SECTIONS = {
    # accumulation, warmup + cosine, dropout and no cache: every piece of state a resume must carry
    "optim": 'learning_rate = 5e-3\nbatch_size = 2\ngradient_accumulation = 2\nscheduler = "cosine"\nwarmup_steps = 2',
    "lora": 'rank = 4\nalpha = 8\ndropout = 0.1\ntarget_modules = ["to_q", "to_k", "to_v", "to_out.0", "conv1"]',
    "checkpoints": "every_steps = 5\nkeep_last = 5",
}


def test_resume_continues_the_same_run(make_config: Callable[..., Config]) -> None:
    straight = train.main(
        make_config("straight", train="max_steps = 10\ncache = false", **RESUME_SECTIONS), progress=False
    )

    first = make_config("resumed", train="max_steps = 10\ncache = false", **RESUME_SECTIONS)
    train.main(first, progress=False, stop_at=5)  # as if stopped after step 5 of the same run
    log_after_first = read_log(first.output_path / "loss.csv")
    assert [r["step"] for r in log_after_first] == [1, 2, 3, 4, 5]
    second = make_config("resumed", train='max_steps = 10\ncache = false\nresume = "latest"', **RESUME_SECTIONS)
    resumed = train.main(second, progress=False)

    assert resumed.step == 10 and len(resumed.losses) == 5  # only steps 6–10 ran
    rows = read_log(second.output_path / "loss.csv")
    assert [r["step"] for r in rows] == list(range(1, 11))
    assert rows[:5] == log_after_first
    assert rows[5]["time"] >= rows[4]["time"]
    straight_rows = read_log(straight.output_dir / "loss.csv")
    assert [r["loss"] for r in rows] == pytest.approx([r["loss"] for r in straight_rows], abs=1e-4)
    assert [r["lr"] for r in rows] == pytest.approx([r["lr"] for r in straight_rows])

    a, b = load_file(straight.lora_file), load_file(resumed.lora_file)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-6)
    sa = torch.load(straight.output_dir / "checkpoint-10" / STATE_NAME, weights_only=True)
    sb = torch.load(resumed.output_dir / "checkpoint-10" / STATE_NAME, weights_only=True)
    assert sa["lr_scheduler"] == sb["lr_scheduler"]
    for pa, pb in zip(sa["optimizer"]["state"].values(), sb["optimizer"]["state"].values(), strict=True):
        assert pa["step"] == pb["step"] == 10
        torch.testing.assert_close(pa["exp_avg_sq"], pb["exp_avg_sq"], rtol=1e-4, atol=1e-10)


def test_resume_refuses_another_lora_shape_and_fresh_runs_over_old_ones(make_config: Callable[..., Config]) -> None:
    train.main(make_config("shape", train="max_steps = 2"), progress=False)
    with pytest.raises(ValueError, match='already has checkpoints: set train.resume = "latest"'):
        train.main(make_config("shape", train="max_steps = 4"), progress=False)
    other = make_config("shape", train='max_steps = 4\nresume = "latest"', lora="rank = 8\nalpha = 8")
    with pytest.raises(ValueError, match="was trained with lora"):
        train.main(other, progress=False)


def test_live_inputs_checkpointing_and_validation(make_config: Callable[..., Config]) -> None:
    """No cache, gradient checkpointing, min-SNR and validation images every 2 steps plus the final pass."""
    config = make_config(
        "val",
        train="max_steps = 3\ncache = false\ngradient_checkpointing = true\nsnr_gamma = 5.0\ncaption_dropout = 0.5",
        validation='every_steps = 2\nprompts = ["sdmural ocean mural, a whale", "a boat"]\nnum_inference_steps = 2',
        checkpoints="every_steps = 0\nkeep_last = 1",
    )
    result = train.main(config, progress=False)
    out = config.output_path
    assert sorted(p.name for p in (out / "validation").iterdir()) == ["step-2", "step-3-final"]
    for folder in ("step-2", "step-3-final"):
        images = sorted((out / "validation" / folder).glob("*.png"))
        assert [p.name for p in images] == ["00.png", "01.png"]
        assert Image.open(images[0]).size == (64, 64)
    assert [p.name for _, p in list_checkpoints(out)] == ["checkpoint-3"]
    assert all(torch.isfinite(torch.tensor(result.losses)))
    up = [t for k, t in load_file(result.lora_file).items() if ".lora_B." in k]
    assert up and all(t.abs().sum() > 0 for t in up)  # B starts at zero: gradients reached every layer


def test_epochs_set_the_length(make_config: Callable[..., Config]) -> None:
    # 6 photos in one bucket, batch 4 → 2 batches per epoch; accumulation 2 → 1 step per epoch
    config = make_config("epochs", train="epochs = 3", optim="batch_size = 4\ngradient_accumulation = 2")
    result = train.main(config, progress=False)
    assert result.step == 3 and result.samples == 3 * 2 * 4


def test_interrupt_saves_a_checkpoint(make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch) -> None:
    real_step = train._optimizer_step
    calls = {"n": 0}

    def flaky(*args, **kwargs):  # Ctrl-C during the third step
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_step(*args, **kwargs)

    monkeypatch.setattr(train, "_optimizer_step", flaky)
    config = make_config("interrupted", train="max_steps = 10", checkpoints="every_steps = 0\nkeep_last = 2")
    with pytest.raises(KeyboardInterrupt):
        train.main(config, progress=False)
    assert [p.name for _, p in list_checkpoints(config.output_path)] == ["checkpoint-2"]


def test_cli_run(tiny_model: Path, manifest_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .conftest import config_text

    path = tmp_path / "cfg.toml"
    path.write_text(config_text(tiny_model, manifest_file, Path("out"), train="max_steps = 2"))
    assert cli(["run", str(path), "--no-progress"]) == 0
    assert "step 2:" in capsys.readouterr().out
    assert (tmp_path / "out" / "pytorch_lora_weights.safetensors").is_file()  # relative to the config file


def test_bf16_mixed_precision_keeps_lora_weights_fp32(make_config: Callable[..., Config]) -> None:
    config = make_config("bf16", train='max_steps = 2\nmixed_precision = "bf16"')
    result = train.main(config, progress=False)
    assert all(torch.isfinite(torch.tensor(result.losses)))
    assert {t.dtype for t in load_file(result.lora_file).values()} == {torch.float32}
