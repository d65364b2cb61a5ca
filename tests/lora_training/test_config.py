"""Config: the example parses; every bad value fails before training with the field named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lora_training import train
from lora_training.__main__ import main as cli
from lora_training.config import Config, ConfigError, load_config, parse_config
from lora_training.model import weight_dtype_for

EXAMPLE = Path(__file__).resolve().parents[2] / "lora_training" / "example.toml"
HEAD = 'pretrained_model = "m"\nmanifest = "data/manifest.json"\noutput_dir = "runs/x"\n'


def test_example_config_loads_with_paths_relative_to_it() -> None:
    config = load_config(EXAMPLE)
    assert config.pretrained_model == "stable-diffusion-v1-5/stable-diffusion-inpainting"
    assert Path(config.manifest) == EXAMPLE.parent / "data" / "ocean" / "manifest.json"
    assert config.lora.rank == 16 and config.lora.alpha == 16
    assert config.train.resume == "latest" and config.optim.scheduler == "cosine"


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = parse_config(HEAD + "[train]\nepochs = 3\n", base_dir=tmp_path)
    assert config.manifest == str(tmp_path / "data" / "manifest.json")
    assert config.pretrained_model == "m"  # no such folder: a hub id
    assert config.lora.target_modules == ["to_q", "to_k", "to_v", "to_out.0"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[train]\nmax_steps = 0\n", r"train\.max_steps: Expected `int` >= 1"),
        ("[train]\nmax_steps = 5\n[lora]\nrank = 0\n", r"lora\.rank: Expected `int` >= 1"),
        ("[train]\nmax_steps = 5\n[lora]\nalpha = -1\n", r"lora\.alpha: Expected `float` > 0"),
        (
            "[train]\nmax_steps = 5\n[lora]\ntarget_modules = []\n",
            r"lora\.target_modules: Expected `array` of length >= 1",
        ),
        ('[train]\nmax_steps = 5\nmixed_precision = "fp8"\n', r"train\.mixed_precision: Invalid enum value 'fp8'"),
        ('[train]\nmax_steps = 5\n[optim]\nscheduler = "step"\n', r"optim\.scheduler: Invalid enum value 'step'"),
        (
            '[train]\nmax_steps = 5\n[optim]\nlearning_rate = "fast"\n',
            r"optim\.learning_rate: Expected `float`, got `str`",
        ),
        ("[train]\nmax_steps = 5\n[optim]\nlearning_rte = 1e-4\n", r"optim: unknown setting `learning_rte`"),
        ("[train]\nmax_steps = 5\ncaption_dropout = 1.5\n", r"train\.caption_dropout: Expected `float` < 1\.0"),
        ("[train]\nmax_steps = 5\nepochs = 2\n", "set exactly one of max_steps and epochs"),
        ("", "set exactly one of max_steps and epochs"),
        (
            "[train]\nmax_steps = 5\n[optim]\nwarmup_steps = 5\n",
            r"warmup_steps \(5\) must be below train.max_steps \(5\)",
        ),
        ("[train]\nmax_steps = 5\n[masks]\nbox = 0\nstroke = 0\nfull = 0\n", "at least one of box, stroke, full"),
        ("[train]\nmax_steps = 5\n[validation]\nevery_steps = 10\n", "validation.prompts is empty"),
        ('[train]\nmax_steps = 5\ndevice = "tpu"\n', "train.device must be auto, cpu, mps or cuda"),
        ("[train\nmax_steps = 5\n", "not valid TOML"),
    ],
)
def test_bad_values_fail_with_the_field_named(toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(HEAD + toml, source="x.toml")


def test_missing_required_setting() -> None:
    with pytest.raises(ConfigError, match="missing setting `manifest`"):
        parse_config('pretrained_model = "m"\noutput_dir = "o"\n[train]\nmax_steps = 1\n')


def test_fp16_needs_cuda() -> None:
    import torch

    with pytest.raises(ConfigError, match='fp16" needs a CUDA device'):
        weight_dtype_for("fp16", torch.device("cpu"))
    assert weight_dtype_for("bf16", torch.device("cpu")) == torch.bfloat16


def test_unknown_target_module_fails_before_training(make_config: Callable[..., Config]) -> None:
    config = make_config(lora='rank = 4\ntarget_modules = ["to_q", "attn_qkv"]')
    with pytest.raises(ConfigError, match=r"'attn_qkv' match no Linear/Conv2d layer.*to_out\.0"):
        train.main(config, progress=False)


def test_resume_path_must_be_a_checkpoint(make_config: Callable[..., Config], tmp_path: Path) -> None:
    config = make_config(train=f'max_steps = 2\nresume = "{tmp_path}"')
    with pytest.raises(ConfigError, match="is not a checkpoint folder"):
        train.main(config, progress=False)


def test_cli_run_reports_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(HEAD + "[lora]\nrank = -3\n[train]\nmax_steps = 5\n")
    assert cli(["run", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {path}: lora.rank: Expected `int` >= 1"
    assert cli(["run", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read config" in capsys.readouterr().err
